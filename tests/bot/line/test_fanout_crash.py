"""Acceptance: a large news send survives LINE failing 30 % of calls and the clock being killed
with `kill -9` in the middle: every recipient gets the post exactly once, within LINE's limits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, insert

from bot.timeutil import SystemClock
from handlers.services.outreach import schedule_post
from storage.db import make_session_factory
from storage.models import LineUser
from storage.repositories import OutboxRepository
from tests.helpers import wait_for

RECIPIENTS = 20_000


def start_clock(env: dict[str, str], log_path) -> subprocess.Popen:
    log = open(log_path, "ab")
    try:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "clock"], env=env, stdout=log, stderr=log)
    finally:
        log.close()


@pytest.mark.slow
def test_a_fanout_killed_mid_send_delivers_exactly_once_after_restart(
    database_url, fake_line, web_env, tmp_path
):
    engine = create_engine(database_url)
    session_factory = make_session_factory(engine)
    now = SystemClock().now()
    users = [f"U{i:032x}" for i in range(RECIPIENTS)]
    with session_factory.begin() as session:
        session.execute(
            insert(LineUser),
            [
                {
                    "line_user_id": u,
                    "language": "th",
                    "blocked": False,
                    "news_opt_in": True,
                    "created_at": now,
                }
                for u in users
            ],
        )
        schedule_post(session, post_key="results-at-tcac", segment="news", at=now, created_by="test", now=now)
    # 30 % of calls fail: 429s, 500s (some after LINE took the message), and answers too late.
    fake_line.inject_fault("429", probability=0.10)
    fake_line.inject_fault("500", probability=0.0556, accept=True)
    fake_line.inject_fault("500", probability=0.0588)
    fake_line.inject_fault("timeout", probability=0.125, delay=0.5)
    env = {
        **os.environ,
        **web_env,
        "LINE_TIMEOUT_SECONDS": "0.3",
        "OUTBOX_MAX_ATTEMPTS": "30",
        # Waits double from 2 s: a row unlucky six times in a row would wait a minute or more,
        # longer than this test waits for the last "sent" (one run in ten at 30 % failures).
        "OUTBOX_BACKOFF_MAX_SECONDS": "4",
        "QUIET_HOURS": "00:00-00:00",  # whatever the hour in Bangkok, this test sends now
    }
    delivered = lambda: len(fake_line.delivery_counts("multicast"))  # noqa: E731
    first = start_clock(env, tmp_path / "clock.log")
    try:
        wait_for(lambda: delivered() > 0, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = delivered()
    assert at_kill < RECIPIENTS, "the send finished before the kill: nothing was interrupted"
    second = start_clock(env, tmp_path / "clock.log")
    try:
        # Rows the dead clock held wait out their lease (LINE timeout × 2 + 30 s), then go again.
        wait_for(lambda: delivered() == RECIPIENTS, timeout=180)
        with session_factory() as session:
            wait_for(lambda: set(OutboxRepository(session).counts()) == {"sent"}, timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        engine.dispose()
    counts = fake_line.delivery_counts("multicast")
    assert set(counts) == set(users) and set(counts.values()) == {1}
    failed = [c for c in fake_line.calls("POST", "/v2/bot/message/multicast") if c.status != 200]
    assert failed, "the fault injection did not bite"
    # (the fake_line fixture fails the test on any rate-limit violation or malformed request)
    assert "Traceback" not in (tmp_path / "clock.log").read_text()
