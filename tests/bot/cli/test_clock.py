"""`ruamjai clock`: the one process that sends the outbox (and sweeps stuck events)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine

from bot.timeutil import SystemClock
from storage.db import make_session_factory
from storage.repositories import OutboxRepository
from tests.helpers import wait_for


def test_clock_process_sends_queued_pushes(database_url, fake_line, web_env, tmp_path):
    engine = create_engine(database_url)
    session_factory = make_session_factory(engine)
    users = [f"U{i:032x}" for i in range(3)]
    with session_factory.begin() as session:
        for user in users:
            OutboxRepository(session).enqueue_push(
                to=user,
                messages=[{"type": "text", "text": "เตือนกำหนดส่ง"}],
                dedupe_key=f"r:{user}",
                now=SystemClock().now(),
            )
    env = {**os.environ, **web_env}
    log = open(tmp_path / "clock.log", "wb")
    clock = subprocess.Popen([sys.executable, "-m", "bot.cli", "clock"], env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: set(fake_line.delivery_counts("push")) == set(users), timeout=90)
        with session_factory() as session:
            wait_for(lambda: OutboxRepository(session).counts() == {"sent": 3}, timeout=10)
    finally:
        clock.send_signal(signal.SIGTERM)
        clock.wait(timeout=20)
        log.close()
        engine.dispose()
    assert clock.returncode == 0  # SIGTERM stops it cleanly
    assert set(fake_line.delivery_counts("push").values()) == {1}
    assert "Traceback" not in (tmp_path / "clock.log").read_text()


class ClockProcess:
    """`ruamjai clock` in a child process, its log in a file the test reads."""

    def __init__(self, env: dict[str, str], log_path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "clock"],
            env={**os.environ, **env},
            stdout=self._log,
            stderr=self._log,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: its threads' stacks
            time.sleep(1)
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the clock did not stop on signal {sig}; its log:\n{self.log()}") from None
        finally:
            self._log.close()
        return code


def enqueue_pushes(session_factory, users: list[str], tag: str) -> None:
    with session_factory.begin() as session:
        for user in users:
            OutboxRepository(session).enqueue_push(
                to=user,
                messages=[{"type": "text", "text": "ข่าวสาร"}],
                dedupe_key=f"{tag}:{user}",
                now=SystemClock().now(),
            )


def test_a_second_clock_waits_until_the_first_stops_and_then_takes_over(
    database_url, fake_line, web_env, tmp_path
):
    engine = create_engine(database_url)
    session_factory = make_session_factory(engine)
    first = ClockProcess(web_env, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: "clock started" in first.log(), timeout=90)
        second = ClockProcess(web_env, tmp_path / "second.log")
        wait_for(lambda: "another clock is running; this one waits" in second.log(), timeout=90)
        early = [f"U{i:032x}" for i in range(20)]
        enqueue_pushes(session_factory, early, "early")
        wait_for(lambda: set(fake_line.delivery_counts("push")) == set(early), timeout=90)
        assert "clock started" not in second.log()  # it waited: only one clock works
        assert first.stop() == 0
        wait_for(lambda: "clock started" in second.log(), timeout=90)
        assert "clock lock acquired after waiting" in second.log()
        late = [f"U{i + 100:032x}" for i in range(5)]
        enqueue_pushes(session_factory, late, "late")
        wait_for(lambda: set(late) <= set(fake_line.delivery_counts("push")), timeout=90)
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0
        engine.dispose()
    assert set(fake_line.delivery_counts("push").values()) == {1}
    assert "Traceback" not in first.log() + (second.log() if second else "")


def test_a_killed_clock_leaves_the_lock_to_the_waiting_one(database_url, fake_line, web_env, tmp_path):
    first = ClockProcess(web_env, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: "clock started" in first.log(), timeout=90)
        second = ClockProcess(web_env, tmp_path / "second.log")
        wait_for(lambda: "this one waits" in second.log(), timeout=90)
        first.stop(signal.SIGKILL)  # no clean-up: the server (or kernel) must drop the lock
        wait_for(lambda: "clock started" in second.log(), timeout=90)
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_run_once_runs_one_job_by_hand(database_url, fake_line, web_env):
    engine = create_engine(database_url)
    users = [f"U{i:032x}" for i in range(3)]
    enqueue_pushes(make_session_factory(engine), users, "once")
    engine.dispose()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "clock", "run-once", "outbox"],
        env={**os.environ, **web_env},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert "outbox: 3" in result.stdout
    assert set(fake_line.delivery_counts("push")) == set(users)
    unknown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "clock", "run-once", "nonsense"],
        env={**os.environ, **web_env},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
