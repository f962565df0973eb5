"""Scheduled posts and segments: who gets a post, and when. Plain functions the CLI, the clock
and (later) the staff web call; each takes the caller's session.

Segments are a registry (`register_segment`): "everyone" (a LINE broadcast), "news" (people who
opted in to news), "province:<code>", "coordinators" (of approved agencies in the active
campaign) and "missing:<deadline kind>" (coordinators of those agencies that have not met it).
People who blocked the account never get a post; news goes only to people who opted in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import geothai
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.content import Post, dated, posts
from handlers.services.agencies import province_name
from handlers.services.campaigns import active_campaign
from handlers.services.deadlines import (
    AGENCY_KINDS,
    approved_agency_ids,
    coordinator_users,
    missing_by_agency,
)
from handlers.services.notices import Localized, tell_staff
from handlers.services.posts import campaign_post_dates, post_message
from handlers.services.thaitime import BANGKOK, BUDDHIST_ERA_OFFSET, format_bangkok
from handlers.services.written_posts import with_image, written_post
from storage.media import MediaStore
from storage.models import LineUser, ScheduledPost
from storage.models.program import Campaign, CampaignDeadline
from storage.outreach_repository import ScheduledPosts, followers, followers_size
from storage.repositories import OutboxRepository

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class OutreachError(ValueError):
    """A request staff can fix (unknown post or segment, a time in the wrong form); the message
    says what is wrong."""


@dataclass(frozen=True)
class Audience:
    """Who a post goes to: a broadcast (every follower; `estimate` from our own records), or
    LINE user ids by language (each language gets the post in its own words)."""

    broadcast: bool = False
    by_language: dict[str, list[str]] = field(default_factory=dict)
    estimate: int = 0

    @property
    def size(self) -> int:
        return self.estimate if self.broadcast else sum(len(ids) for ids in self.by_language.values())


# A resolver gets the session, the segment's argument (after the colon, or None), the post and now.
Resolver = Callable[[Session, str | None, Post, datetime], Audience]
# A counter answers how many a resolver would find, without reading them (large segments).
Counter = Callable[[Session, str | None, Post, datetime], int]


@dataclass(frozen=True)
class Segment:
    name: str
    resolve: Resolver
    takes_argument: bool
    check_argument: Callable[[str], str | None] | None = None  # returns a problem, or None
    description: str = ""
    count: Counter | None = None


SEGMENTS: dict[str, Segment] = {}


def register_segment(segment: Segment) -> None:
    """Add a segment to the registry; a name may be registered once."""
    if segment.name in SEGMENTS:
        raise ValueError(f"segment {segment.name!r} is registered twice")
    SEGMENTS[segment.name] = segment


def _everyone(session: Session, _argument: str | None, post: Post, _now: datetime) -> Audience:
    if post.kind == "news":
        # A broadcast cannot leave anyone out, and news goes only to people who opted in.
        raise OutreachError(
            f"post {post.key!r} is news: a broadcast would reach people who did not opt in to news; "
            "use the segment 'news' (or 'province:<code>')"
        )
    return Audience(broadcast=True, estimate=followers_size(session, news_only=False))


def _news(session: Session, _argument: str | None, _post: Post, _now: datetime) -> Audience:
    return Audience(by_language=followers(session, news_only=True))


def _province(session: Session, argument: str | None, post: Post, _now: datetime) -> Audience:
    return Audience(by_language=followers(session, news_only=post.kind == "news", province_code=argument))


def _count_news(session: Session, _argument: str | None, _post: Post, _now: datetime) -> int:
    return followers_size(session, news_only=True)


def _count_province(session: Session, argument: str | None, post: Post, _now: datetime) -> int:
    return followers_size(session, news_only=post.kind == "news", province_code=argument)


def _check_province(code: str) -> str | None:
    return None if geothai.province(code) else f"no province has the code {code!r} (e.g. 10 is Bangkok)"


def _people(session: Session, users: set[str], post: Post) -> Audience:
    """These LINE users by language, without those who blocked us (news: only those opted in)."""
    query = select(LineUser.language, LineUser.line_user_id).where(
        LineUser.line_user_id.in_(sorted(users)), LineUser.blocked.is_(False)
    )
    if post.kind == "news":
        query = query.where(LineUser.news_opt_in.is_(True))
    by_language: dict[str, list[str]] = {}
    for language, user in session.execute(query.order_by(LineUser.id)) if users else ():
        by_language.setdefault(language or "th", []).append(user)
    return Audience(by_language=by_language)


def _coordinators(session: Session, _argument: str | None, post: Post, now: datetime) -> Audience:
    campaign = active_campaign(session, now)
    if campaign is None:
        return Audience()
    users = coordinator_users(session, approved_agency_ids(session, campaign))
    return _people(session, {u for group in users.values() for u in group}, post)


def _active_deadline(
    session: Session, kind: str | None, now: datetime
) -> tuple[Campaign, CampaignDeadline] | None:
    """The active campaign and its deadline of this kind, if it has one."""
    campaign = active_campaign(session, now)
    deadline = next((d for d in campaign.deadlines if d.kind == kind), None) if campaign else None
    return (campaign, deadline) if deadline else None


def _missing(session: Session, kind: str | None, post: Post, now: datetime) -> Audience:
    found = _active_deadline(session, kind, now)
    if found is None:
        raise OutreachError(f"the active campaign has no {kind!r} deadline")
    campaign, deadline = found
    users = coordinator_users(session, list(missing_by_agency(session, campaign, deadline)))
    return _people(session, {u for group in users.values() for u in group}, post)


def _check_kind(kind: str) -> str | None:
    return (
        None
        if kind in AGENCY_KINDS
        else f"no agency deadline kind {kind!r} (known: {', '.join(AGENCY_KINDS)})"
    )


for _segment in (
    Segment("everyone", _everyone, False, description="every follower (a LINE broadcast); not for news"),
    Segment("news", _news, False, description="people who opted in to news", count=_count_news),
    Segment(
        "province",
        _province,
        True,
        _check_province,
        "people who chose this province (news: only those who opted in)",
        count=_count_province,
    ),
    Segment("coordinators", _coordinators, False, description="coordinators of approved agencies"),
    Segment(
        "missing",
        _missing,
        True,
        _check_kind,
        "coordinators of approved agencies that have not met the campaign's deadline of this kind",
    ),
):
    register_segment(_segment)


def parse_segment(spec: str) -> tuple[Segment, str | None]:
    """ "province:10" → (the province segment, "10"); raises OutreachError."""
    name, _, argument = spec.strip().partition(":")
    segment = SEGMENTS.get(name)
    if segment is None:
        raise OutreachError(f"unknown segment {name!r}; known: {', '.join(sorted(SEGMENTS))}")
    if segment.takes_argument and not argument:
        raise OutreachError(f"segment {name!r} needs an argument: {name}:<value>")
    if not segment.takes_argument and argument:
        raise OutreachError(f"segment {name!r} takes no argument")
    if argument and segment.check_argument:
        problem = segment.check_argument(argument)
        if problem:
            raise OutreachError(problem)
    return segment, argument or None


def describe_segment(session: Session, spec: str, now: datetime) -> Localized:
    """A segment in plain words, in the reader's language, with the spec as staff type it:
    "ผู้ที่ขอรับข่าวสาร (news)", "ผู้ติดตามในจังหวัดเชียงใหม่ (province:50)". A segment no longer
    known is given as its spec. Every registered segment has its words in the catalog
    (knowledge.segment.<name>; tests/handlers/test_catalog.py checks)."""
    spec = spec.strip()
    name, _, argument = spec.partition(":")
    found = _active_deadline(session, argument, now) if name == "missing" else None

    def words(language: str) -> str:
        if name not in SEGMENTS:
            return spec
        label = found[1].label(language) if found else argument
        province = province_name(argument, language) if name == "province" else argument
        described = t(f"knowledge.segment.{name}", language, province=province, label=label)
        return f"{described} ({spec})"

    return words


def parse_bangkok_time(text: str) -> datetime:
    """ "2569-12-02 09:00" or "2026-12-02 09:00" (Bangkok time; Thai digits fine) → aware UTC.
    A year above 2400 is taken as Buddhist era."""
    match = re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})", text.strip().translate(_THAI_DIGITS)
    )
    if not match:
        raise OutreachError(f"time {text!r} must look like 2569-12-02 09:00 (Bangkok time)")
    year, month, day, hour, minute = (int(part) for part in match.groups())
    if year > 2400:
        year -= BUDDHIST_ERA_OFFSET
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=BANGKOK)
    except ValueError as error:
        raise OutreachError(f"time {text!r} is not a real date and time: {error}") from None
    return local.astimezone(UTC)


def find_post(key: str, session: Session | None = None) -> Post:
    """A content file's post, or (given the session) one staff wrote on the web."""
    post = posts().get(key)
    if post is None and session is not None:
        post = written_post(session, key)
    if post is None:
        raise OutreachError(f"no post {key!r}; posts: {', '.join(sorted(posts()))}")
    return post


