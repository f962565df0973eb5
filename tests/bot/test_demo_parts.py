"""The demo's parts: clock jobs as threads that time travel wakes, example data loaded once."""

from __future__ import annotations

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
    from bot.clock import JOBS

    jobs = {name: interval for name, _job, interval in clock_jobs(runtime(app))}
    assert set(jobs) == set(JOBS)  # the same registry as `ruamjai clock`
    assert jobs["outbox"] == 1.0 and jobs["purge"] == 24 * 3600


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
