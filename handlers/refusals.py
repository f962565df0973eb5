"""The refusals domain operations raise: a stable `code` the chat turns into a catalog sentence.

Every refusal sentence lives in the catalog as `agency.refused.<code>` (handlers/catalog/agency.*.toml),
so the chat, the CLI and the staff web show the same reason.
"""

from __future__ import annotations

from typing import Any


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
