"""What the staff web's posts and outbox pages read and do: the content files, the calendar of
scheduled posts, the segments to choose from, scheduling and cancelling a post, the outbox's rows
(never a reply's body) and replaying a dead letter. Every change is audited as the staff member."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

import geothai
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import label
from handlers.content import Post, dated, posts
from handlers.services.audit import audit
from handlers.services.campaigns import active_campaign
from handlers.services.deadlines import AGENCY_KINDS
from handlers.services.outreach import cancel_post, describe_segment, schedule_post
from handlers.services.posts import campaign_post_dates, post_message
from handlers.services.written_posts import written_posts
from storage.models import OutboxMessage, ScheduledPost
from storage.outreach_repository import DeadLetters, ScheduledPosts

OUTBOX_STATUSES = ("pending", "sending", "sent", "dead", "skipped")
FIRST_LINE = 80  # characters of a push's first text line the outbox list may show
MESSAGES_PER_POST = 1  # a post is one Flex message (handlers.services.posts.post_message)


def post_files(session: Session, now: datetime) -> list[Post]:
    """The posts staff can schedule: those written on the web (newest first), then the content
    files (newest first), their dates filled as the campaign's calendar says."""
    when = campaign_post_dates(session, now)
    shipped = sorted(posts().values(), key=lambda post: (post.published, post.key), reverse=True)
    return written_posts(session) + [dated(post, when.get(post.key)) for post in shipped]


def preview(
    session: Session, post: Post, now: datetime, image_url: str | None = None
) -> tuple[Post, dict[str, dict]]:
    """The post with its dates filled as the campaign's calendar says (and its stored image at
    `image_url`, an address this browser can open), and the message the outbox would send in
    each language."""
    filled = dated(post, campaign_post_dates(session, now).get(post.key))
    if post.image_key and image_url:
        filled = replace(filled, image=image_url)
    return filled, {language: post_message(filled, language) for language in filled.title}


@dataclass(frozen=True)
class SegmentChoice:
    spec: str
    words: str


def segment_choices(session: Session, now: datetime, language: str) -> list[SegmentChoice]:
    """Every segment `parse_segment` accepts, in plain words: the fixed ones, the active
    campaign's agency deadlines, then each province by name."""
    specs = ["news", "everyone", "coordinators"]
    campaign = active_campaign(session, now)
    if campaign is not None:
        kinds = {deadline.kind for deadline in campaign.deadlines}
        specs += [f"missing:{kind}" for kind in AGENCY_KINDS if kind in kinds]
    provinces = sorted(geothai.provinces(), key=lambda p: label(p, language, field="name"))
    specs += [f"province:{province.code}" for province in provinces]
    return [SegmentChoice(spec, describe_segment(session, spec, now)(language)) for spec in specs]


@dataclass(frozen=True)
class CalendarRow:
    id: int
    post_key: str
    title: str
    segment: str
    at: datetime
    status: str
    recipients: int
    delivery: dict[str, int] = field(default_factory=dict)
    note: str | None = None
    by_staff: bool = False


def calendar(session: Session, now: datetime, language: str, limit: int = 200) -> list[CalendarRow]:
    """Scheduled posts (the campaign's and staff's), latest first, with their outbox rows' states."""
    repo = ScheduledPosts(session)
    files = {post.key: post for post in post_files(session, now)}
    rows = []
    for scheduled in repo.all(limit):
        post = files.get(scheduled.post_key)
        rows.append(
            CalendarRow(
                id=scheduled.id,
                post_key=scheduled.post_key,
                title=post.title.get(language, post.title["th"]) if post else scheduled.post_key,
                segment=describe_segment(session, scheduled.segment, now)(language),
                at=scheduled.scheduled_at,
                status=scheduled.status,
                recipients=scheduled.recipients,
                delivery=repo.delivery_counts(scheduled.id) if scheduled.status == "queued" else {},
                note=scheduled.note,
                by_staff=scheduled.created_by.startswith("staff:"),
            )
        )
    return rows


def staff_schedule_post(
    session: Session, *, staff_member_id: int, post_key: str, segment: str, at: datetime, now: datetime
) -> ScheduledPost:
    """Schedule a post as a staff member (checked as `schedule_post` checks; raises
    OutreachError); the clock's "posts" job sends it like any other."""
    actor = f"staff:{staff_member_id}"
    scheduled = schedule_post(session, post_key=post_key, segment=segment, at=at, created_by=actor, now=now)
    detail = {"post": post_key, "segment": scheduled.segment, "at": at.isoformat()}
    audit(session, actor, "schedule_post", f"scheduled_post:{scheduled.id}", now, detail)
    return scheduled


def staff_cancel_post(session: Session, *, staff_member_id: int, post_id: int, now: datetime) -> bool:
    """Cancel a post still waiting; False (nothing audited) when it is gone or under way."""
    if not cancel_post(session, post_id, now):
        return False
    audit(session, f"staff:{staff_member_id}", "cancel_post", f"scheduled_post:{post_id}", now)
    return True


@dataclass(frozen=True)
class OutboxLine:
    """One outbox row as staff see it: never a reply's body, at most a push's first text line."""

    id: int
    kind: str
    recipients: int | None  # None: a broadcast (every follower)
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    first_line: str


def first_line(row: OutboxMessage) -> str:
    """A push, multicast or broadcast's first text line (a Flex message: its alt text); '' for a
    reply, whose words answer one person."""
    if row.kind == "reply":
        return ""
    try:
        messages = json.loads(row.payload).get("messages") or [{}]
    except (ValueError, AttributeError):
        return ""
    first = messages[0] if isinstance(messages[0], dict) else {}
    text = first.get("text") if first.get("type") == "text" else first.get("altText")
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= FIRST_LINE else line[: FIRST_LINE - 1] + "…"


def outbox_lines(session: Session, status: str | None = None, limit: int = 200) -> list[OutboxLine]:
    """The newest outbox rows (of one status, if given)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return [
        OutboxLine(
            id=row.id,
            kind=row.kind,
            recipients=None if row.kind == "broadcast" else len(json.loads(row.recipients or "[]")),
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            first_line=first_line(row),
        )
        for row in session.scalars(query)
    ]


def staff_replay_dead(session: Session, *, staff_member_id: int, row_id: int, now: datetime) -> bool:
    """Queue one dead letter again, as `ruamjai outbox replay` does (DeadLetters.replay: the row
    keeps its retry key, so LINE never delivers it twice); False if the row is not dead."""
    if not DeadLetters(session).replay([row_id], now):
        return False
    audit(session, f"staff:{staff_member_id}", "replay_dead_letter", f"outbox:{row_id}", now)
    return True
