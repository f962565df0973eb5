"""The campaign's content calendar ([[posts]] in the campaign file): loading schedules
the posts still ahead at their Bangkok times, reloading replaces what has not gone out and never
repeats what has, a broken entry is reported on its line, and the clock sends them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.outreach import format_bangkok
from storage.models import ScheduledPost
from storage.repositories import UserRepository
from tests.handlers.domain_helpers import NOW, db_fixture  # noqa: F401  (the `db` fixture)
from tests.handlers.reminder_helpers import SetClock

EXAMPLE = EXAMPLE_CAMPAIGN.read_text(encoding="utf-8")
APRIL = datetime(2024, 4, 20, 3, 0, tzinfo=UTC)  # before the round's first phase


def scheduled(session) -> list[tuple[str, str, str, str, str]]:
    rows = session.scalars(select(ScheduledPost).order_by(ScheduledPost.scheduled_at, ScheduledPost.id))
    return [(p.post_key, p.segment, format_bangkok(p.scheduled_at), p.status, p.created_by) for p in rows]


def test_loading_the_round_schedules_its_calendar_at_bangkok_times(db):
    with db.begin() as session:
        report = load_campaign(session, EXAMPLE_CAMPAIGN, APRIL)
        assert report.ok and report.posts_waiting == 5
        by = "campaign:ruamjai-2567"
        assert scheduled(session) == [
            ("royal-environmental-work", "news", "2567-05-01 10:00", "scheduled", by),
            ("how-to-join", "news", "2567-05-15 10:00", "scheduled", by),
            ("climate-targets", "news", "2567-05-20 10:00", "scheduled", by),
            ("how-to-report", "coordinators", "2567-06-01 10:00", "scheduled", by),
            ("results-at-tcac", "news", "2567-10-01 10:00", "scheduled", by),
        ]
    # A change loaded in the middle of the round (10 June): what has passed is not sent late.
    moved = EXAMPLE.replace('name_en = "Report the results"', 'name_en = "Report the results."')
    with db.begin() as session:
        assert load_campaign(session, moved, NOW).posts_waiting == 1
        assert [row[0] for row in scheduled(session)] == ["results-at-tcac"]


def test_reloading_replaces_what_has_not_gone_out_and_never_repeats_what_has(make_app, settings):
    clock = SetClock(APRIL)
    app = make_app(settings, clock=clock)
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, APRIL)
        UserRepository(session).mark_followed("U" + "1" * 32, APRIL).news_opt_in = True
    # 1 May 10:00 Bangkok: the first post goes out.
    clock.at = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
    assert run_once(rt, "posts") == 1
    # The file changes: the join post moves to day 16; reloading twice keeps one of each.
    changed = EXAMPLE.replace("day = 15", "day = 16")
    for _ in range(2):
        with rt.session_factory.begin() as session:
            load_campaign(session, changed, clock.now())
    with rt.session_factory() as session:
        rows = scheduled(session)
    assert [(key, when, status) for key, _segment, when, status, _by in rows] == [
        ("royal-environmental-work", "2567-05-01 10:00", "queued"),
        ("how-to-join", "2567-05-16 10:00", "scheduled"),
        ("climate-targets", "2567-05-20 10:00", "scheduled"),
        ("how-to-report", "2567-06-01 10:00", "scheduled"),
        ("results-at-tcac", "2567-10-01 10:00", "scheduled"),
    ]
    # Staff cancel one by hand: a reload does not bring it back.
    with rt.session_factory.begin() as session:
        climate = session.scalars(
            select(ScheduledPost).where(ScheduledPost.post_key == "climate-targets")
        ).one()
        climate.status = "cancelled"
    renamed = changed.replace('name_th = "รายงานผลการดำเนินโครงการ"', 'name_th = "รายงานผล"')
    with rt.session_factory.begin() as session:
        assert load_campaign(session, renamed, clock.now()).changed
    with rt.session_factory() as session:
        climate = [status for key, _s, _w, status, _b in scheduled(session) if key == "climate-targets"]
    assert climate == ["cancelled"]
    # Another campaign becomes the active one: this one's posts that have not gone out are dropped.
    other = changed.replace('slug = "ruamjai-2567"', 'slug = "ruamjai-2567-b"')
    other = other[: other.index("# The content calendar")]
    with rt.session_factory.begin() as session:
        assert load_campaign(session, other, clock.now()).posts_waiting == 0
    with rt.session_factory() as session:
        assert [status for _k, _s, _w, status, _b in scheduled(session)] == ["queued", "cancelled"]


def test_a_broken_calendar_entry_is_reported_on_its_line_and_nothing_loads(db):
    lines = EXAMPLE.splitlines()
    broken = (
        EXAMPLE.replace('phase = "4.3"', 'phase = "9.9"')
        .replace("day = 20", "day = 200")
        .replace('time = "10:00"\npost = "how-to-join"', 'time = "25:00"\npost = "how-to-join"')
        .replace('post = "how-to-report"', 'post = "how-to-fly"')
        .replace(
            'post = "results-at-tcac"\nsegment = "news"', 'post = "results-at-tcac"\nsegment = "everyone"'
        )
        + '\n[[posts]]\nphase = "4.1"\nday = 1\ntime = "09:00"\npost = "how-to-join"\n'
        + 'segment = "galaxy"\ncolour = "red"\n'
    )
    with db.begin() as session:
        report = load_campaign(session, broken, APRIL)
        assert not report.ok and session.scalars(select(ScheduledPost)).all() == []
    text = broken.splitlines()
    found = {(text[p.line - 1].split("=")[0].strip(), p.message.split(":")[0]) for p in report.problems}
    assert found == {
        ("day", "posts"),
        ("time", "posts"),
        ("post", "posts"),
        ("phase", "posts"),
        ("segment", "posts"),
        ("colour", "posts"),
    }, [str(p) for p in report.problems]
    messages = " | ".join(p.message for p in report.problems)
    assert "day must be a whole number from 1 to 153 (phase 4.1)" in messages
    assert "time must be Bangkok time" in messages and "no post 'how-to-fly'" in messages
    assert "phase must be one of 4.1, 4.2, 4.3, 4.4" in messages
    assert "is news, which goes only to people who opted in" in messages
    assert "unknown segment 'galaxy'" in messages and "unknown field 'colour'" in messages
    assert len(lines) < len(text)


def test_the_clock_sends_a_calendar_post_to_its_segment_on_the_day(make_app, settings, fake_line):
    clock = SetClock(APRIL)
    rt = runtime(make_app(settings, clock=clock))
    readers = ["U" + "a" * 32, "U" + "b" * 32]
    with rt.session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, APRIL)
        people = UserRepository(session)
        for user in readers:
            people.mark_followed(user, APRIL).news_opt_in = True
        people.mark_followed("U" + "c" * 32, APRIL)  # did not opt in to news
    clock.at = datetime(2024, 5, 1, 2, 59, tzinfo=UTC)  # 09:59 Bangkok: not yet
    assert run_once(rt, "posts") == 0
    clock.at += timedelta(minutes=1)
    assert run_once(rt, "posts") == 1
    while run_once(rt, "outbox"):
        pass
    assert set(fake_line.delivery_counts("multicast")) == set(readers)