def audience_for(session: Session, post_key: str, segment_spec: str, now: datetime) -> Audience:
    """Who would get this post now (raises OutreachError for a post/segment that cannot go)."""
    post = find_post(post_key, session)
    segment, argument = parse_segment(segment_spec)
    return segment.resolve(session, argument, post, now)


def audience_size(session: Session, post_key: str, segment_spec: str, now: datetime) -> int:
    """How many people this post would reach now (for the quota check before a send): counted
    by the database for large segments, rather than reading them all."""
    post = find_post(post_key, session)
    segment, argument = parse_segment(segment_spec)
    if segment.count is not None:
        return segment.count(session, argument, post, now)
    return segment.resolve(session, argument, post, now).size


def schedule_post(
    session: Session, *, post_key: str, segment: str, at: datetime, created_by: str, now: datetime
) -> ScheduledPost:
    """Schedule a post (checked now: the post exists, the segment exists and suits the post)."""
    audience_for(session, post_key, segment, now)
    return ScheduledPosts(session).add(
        post_key=post_key, segment=segment.strip(), at=at, created_by=created_by, now=now
    )


def cancel_post(session: Session, post_id: int, now: datetime) -> bool:
    """Cancel a post that has not been queued yet; False if it is gone or already under way."""
    return ScheduledPosts(session).take(post_id, "cancelled", now)


