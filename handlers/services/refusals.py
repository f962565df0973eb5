"""The refusals domain operations raise: a stable `code` the chat turns into a catalog sentence.

Every refusal sentence lives in the catalog as `agency.refused.<code>` (handlers/catalog/agency.*.toml),
so the chat, the CLI and the staff web show the same reason.
"""

from __future__ import annotations

from typing import Any

from handlers.parsing import ParseError, clean_free_text

# A reason staff give a person (a rejection, a fix asked for) ends in one LINE text message with a
# sentence around it: LINE refuses texts over 5,000 characters, and this leaves room to spare.
REASON_MAX_CHARS = 500


class Refused(Exception):
    """An operation the rules do not allow (not an error in the program)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, Any] = params

    @property
    def catalog_key(self) -> str:
        return f"agency.refused.{self.code}"

    def __str__(self) -> str:  # for logs and the CLI: codes and ids, never personal data
        return f"{self.code} {self.params}" if self.params else self.code


class NotAllowed(Refused):
    """The person may not do this (not a coordinator, agency pending or rejected, other agency)."""


class AgencyRefused(Refused):
    """Registration, joining, leaving or a decision that the agency's state does not allow."""


class InvitationRefused(Refused):
    """An invitation code that cannot be used: unknown, expired, revoked, used up."""


def staff_reason(text: str, refused: type[Refused]) -> str:
    """A reason staff typed for a person to read in LINE, cleaned (control and bidi characters
    removed, spaces collapsed). Empty: `refused("reason_required")`; longer than REASON_MAX_CHARS:
    `refused("reason_too_long", limit=…)`, never cut short."""
    try:
        return clean_free_text(text, REASON_MAX_CHARS)
    except ParseError as error:
        if error.code == "input.empty":
            raise refused("reason_required") from None
        raise refused("reason_too_long", limit=REASON_MAX_CHARS, length=len(text)) from None
