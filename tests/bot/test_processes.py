"""Real processes: gunicorn killed with -9 loses nothing; two web processes share one database."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import urllib3
from sqlalchemy import create_engine, func, select

from bot.fakeline.events import text_event, webhook_body
from storage.models import InboxEvent, OutboxMessage
from tests.helpers import WebProcess, post_body, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def db(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def statuses(db) -> dict[str, int]:
    with db.connect() as conn:
        return dict(conn.execute(select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all())


def make_events(fake_line, users: int, per_user: int):
    base = int(time.time() * 1000)
    by_user = defaultdict(list)
    for step in range(per_user):
        for index in range(users):
            user = f"U{index:032x}"
            token = fake_line.issue_reply_token(user)
            by_user[user].append(
                text_event(user, f"รายงาน {step}", timestamp_ms=base + step * 10, reply_token=token)
            )
    return by_user


def replies_by_token(fake_line) -> list[str]:
    return [r.json["replyToken"] for r in fake_line.calls("POST", "/v2/bot/message/reply") if r.status == 200]


def test_kill_9_while_events_wait_loses_none_and_runs_none_twice(web_env, fake_line, db, tmp_path):
    by_user = make_events(fake_line, users=30, per_user=10)
    events = [e for step in zip(*by_user.values(), strict=True) for e in step]
    web = WebProcess(web_env, workers=2, log_path=tmp_path / "web1.log")
    pool = urllib3.PoolManager(maxsize=8)
    try:
        for i in range(0, len(events), 10):
            assert post_body(web.url, webhook_body(events[i : i + 10]), pool=pool) == 200
    finally:
        web.kill()  # straight after LINE got its 200s: events are still settling in the inbox
    left = statuses(db).get("pending", 0)
    assert left > 0, "the test must kill the process with work outstanding"
    restarted = WebProcess(web_env, workers=1, log_path=tmp_path / "web2.log")
    try:
        wait_for(lambda: statuses(db) == {"done": 300}, timeout=60)
    finally:
        restarted.stop()
    with db.connect() as conn:
        assert conn.execute(select(func.max(InboxEvent.attempts))).scalar() == 1
        assert conn.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 300
        keys = conn.execute(select(OutboxMessage.dedupe_key)).scalars().all()
    assert len(set(keys)) == 300
    sent = replies_by_token(fake_line)
    assert len(sent) == len(set(sent)), "an event was answered twice"


def test_two_web_processes_on_one_database_process_each_event_once_in_order(web_env, fake_line, db, tmp_path):
    by_user = make_events(fake_line, users=40, per_user=5)
    # A lease long enough to outlast one event and its reply (LINE's 5 s timeout): one that runs
    # out while a reply is on its way lets the other process answer the user's next message first.
    web_env = {**web_env, "SOURCE_LEASE_SECONDS": "15"}
    web_a = WebProcess(web_env, workers=2, log_path=tmp_path / "a.log")
    web_b = WebProcess(web_env, workers=2, log_path=tmp_path / "b.log")
    pool = urllib3.PoolManager(maxsize=32)
    rng = random.Random(3)
    try:

        def deliver_user(events):
            # LINE sends one user's events one after another; each is delivered twice, to both
            # processes at once (a duplicate), in random order.
            for event in events:
                body = webhook_body([event])
                targets = [web_a.url, web_b.url]
                rng.shuffle(targets)
                threads = [
                    threading.Thread(target=post_body, args=(u, body), kwargs={"pool": pool}) for u in targets
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                time.sleep(0.02)

        with ThreadPoolExecutor(8) as executor:
            list(executor.map(deliver_user, by_user.values()))
        wait_for(lambda: statuses(db) == {"done": 200}, timeout=60)
        wait_for(lambda: len(replies_by_token(fake_line)) >= 200, timeout=30)
    finally:
        web_a.stop()
        web_b.stop()
    sent = replies_by_token(fake_line)
    assert len(sent) == 200 and len(set(sent)) == 200
    position = {token: i for i, token in enumerate(sent)}
    for user, events in by_user.items():
        tokens = [e["replyToken"] for e in events]
        assert sorted(tokens, key=position.__getitem__) == tokens, f"{user}'s events out of order"
    with db.connect() as conn:
        assert conn.execute(select(func.max(InboxEvent.attempts))).scalar() == 1
    # Both processes received their share of the deliveries (which one processes a user's events
    # is decided by the lease, so either may do all of it).
    for name in ("a.log", "b.log"):
        log = (tmp_path / name).read_text()
        assert log.count('"msg": "webhook"') >= 200, name
        assert "Traceback" not in log, name


def worker_cores(web) -> dict[int, set[int]]:
    """Each live gunicorn worker of `web` and the cores it may run on, read from /proc."""
    children = []
    for task in os.listdir(f"/proc/{web.process.pid}/task"):
        with open(f"/proc/{web.process.pid}/task/{task}/children") as f:
            children += [int(pid) for pid in f.read().split()]
    cores = {}
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            cores[pid] = os.sched_getaffinity(pid)
    return cores


linux_only = pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="core affinity is Linux's")


@linux_only
def test_each_web_worker_gets_its_own_core_and_a_restarted_worker_takes_the_free_one(web_env, tmp_path):
    available = os.sched_getaffinity(0)
    web = WebProcess(web_env, workers=len(available), log_path=tmp_path / "web.log")
    try:
        if len(available) == 1:
            wait_for(lambda: len(worker_cores(web)) == 1, timeout=10)
            assert list(worker_cores(web).values()) == [available]  # nothing to choose: the kernel's
            return

        def one_core_each() -> bool:
            # A worker shows up in /proc a moment before it has pinned itself.
            cores = list(worker_cores(web).values())
            return len(cores) == len(available) and all(len(c) == 1 for c in cores)

        wait_for(one_core_each, timeout=10)
        cores = list(worker_cores(web).values())
        assert set().union(*cores) == available, f"workers share a core while another is free: {cores}"
        # The arbiter replaces a killed worker; the new one takes the core the dead one left.
        victim = next(iter(worker_cores(web)))
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: victim not in worker_cores(web) and one_core_each(), timeout=20)
        assert set().union(*worker_cores(web).values()) == available
    finally:
        web.stop()


@linux_only
def test_web_workers_are_left_to_the_kernel_when_pinning_is_off(web_env, tmp_path):
    web = WebProcess({**web_env, "WEB_PIN_WORKERS": "0"}, workers=2, log_path=tmp_path / "web.log")
    try:
        wait_for(lambda: len(worker_cores(web)) == 2, timeout=10)
        assert list(worker_cores(web).values()) == [os.sched_getaffinity(0)] * 2
    finally:
        web.stop()
