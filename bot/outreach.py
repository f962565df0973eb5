"""Outreach operations the CLI, the clock and (later) the staff web call: the monthly quota check,
the dead-letter list and replay, and queueing scheduled posts."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.line_gateway import LineGateway, Quota
from storage.outreach import DeadLetters

log = logging.getLogger("ruamjai.outreach")


class QuotaExceeded(RuntimeError):
    """A send would go past this month's message quota; nothing was sent."""

    def __init__(self, needed: int, quota: Quota) -> None:
        self.needed, self.quota = needed, quota
        super().__init__(
            f"Refused: this send needs {needed:,} messages but only {quota.remaining:,} of this month's "
            f"{quota.limit:,} remain ({quota.used:,} used). Nothing was sent; choose a smaller segment "
            "or raise the channel's quota in LINE Official Account Manager."
        )


def ensure_quota(gateway: LineGateway, needed: int) -> Quota:
    """Read the month's quota and consumption from LINE; raise QuotaExceeded if `needed` more
    messages would not fit. Call it before anything of the send is queued."""
    quota = gateway.quota()
    if quota.remaining is not None and needed > quota.remaining:
        raise QuotaExceeded(needed, quota)
    return quota


@dataclass(frozen=True)
class DeadRow:
    id: int
    kind: str
    recipients: int
    attempts: int
    last_error: str | None
    created_at: datetime


def dead_letters(session_factory: sessionmaker[Session], limit: int = 100) -> list[DeadRow]:
    """Outbox rows given up on (never their message bodies: those may be personal)."""
    with session_factory() as session:
        return [
            DeadRow(
                row.id,
                row.kind,
                len(json.loads(row.recipients)) if row.kind != "broadcast" else 0,
                row.attempts,
                row.last_error,
                row.created_at,
            )
            for row in DeadLetters(session).list(limit)
        ]


def replay_dead(session_factory: sessionmaker[Session], row_ids: list[int] | None, now: datetime) -> int:
    """Queue dead rows again with their own retry keys (see DeadLetters.replay); None = all."""
    with session_factory.begin() as session:
        count = DeadLetters(session).replay(row_ids, now)
    log.info("dead letters replayed", extra={"rows": count})
    return count
