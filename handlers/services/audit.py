"""The audit log: who did what to which record, written by every service that changes the program."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models.program import AuditEntry


def audit(
    session: Session, actor: str, action: str, subject: str, now: datetime, detail: dict | None = None
) -> None:
    """Append to the audit log. `actor` and `subject` are labels with ids ("cli", "staff:3",
    "agency:12"); never a name, phone or LINE user id — the log outlives erasures."""
    session.add(
        AuditEntry(
            at=now,
            actor=actor[:64],
            action=action[:64],
            subject=subject[:128],
            detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        )
    )
