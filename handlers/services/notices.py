"""Messages the domain operations send outside a reply: always through the outbox, in each
person's language, with a dedupe key so a retried operation never sends twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from storage.models import LineUser
from storage.models.program import Agency, Coordinator, StaffMember
from storage.repositories import OutboxRepository

log = logging.getLogger("ruamjai")

# A parameter said in the reader's language: the language ("th", "en") → the words.
Localized = Callable[[str], str]


def language_of(session: Session, line_user_id: str) -> str:
    language = session.scalars(select(LineUser.language).where(LineUser.line_user_id == line_user_id)).first()
    return language or "th"


def push(
    session: Session,
    line_user_id: str,
    key: str,
    dedupe_key: str,
    now: datetime,
    /,
    *,
    urgent: bool = True,
    **params,
) -> bool:
    """Push the catalog sentence `key` to one person; False when this dedupe key was sent before.
    Not `urgent`: it waits out quiet hours in the outbox. A parameter may be `Localized` (a
    function of the language): it is said in the reader's language."""
    language = language_of(session, line_user_id)
    text = t(key, language, **{k: v(language) if callable(v) else v for k, v in params.items()})
    return OutboxRepository(session).enqueue_push(
        to=line_user_id,
        messages=[{"type": "text", "text": text}],
        dedupe_key=dedupe_key,
        now=now,
        urgent=urgent,
    )


def coordinators_of(session: Session, agency_id: int) -> list[str]:
    """LINE user ids of the agency's active coordinators (erased people have none)."""
    return list(
        session.scalars(
            select(Coordinator.line_user_id)
            .where(
                Coordinator.agency_id == agency_id,
                Coordinator.status == "active",
                Coordinator.line_user_id.is_not(None),
            )
            .order_by(Coordinator.id)
        )
    )


def tell_coordinators(
    session: Session, target: Agency, key: str, event: str, now: datetime, /, **params
) -> int:
    """Push to every active coordinator of `target`; `event` makes the dedupe keys unique."""
    sent = 0
    for line_user_id in coordinators_of(session, target.id):
        sent += push(session, line_user_id, key, f"agency:{target.id}:{event}:{line_user_id}", now, **params)
    return sent


def tell_staff(
    session: Session, key: str, event: str, now: datetime, /, *, urgent: bool = True, **params
) -> int:
    """Push to every staff member registered with `ruamjai staff add`; with none, a log line
    (ids only, no names) so an operator watching the logs still learns of it."""
    staff = list(session.scalars(select(StaffMember).order_by(StaffMember.id)))
    if not staff:
        log.info("staff notice with no staff registered", extra={"notice": key, "event": event})
        return 0
    for member in staff:
        push(session, member.line_user_id, key, f"staff:{member.id}:{event}", now, urgent=urgent, **params)
    return len(staff)
