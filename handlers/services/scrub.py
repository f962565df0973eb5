"""Taking one person's own identifiers out of free text that is kept after they are erased (a
report's place, a staff reason): their name, position, phone (however typed) and LINE user id.

The rest of the text stays: a report's address is the agency's, only the person's part of it goes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# What an identifier becomes in kept text.
SCRUBBED = "[ลบแล้ว]"
# Thai digits count as the digits they stand for (people type ๐๘๑ as readily as 081).
_DIGIT = {str(d): f"[{d}{chr(0x0E50 + d)}]" for d in range(10)}
_SEPARATORS = r"[\s.\-()]*"
# A name or position this short would match ordinary words.
MIN_LENGTH = 3


@dataclass
class Identity:
    """The identifiers of one person, as the database holds them."""

    line_user_id: str
    names: set[str] = field(default_factory=set)
    positions: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)  # E.164, e.g. +66812345678

    def add(self, name: str | None, position: str | None, phone: str | None) -> None:
        for target, value in ((self.names, name), (self.positions, position), (self.phones, phone)):
            if value and value.strip():
                target.add(value.strip())

    def stored_forms(self) -> set[str]:
        """The identifiers as they appear verbatim in stored events and messages: the LINE id, names
        and phones, phones also in the national form people type ("0812345678")."""
        found = {self.line_user_id, *self.names, *self.phones}
        found.update("0" + phone[3:] for phone in self.phones if phone.startswith("+66"))
        return {value for value in found if len(value) >= MIN_LENGTH}

    def pattern(self) -> re.Pattern[str] | None:
        """One regular expression for every identifier, with the spacing and separators people
        type: "081-234-5678", "๐๘๑ ๒๓๔ ๕๖๗๘", "+66 81 234 5678", "สมชาย  ใจดี"."""
        parts = [re.escape(self.line_user_id)]
        for text in sorted(self.names | self.positions, key=len, reverse=True):
            if len(text) >= MIN_LENGTH:
                parts.append(r"\s*".join(re.escape(word) for word in text.split()))
        for phone in self.phones:
            digits = phone[3:] if phone.startswith("+66") else phone.lstrip("+0")
            if len(digits) >= MIN_LENGTH:
                prefix = r"(?:(?:\+?" + _digits("66") + _SEPARATORS + r")|" + _DIGIT["0"] + ")"
                parts.append(prefix + _SEPARATORS + _digits(digits))
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _digits(digits: str) -> str:
    return _SEPARATORS.join(_DIGIT[d] for d in digits if d in _DIGIT)


def scrub_text(text: str | None, identity: Identity) -> str | None:
    """`text` with every identifier of the person replaced by SCRUBBED (None stays None)."""
    pattern = identity.pattern()
    if text is None or pattern is None:
        return text
    return pattern.sub(SCRUBBED, text)


def scrub_json(text: str | None, identity: Identity) -> str | None:
    """A JSON document with every string in it scrubbed (keys too); its shape is unchanged."""
    if not text:
        return text
    return json.dumps(_scrub_value(json.loads(text), identity), ensure_ascii=False)


def _scrub_value(value: Any, identity: Identity) -> Any:
    if isinstance(value, str):
        return scrub_text(value, identity)
    if isinstance(value, list):
        return [_scrub_value(item, identity) for item in value]
    if isinstance(value, dict):
        return {scrub_text(key, identity): _scrub_value(item, identity) for key, item in value.items()}
    return value


def identity_of(line_user_id: str, rows: Iterable[tuple[str | None, str | None, str | None]]) -> Identity:
    """An Identity from (name, position, phone) rows."""
    identity = Identity(line_user_id)
    for name, position, phone in rows:
        identity.add(name, position, phone)
    return identity
