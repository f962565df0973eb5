"""A campaign's content calendar: which knowledge and news posts go out in each of its phases,
written in the campaign file: a schedule per phase.

    [[posts]]
    phase = "4.1"        # a [[phases]] key of the same file
    day = 1              # day of the phase: 1 is the day it starts
    time = "10:00"       # Bangkok time
    post = "how-to-join" # a post in handlers/content/posts
    segment = "news"     # who gets it (handlers/services/outreach.py: news, province:<code>, coordinators, …)

Loading the file turns each entry into a scheduled post (`created_by` "campaign:<slug>"), which
the clock's "posts" job sends like any other, within the quota and outside quiet hours. Loading
again replaces the file's posts that have not gone out yet; entries whose moment has passed are
not sent late; a post already sent is not sent again. Loading another campaign cancels this one's
posts that have not gone out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.content import posts
from handlers.services.outreach import OutreachError, parse_segment
from handlers.services.posts import CREATED_BY
from handlers.services.thaitime import BANGKOK
from storage.models import ScheduledPost
from storage.outreach_repository import ScheduledPosts

FIELDS = {"phase", "day", "time", "post", "segment"}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

# problem(table, index, key, message), as in handlers/services/campaign_files.validate_campaign
Report = Callable[[str, int, str, str], None]


def validate_posts(entries: object, phases: list[dict], report: Report) -> list[dict]:
    """The [[posts]] entries as plain data; every problem reported with its entry and field."""
    if not isinstance(entries, list):
        report("posts", 0, "", "posts must be [[posts]] entries")
        return []
    keys = [p["key"] for p in phases if p.get("key")]
    lengths = {  # phases whose dates are right (a wrong one is reported once, as a phase problem)
        p["key"]: (date.fromisoformat(p["ends"]) - date.fromisoformat(p["starts"])).days + 1
        for p in phases
        if p.get("key") and p.get("starts") and p.get("ends") and p["starts"] <= p["ends"]
    }
    known_posts = posts()
    meaning = []
    for index, entry in enumerate(entries):
        for key in entry:
            if key not in FIELDS:
                report("posts", index, key, f"posts: unknown field {key!r}")
        phase, day, moment = entry.get("phase"), entry.get("day"), entry.get("time")
        key, segment = entry.get("post"), entry.get("segment")
        if phase not in keys:
            known = ", ".join(keys) or "the file's phase keys"
            report("posts", index, "phase", f"posts: phase must be one of {known}")
        elif phase in lengths and not _whole(day, 1, lengths[phase]):
            most = lengths[phase]
            report(
                "posts", index, "day", f"posts: day must be a whole number from 1 to {most} (phase {phase})"
            )
        if not isinstance(moment, str) or not _TIME.match(moment):
            report("posts", index, "time", 'posts: time must be Bangkok time such as "10:00"')
        post = known_posts.get(key) if isinstance(key, str) else None
        if post is None:
            report(
                "posts", index, "post", f"posts: no post {key!r} (posts: {', '.join(sorted(known_posts))})"
            )
        if not isinstance(segment, str):
            report("posts", index, "segment", 'posts: segment must be text such as "news"')
        else:
            try:
                found, _argument = parse_segment(segment)
            except OutreachError as error:
                report("posts", index, "segment", f"posts: {error}")
            else:
                if post is not None and post.kind == "news" and found.name == "everyone":
                    report(
                        "posts",
                        index,
                        "segment",
                        f"posts: {key!r} is news, which goes only to people who opted in: "
                        'use the segment "news" (or "province:<code>"), not "everyone"',
                    )
        meaning.append({"phase": phase, "day": day, "time": moment, "post": key, "segment": segment})
    return meaning


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def moment_of(entry: dict, phases: list[dict]) -> datetime:
    """When an entry goes out (UTC): its time, Bangkok, on its day of its phase."""
    starts = next(date.fromisoformat(p["starts"]) for p in phases if p["key"] == entry["phase"])
    hour, minute = map(int, entry["time"].split(":"))
    local = datetime.combine(starts + timedelta(days=entry["day"] - 1), time(hour, minute), BANGKOK)
    return local.astimezone(UTC)


def sync_scheduled_posts(session: Session, slug: str, meaning: dict, now: datetime) -> int:
    """Make the campaign's scheduled posts match its file; returns how many are waiting to go.
    Scheduled posts of other campaigns that have not gone out are removed (one campaign is
    active at a time); posts that went out (queued, refused, cancelled) stay as history."""
    ours = CREATED_BY + slug
    session.execute(
        delete(ScheduledPost).where(
            ScheduledPost.created_by.like(CREATED_BY + "%"), ScheduledPost.status == "scheduled"
        )
    )
    # (post, segment, moment) of this campaign's posts that went out, were refused or cancelled
    gone = {
        tuple(row)
        for row in session.execute(
            select(ScheduledPost.post_key, ScheduledPost.segment, ScheduledPost.scheduled_at).where(
                ScheduledPost.created_by == ours
            )
        )
    }
    waiting = 0
    for entry in meaning.get("posts", []):
        at = moment_of(entry, meaning["phases"])
        if at <= now or (entry["post"], entry["segment"], at) in gone:
            continue
        ScheduledPosts(session).add(
            post_key=entry["post"], segment=entry["segment"], at=at, created_by=ours, now=now
        )
        waiting += 1
    return waiting