def refuse_post(
    session: Session, post_id: int, now: datetime, reason: str, /, notice: str = "refused", **params
) -> bool:
    """Refuse a scheduled post (nothing of it is sent): `reason` goes to `ruamjai post list`, and
    staff are told on LINE (`knowledge.staff.<notice>`, with `params`) rather than left to find it."""
    if not ScheduledPosts(session).take(post_id, "refused", now, note=reason[:500]):
        return False
    _tell_staff_not_sent(session, post_id, notice, now, **params)
    return True


def _tell_staff_not_sent(session: Session, post_id: int, notice: str, now: datetime, /, **params) -> None:
    scheduled = ScheduledPosts(session).get(post_id)
    post = posts().get(scheduled.post_key) or written_post(session, scheduled.post_key)
    if post is not None:
        post = dated(post, campaign_post_dates(session, now).get(post.key))
    tell_staff(
        session,
        f"knowledge.staff.{notice}",
        f"post:{post_id}:{notice}",
        now,
        urgent=False,  # staff can act on it in the morning
        title=(lambda language: post.title.get(language, post.title["th"])) if post else scheduled.post_key,
        segment=describe_segment(session, scheduled.segment, now),
        at=format_bangkok(scheduled.scheduled_at),
        **params,
    )


# A post the clock reaches this late (it was down, or stopped) is not sent: "registration opens
# today" read two days later is wrong, and staff would rather choose again than have it go out
# unseen. Quiet hours do not count: a due post is queued on time and its rows wait in the outbox.
MISSED_AFTER = timedelta(hours=12)


def is_missed(scheduled_at: datetime, now: datetime) -> bool:
    return now - scheduled_at > MISSED_AFTER


def miss_post(session: Session, post_id: int, scheduled_at: datetime, now: datetime) -> bool:
    """Mark a post the clock reached too late (`is_missed`): nothing of it is sent."""
    note = (
        f"Missed: due {format_bangkok(scheduled_at)}, reached {format_bangkok(now)} (more than "
        f"{MISSED_AFTER.total_seconds() / 3600:.0f} hours late: the clock was not running). Nothing "
        "was sent; schedule it again if it is still worth sending."
    )
    if not ScheduledPosts(session).take(post_id, "missed", now, note=note):
        return False
    _tell_staff_not_sent(session, post_id, "missed", now, hours=f"{MISSED_AFTER.total_seconds() / 3600:.0f}")
    return True


def queue_post(session: Session, post_id: int, now: datetime, media: MediaStore | None = None) -> int | None:
    """Write a due post's outbox rows (non-urgent: they wait out quiet hours) in the caller's
    transaction; returns the recipients, or None if another caller took the post first.

    Rows are named post:<id>:<language>#<n> (multicasts of ≤500) or post:<id>:broadcast, so
    writing them twice adds nothing.
    """
    scheduled = ScheduledPosts(session).get(post_id)
    if scheduled is None or scheduled.status != "scheduled":
        return None
    try:
        when = campaign_post_dates(session, now).get(scheduled.post_key)
        post = with_image(dated(find_post(scheduled.post_key, session), when), media)
        audience = audience_for(session, scheduled.post_key, scheduled.segment, now)
    except OutreachError as error:
        refuse_post(session, post_id, now, str(error))
        return None
    if not ScheduledPosts(session).take(post_id, "queued", now):
        return None  # a racing clock took it first (PostgreSQL: waits on the row, then sees it)
    outbox = OutboxRepository(session)
    batches = 0
    if audience.broadcast:
        message = post_message(post, "th")  # a broadcast has one text for all: Thai first
        batches += outbox.enqueue_broadcast(
            messages=[message], dedupe_key=f"post:{post_id}:broadcast", now=now, urgent=False
        )
    for language, ids in sorted(audience.by_language.items()):
        batches += outbox.enqueue_multicast(
            to=ids,
            messages=[post_message(post, language if language in post.title else "th")],
            dedupe_key=f"post:{post_id}:{language}",
            now=now,
            urgent=False,
        )
    scheduled.recipients, scheduled.batches = audience.size, batches
    return audience.size
