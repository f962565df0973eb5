"""The demo's parts: clock jobs as threads that time travel wakes, example data loaded once."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from bot.demo import ClockThreads, SavedClock, clock_jobs, seed
from bot.runtime import runtime
from bot.timeutil import ShiftableClock
from tests.helpers import wait_for


def test_clock_jobs_run_on_their_interval_and_at_once_after_time_travel():
    runs: list[str] = []
    ran = threading.Event()

    def job():
        runs.append("run")
        ran.set()

    clock = ShiftableClock()
    threads = ClockThreads([("reminders", job, 3600.0)]).start()
    clock.on_advance(lambda _seconds: threads.wake())
    try:
        wait_for(lambda: runs == ["run"])  # once at start
        clock.advance(24 * 3600)
        wait_for(lambda: runs == ["run", "run"], timeout=5)  # not an hour later
    finally:
        threads.stop()
    assert not any(t.is_alive() for t in threads._threads)


def test_a_failing_clock_job_keeps_running():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database blip")

    threads = ClockThreads([("flaky", flaky, 0.05)]).start()
    try:
        wait_for(lambda: len(calls) >= 3)
    finally:
        threads.stop()


def test_the_demo_runs_the_clock_process_jobs(app):
    from bot.cli.clock import JOBS

    jobs = {name: interval for name, _job, interval in clock_jobs(runtime(app))}
    assert set(jobs) == set(JOBS)  # the same registry as `ruamjai clock`
    assert jobs["outbox"] == 1.0 and jobs["purge"] == 24 * 3600 and jobs["reminders"] == 3600


def test_example_data_is_loaded_once_per_database(app, tmp_path):
    rt = runtime(app)
    loaded = []
    steps = [("campaign", lambda session, now: loaded.append(("campaign", now)))]
    marker = tmp_path / "demo-seed.json"
    assert seed(rt, marker, fresh_database=False, steps=steps) == ["campaign"]
    assert seed(rt, marker, fresh_database=False, steps=steps) == []  # started again: kept
    assert len(loaded) == 1
    # A new step (a loader that landed since) runs once on the existing data.
    steps.append(("agencies", lambda session, now: loaded.append(("agencies", now))))
    assert seed(rt, marker, fresh_database=False, steps=steps) == ["agencies"]
    # A new database file gets everything again.
    assert seed(rt, marker, fresh_database=True, steps=steps) == ["campaign", "agencies"]


def test_the_demo_clock_keeps_its_lead_across_restarts(tmp_path):
    path = tmp_path / "demo-clock.json"
    first = SavedClock(path).load()
    first.advance(3 * 3600)
    second = SavedClock(path).load()
    assert second.offset == timedelta(hours=3)
    second.advance(60)
    assert SavedClock(path).load().offset == timedelta(hours=3, minutes=1)


def test_the_demo_seeds_example_agencies_coordinators_and_reports_once(app, tmp_path, caplog):
    from collections import Counter

    from sqlalchemy import select

    from bot.demo import seed_steps
    from bot.demo_data import EXAMPLE_AGENCIES, coordinator_id, load_example_agencies
    from handlers.catalog import t
    from handlers.services.agencies import list_agencies
    from storage.models.reports import Report

    rt = runtime(app)
    world = app.extensions["simulator"]
    marker = tmp_path / "demo-seed.json"
    with caplog.at_level(logging.INFO):
        assert seed(rt, marker, fresh_database=False, steps=seed_steps(world)) == [
            "example campaign",
            "example staff",
            "example agencies",
        ]
    # The staff member exists before the registrations that notify staff.
    assert not [r for r in caplog.records if r.getMessage() == "staff notice with no staff registered"]

    def state():
        with rt.session_factory() as session:
            agencies = Counter(a.status for a in list_agencies(session))
            reports = Counter(r.status for r in session.scalars(select(Report)))
        return agencies, reports

    first = state()
    assert first == (
        Counter(approved=3, pending=1),
        Counter(submitted=2, approved=1, needs_fix=1, rejected=1),
    )
    # The coordinators are simulated users who have the account as a friend: pick one and carry on.
    names = {user.display_name: user for user in world.users()}
    for example in EXAMPLE_AGENCIES:
        assert names[example.display_name].user_id == coordinator_id(example)
        assert names[example.display_name].followed
    picker = app.test_client().get("/simulator/api/users").get_json()
    assert {example.display_name for example in EXAMPLE_AGENCIES} <= {
        u["display_name"] for u in picker["users"]
    }
    # What staff decided reached them as pushes, in their chat.
    rt.outbox.send_due()
    approved_coordinator = coordinator_id(EXAMPLE_AGENCIES[0])
    texts = [
        e["message"].get("text", "") for e in world.transcript(approved_coordinator) if e["from"] == "bot"
    ]
    approval = t("agency.outcome.approved", "th", agency="เทศบาลตำบลแม่ริม").splitlines()[0]
    assert any(approval in text for text in texts)

    # Started again: nothing runs; and the step itself, run again (a crash before it was noted), adds nothing.
    assert seed(rt, marker, fresh_database=False, steps=seed_steps(world)) == []
    with rt.session_factory.begin() as session:
        load_example_agencies(session, rt.clock.now(), world)
    assert state() == first
    assert len(world.users()) == len(EXAMPLE_AGENCIES) + 1  # and the example staff member


def test_the_demo_sets_the_example_round_around_today_so_time_travel_reaches_its_reminders(
    make_app, settings, tmp_path, fake_line
):
    import json
    from datetime import UTC, date, datetime, time

    from sqlalchemy import select

    from bot.cli.clock import run_once
    from bot.demo import seed_steps
    from bot.demo_data import EXAMPLE_AGENCIES, coordinator_id
    from handlers.services.campaigns import active_campaign
    from handlers.services.reports import FLAG_OUTSIDE_CAMPAIGN
    from handlers.services.thaitime import BANGKOK
    from storage.models.reports import Report
    from tests.handlers.reminder_helpers import SetClock

    today = date(2026, 12, 5)
    clock = SetClock(datetime.combine(today, time(4, 0), BANGKOK).astimezone(UTC))
    app = make_app(settings, clock=clock)
    rt, world = runtime(app), app.extensions["simulator"]
    seed(rt, tmp_path / "demo-seed.json", fresh_database=False, steps=seed_steps(world))
    with rt.session_factory() as session:
        campaign = active_campaign(session, clock.now())
        due = {d.kind: d.due_at.astimezone(BANGKOK).date() for d in campaign.deadlines}
        flags = [json.loads(r.flags) for r in session.scalars(select(Report))]
    assert (due["report"] - today).days == 10 and due["evidence"] > due["report"] > due["registration"]
    assert len(flags) == 5 and not any(FLAG_OUTSIDE_CAMPAIGN in f for f in flags)  # inside the round
    rt.outbox.send_due()

    somsri, wichai = (coordinator_id(example) for example in EXAMPLE_AGENCIES[:2])

    def bot_texts(user: str) -> list[str]:
        return [e["message"].get("text", "") for e in world.transcript(user) if e["from"] == "bot"]

    before = {user: len(bot_texts(user)) for user in (somsri, wichai)}
    clock.bangkok(date(2026, 12, 8), 9)  # time travel: three days on, 09:00
    run_once(rt, "reminders")
    rt.outbox.send_due()
    [reminder] = bot_texts(somsri)[before[somsri] :]  # her electricity report was sent back
    assert "อีก 7 วัน" in reminder and "15 ธ.ค. 2569" in reminder
    assert bot_texts(wichai)[before[wichai] :] == []  # his composting report is in


def test_the_demos_links_point_at_the_demo_itself(settings):
    from dataclasses import replace

    from bot.demo import with_local_links

    demo = replace(settings, demo=True, public_base_url=None)
    assert with_local_links(demo, "127.0.0.1", 8000).links_base_url == "http://127.0.0.1:8000"
    chosen = replace(demo, public_base_url="https://ruamjai.example.go.th")
    assert with_local_links(chosen, "127.0.0.1", 8000).links_base_url == "https://ruamjai.example.go.th"
