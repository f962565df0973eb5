"""Outreach operations the CLI, the clock and (later) the staff web call: the monthly quota check,
the dead-letter list and replay, and queueing scheduled posts."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.line.gateway import LineApiError, LineGateway, Quota
from storage.outreach_repository import DeadLetters

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


def queue_due_posts(rt) -> int:
    """The clock's "posts" job: for each scheduled post whose time has come, read LINE's quota,
    refuse the post if it would not fit (nothing is sent), else write its outbox rows. Returns
    how many posts were queued."""
    from handlers.services.outreach import (
        OutreachError,
        audience_size,
        is_missed,
        miss_post,
        queue_post,
        refuse_post,
    )
    from storage.outreach_repository import ScheduledPosts

    now = rt.clock.now()
    with rt.session_factory() as session:
        posts = ScheduledPosts(session)
        due = [
            (post.id, post.post_key, post.segment, post.scheduled_at)
            for post in map(posts.get, posts.due_ids(now))
        ]
    queued = 0
    for post_id, post_key, segment, scheduled_at in due:
        if is_missed(scheduled_at, now):
            with rt.session_factory.begin() as session:
                miss_post(session, post_id, scheduled_at, now)
            log.warning("scheduled post missed: the clock reached it too late", extra={"post_id": post_id})
            continue
        try:
            with rt.session_factory() as session:
                size = audience_size(session, post_key, segment, now)
            ensure_quota(rt.gateway, size)
        except QuotaExceeded as refused:
            with rt.session_factory.begin() as session:
                refuse_post(
                    session,
                    post_id,
                    now,
                    str(refused),
                    notice="over_quota",
                    needed=f"{refused.needed:,}",
                    remaining=f"{refused.quota.remaining:,}",
                )
            log.warning("scheduled post refused", extra={"post_id": post_id, "reason": "QuotaExceeded"})
            continue
        except OutreachError as refused:
            with rt.session_factory.begin() as session:
                refuse_post(session, post_id, now, str(refused))
            log.warning(
                "scheduled post refused", extra={"post_id": post_id, "reason": type(refused).__name__}
            )
            continue
        except LineApiError as error:
            # The quota could not be read: try again at the next check rather than send blind.
            log.warning("quota unreadable; post waits", extra={"post_id": post_id, "status": error.status})
            continue
        with rt.session_factory.begin() as session:
            if queue_post(session, post_id, now, rt.media) is not None:
                queued += 1
    return queued
