"""Small names the webhook, the inbox rows and the executor share, without importing each other:
the key that orders a source's events, and the id an error is logged and answered under."""

from __future__ import annotations

import uuid


def source_key_of(event: dict) -> str:
    """Whose events must be ordered: the user, else the group or room, else a shared bucket."""
    source = event.get("source") or {}
    return source.get("userId") or source.get("groupId") or source.get("roomId") or "-"


def new_error_id() -> str:
    """A short random id to quote in logs and to the person who met the error."""
    return "E" + uuid.uuid4().hex[:10].upper()
