"""`ruamjai clock`: the one process that sends the outbox (and sweeps stuck events)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

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
        wait_for(lambda: set(fake_line.delivery_counts("push")) == set(users), timeout=30)
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
