"""Storage for outreach: scheduled posts, the dead-letter list, retention of old rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.models import InboxEvent, LineUser, OutboxMessage, ScheduledPost

# Finished rows only: a pending inbox event or an unsent outbox row is never purged.
PURGEABLE_INBOX = ("done", "ignored", "rejected")
PURGEABLE_OUTBOX = ("sent", "skipped", "dead")
PURGE_BATCH = 2000


class DeadLetters:
    """Outbox rows that LINE never took after every attempt (or refused outright)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, limit: int = 100) -> list[OutboxMessage]:
        return list(
            self.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "dead")
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )

    def replay(self, row_ids: Sequence[int] | None, now: datetime) -> int:
        """Send dead rows again (all of them when `row_ids` is None); returns how many.

        The row keeps its X-Line-Retry-Key. LINE remembers an accepted key for 24 hours, and a
        dead row may have died after an attempt that got no answer but did arrive: with the same
        key LINE answers 409 and the row counts as sent, with a new key the people would get it
        twice. A row that LINE refused (4xx) left no key behind, so reusing it costs nothing.
        """
        query = update(OutboxMessage).where(OutboxMessage.status == "dead")
        if row_ids is not None:
            query = query.where(OutboxMessage.id.in_(list(row_ids)))
        result = self.session.execute(
            query.values(status="pending", attempts=0, next_attempt_at=now, lease_until=None)
        )
        return result.rowcount


def purge_finished(session_factory, cutoff: datetime) -> dict[str, int]:
    """Delete finished inbox events received and finished outbox rows last tried before `cutoff`,
    in small transactions so the web's writers never wait long. Returns rows deleted per table."""
    deleted = {"inbox_events": 0, "outbox_messages": 0}
    targets = (
        ("inbox_events", InboxEvent, InboxEvent.status.in_(PURGEABLE_INBOX), InboxEvent.received_at),
        (
            "outbox_messages",
            OutboxMessage,
            OutboxMessage.status.in_(PURGEABLE_OUTBOX),
            OutboxMessage.next_attempt_at,
        ),
    )
    for name, model, finished, stamp in targets:
        while True:
            with session_factory.begin() as session:
                ids = list(
                    session.scalars(select(model.id).where(finished, stamp < cutoff).limit(PURGE_BATCH))
                )
                if ids:
                    session.execute(delete(model).where(model.id.in_(ids)))
            deleted[name] += len(ids)
            if len(ids) < PURGE_BATCH:
                break
    return deleted


class ScheduledPosts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, *, post_key: str, segment: str, at: datetime, created_by: str, now: datetime
    ) -> ScheduledPost:
        post = ScheduledPost(
            post_key=post_key,
            segment=segment,
            scheduled_at=at,
            status="scheduled",
            recipients=0,
            batches=0,
            created_by=created_by,
            created_at=now,
        )
        self.session.add(post)
        self.session.flush()
        return post

    def get(self, post_id: int) -> ScheduledPost | None:
        return self.session.get(ScheduledPost, post_id)

    def all(self, limit: int = 200) -> list[ScheduledPost]:
        return list(
            self.session.scalars(
                select(ScheduledPost)
                .order_by(ScheduledPost.scheduled_at.desc(), ScheduledPost.id)
                .limit(limit)
            )
        )

    def due_ids(self, now: datetime) -> list[int]:
        return list(
            self.session.scalars(
                select(ScheduledPost.id)
                .where(ScheduledPost.status == "scheduled", ScheduledPost.scheduled_at <= now)
                .order_by(ScheduledPost.scheduled_at, ScheduledPost.id)
            )
        )

    def take(self, post_id: int, status: str, now: datetime, **values: object) -> bool:
        """Move a still-scheduled post on (queued, refused, cancelled): exactly one caller wins,
        so two clocks racing queue a post once."""
        result = self.session.execute(
            update(ScheduledPost)
            .where(ScheduledPost.id == post_id, ScheduledPost.status == "scheduled")
            .values(status=status, queued_at=now if status == "queued" else None, **values)
        )
        return result.rowcount == 1

    def delivery_counts(self, post_id: int) -> dict[str, int]:
        """Outbox rows of one post by status (rows are named `post:<id>:…`)."""
        rows = self.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.dedupe_key.like(f"post:{post_id}:%"))
            .group_by(OutboxMessage.status)
        ).all()
        return dict(rows)


def recipients_of_row(row: OutboxMessage) -> list[str]:
    return json.loads(row.recipients)


def _followers_where(news_only: bool, province_code: str | None) -> list:
    where = [LineUser.blocked.is_(False)]
    if news_only:
        where.append(LineUser.news_opt_in.is_(True))
    if province_code is not None:
        where.append(LineUser.province_code == province_code)
    return where


def followers(session: Session, *, news_only: bool, province_code: str | None = None) -> dict[str, list[str]]:
    """LINE users who follow the account (never those who blocked it), by language; `news_only`
    keeps only those who opted in to news; `province_code` only those who chose that province.
    (Plain rows, not ORM ones: a news post reads 100,000 of them.)"""
    query = (
        select(LineUser.language, LineUser.line_user_id)
        .where(*_followers_where(news_only, province_code))
        .order_by(LineUser.id)
    )
    by_language: dict[str, list[str]] = {}
    for language, user_id in session.connection().execute(query):
        by_language.setdefault(language or "th", []).append(user_id)
    return by_language


def followers_size(session: Session, *, news_only: bool, province_code: str | None = None) -> int:
    """How many `followers` would return, counted by the database."""
    query = select(func.count()).select_from(LineUser).where(*_followers_where(news_only, province_code))
    return session.scalar(query) or 0
