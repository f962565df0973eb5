"""The ordered executor: exactly once, per-user order, parallel users, failures isolated."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import urllib3
from sqlalchemy import func, select

from bot.fakeline.events import new_user_id, text_event, webhook_body
from bot.runtime import runtime
from handlers.catalog import t
from storage.models import InboxEvent, OutboxMessage
from storage.repositories import UserRepository
from tests.helpers import FakeClock, post_body, post_events, wait_for, wait_until_drained

BASE_MS = int(time.time() * 1000)


def status_counts(app) -> dict[str, int]:
    with runtime(app).session_factory() as session:
        return dict(
            session.execute(select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all()
        )


def reply_tokens_in_send_order(fake_line) -> list[str]:
    return [r.json["replyToken"] for r in fake_line.calls("POST", "/v2/bot/message/reply") if r.status == 200]


@pytest.mark.slow
def test_1000_events_each_delivered_three_times_concurrently_are_processed_once(app, live_server, fake_line):
    users = [new_user_id() for _ in range(100)]
    counter = itertools.count()
    events_by_user = defaultdict(list)
    events = []
    for step in range(10):
        for user in users:
            token = fake_line.issue_reply_token(user)
            event = text_event(
                user, f"ข้อความที่ {step}", timestamp_ms=BASE_MS + next(counter), reply_token=token
            )
            events.append(event)
            events_by_user[user].append(token)
    bodies = [webhook_body(events[i : i + 5]) for i in range(0, len(events), 5)]
    deliveries = [b for b in bodies for _ in range(3)]
    random.Random(7).shuffle(deliveries)
    pool = urllib3.PoolManager(maxsize=16)
    with ThreadPoolExecutor(12) as executor:
        statuses = list(executor.map(lambda b: post_body(live_server, b, pool=pool), deliveries))
    assert set(statuses) == {200}
    wait_for(lambda: status_counts(app).get("done") == 1000, timeout=90)
    # An answer goes by reply token while the token is fresh, else by push (a loaded machine can
    # take longer than the token's life): either way, each event is answered exactly once.
    wait_for(lambda: sum(fake_line.delivery_counts().values()) >= 1000, timeout=180)
    # Nothing left queued: a second answer to any event would have reached the fake by now.
    wait_until_drained(app, timeout=60)
    assert status_counts(app) == {"done": 1000}
    sent = reply_tokens_in_send_order(fake_line)
    assert len(sent) == len(set(sent))  # no reply token used twice
    assert set(sent) <= {token for tokens in events_by_user.values() for token in tokens}
    assert fake_line.delivery_counts() == {user: 10 for user in users}
    with runtime(app).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1000


def test_two_events_of_one_user_in_concurrent_requests_are_processed_in_timestamp_order(
    make_app, settings, fake_line
):
    # The later event's request starts first; the settle window lets the earlier one land.
    app = make_app(settings.with_(event_settle_seconds=0.3))
    client_lock = threading.Lock()
    expected = {}
    for _ in range(20):
        user = new_user_id()
        first, second = fake_line.issue_reply_token(user), fake_line.issue_reply_token(user)
        early = text_event(user, "หนึ่ง", timestamp_ms=BASE_MS + 1, reply_token=first)
        late = text_event(user, "สอง", timestamp_ms=BASE_MS + 2, reply_token=second)
        expected[user] = [first, second]

        def send(event, pause):
            time.sleep(pause)
            with client_lock:
                client = app.test_client()
            assert post_events(client, [event]).status_code == 200

        threads = [
            threading.Thread(target=send, args=(late, 0.0)),
            threading.Thread(target=send, args=(early, 0.05)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    wait_for(lambda: len(reply_tokens_in_send_order(fake_line)) == 40)
    sent = reply_tokens_in_send_order(fake_line)
    for tokens in expected.values():
        assert [tok for tok in sent if tok in tokens] == tokens


def test_200_users_are_processed_in_parallel(make_app, settings, fake_line):
    # Each reply takes LINE 0.2 s; one at a time, 200 users would need 40 s.
    app = make_app(settings.with_(executor_workers=16))
    fake_line.inject_fault("timeout", path_prefix="/v2/bot/message/reply", delay=0.2)
    client = app.test_client()
    users = [new_user_id() for _ in range(200)]
    events = [
        text_event(u, "สวัสดี", timestamp_ms=BASE_MS, reply_token=fake_line.issue_reply_token(u)) for u in users
    ]
    for i in range(0, 200, 20):
        assert post_events(client, events[i : i + 20]).status_code == 200
    wait_for(lambda: len(reply_tokens_in_send_order(fake_line)) == 200, timeout=120)
    # Measured as overlap, not wall time (a loaded CI machine stretches time, not concurrency):
    # one at a time, LINE would never hold two of these slow replies at once.
    assert fake_line.peak_delayed >= 8, f"at most {fake_line.peak_delayed} replies in flight at once"
    assert status_counts(app) == {"done": 200}


def test_a_failing_event_gets_an_apology_with_an_error_id_and_does_not_block_later_events(
    app, client, fake_line, caplog
):
    rt = runtime(app)
    original = rt.executor.handle

    def explode_on_boom(event, ctx):
        if getattr(getattr(event, "message", None), "text", None) == "boom":
            raise RuntimeError("simulated bug")
        return original(event, ctx)

    rt.executor.handle = explode_on_boom
    user = new_user_id()
    boom = text_event(user, "boom", timestamp_ms=BASE_MS + 1, reply_token=fake_line.issue_reply_token(user))
    fine = text_event(user, "สวัสดี", timestamp_ms=BASE_MS + 2, reply_token=fake_line.issue_reply_token(user))
    post_events(client, [boom, fine])
    wait_for(lambda: status_counts(app) == {"failed": 1, "done": 1})
    texts = wait_for(
        lambda: (lambda x: x if len(x) == 2 else None)(
            [m["text"] for d in fake_line.delivered_to(user) for m in d.messages]
        )
    )
    with rt.session_factory() as session:
        error_id = session.scalar(select(InboxEvent.error_id).where(InboxEvent.status == "failed"))
    assert error_id and texts[0] == t("error.apology", "th", error_id=error_id)
    assert texts[1].startswith(t("help.capabilities", "th"))
    [_failure_record] = [r for r in caplog.records if getattr(r, "error_id", None) == error_id and r.exc_info]
    assert "boom" not in caplog.text.replace("explode_on_boom", "")


def test_processing_an_event_twice_does_not_double_anything(app, client, fake_line):
    user = new_user_id()
    post_events(
        client,
        [text_event(user, "สวัสดี", timestamp_ms=BASE_MS, reply_token=fake_line.issue_reply_token(user))],
    )
    wait_for(lambda: status_counts(app) == {"done": 1})
    rt = runtime(app)
    with rt.session_factory() as session:
        event_id = session.scalar(select(InboxEvent.id))
    assert rt.executor.process(event_id) == "skipped"
    assert rt.executor.sweep() == 0
    wait_until_drained(app)
    with rt.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert len(fake_line.delivered_to(user)) == 1


def test_late_reply_falls_back_to_push(app, client, fake_line):
    user = new_user_id()
    token = fake_line.issue_reply_token(user)
    fake_line.advance(61)  # the token has expired by the time we answer
    post_events(client, [text_event(user, "สวัสดี", timestamp_ms=BASE_MS, reply_token=token)])
    [delivery] = wait_for(lambda: fake_line.delivered_to(user))
    assert delivery.kind == "push" and delivery.retry_key


def test_a_burst_from_one_user_longer_than_a_read_batch_is_answered_in_order_once(
    make_app, settings, fake_line
):
    from bot.line.executor import PENDING_BATCH

    app = make_app(settings.with_(event_settle_seconds=0.5))  # all three deliveries land in time
    client = app.test_client()
    user = new_user_id()
    count = PENDING_BATCH * 2 + 5
    tokens = [fake_line.issue_reply_token(user) for _ in range(count)]
    events = [
        text_event(user, f"ข้อความ {i}", timestamp_ms=BASE_MS + i, reply_token=token)
        for i, token in enumerate(tokens)
    ]
    # Three deliveries, the later events first: the order comes from LINE's timestamps.
    for chunk in (events[30:], events[:10], events[10:30]):
        assert post_events(client, chunk).status_code == 200
    wait_for(lambda: len(reply_tokens_in_send_order(fake_line)) == count)
    assert reply_tokens_in_send_order(fake_line) == tokens
    assert status_counts(app) == {"done": count}


def _post_received_long_ago(client, clock, events) -> None:
    """Store events as if received 60 s ago (their reply tokens past the life we trust)."""
    clock.advance(seconds=-60)
    try:
        assert post_events(client, events).status_code == 200
    finally:
        clock.advance(seconds=60)


def test_an_answer_held_past_its_reply_tokens_life_goes_out_as_a_push(make_app, settings, fake_line):
    clock = FakeClock()
    app = make_app(settings.with_(event_settle_seconds=0.3), clock=clock)
    user = new_user_id()
    token = fake_line.issue_reply_token(user)  # LINE would still take it; we no longer trust it
    _post_received_long_ago(
        app.test_client(), clock, [text_event(user, "สวัสดี", timestamp_ms=BASE_MS, reply_token=token)]
    )
    [delivery] = wait_for(lambda: fake_line.delivered_to(user))
    assert delivery.kind == "push" and delivery.retry_key
    assert fake_line.calls("POST", "/v2/bot/message/reply") == []


def test_an_answer_that_must_be_pushed_is_not_pushed_to_a_user_who_blocked_the_account(
    make_app, settings, fake_line
):
    clock = FakeClock()
    app = make_app(settings.with_(event_settle_seconds=0.3), clock=clock)
    rt = runtime(app)
    user = new_user_id()
    with rt.session_factory.begin() as session:
        UserRepository(session).mark_blocked(user, clock.now())
    _post_received_long_ago(
        app.test_client(),
        clock,
        [text_event(user, "สวัสดี", timestamp_ms=BASE_MS, reply_token=fake_line.issue_reply_token(user))],
    )
    wait_for(lambda: status_counts(app) == {"done": 1})

    def outbox_status():
        with rt.session_factory() as session:
            return session.scalar(select(OutboxMessage.status))

    wait_for(lambda: outbox_status() == "skipped")
    assert fake_line.delivered_to(user) == []


class SteppedTime:
    """The gate's clock and its condition variable on fake time: ``wait(timeout)`` does not sleep, it
    moves the clock to the next scheduled action and runs it there (as another thread would), or
    by the whole timeout when none comes first."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.scheduled: list[tuple[float, Callable[[], object]]] = []
        self._lock = threading.RLock()  # an action runs inside wait(), on the waiting thread

    def monotonic(self) -> float:
        return self.now

    def at(self, delay: float, action: Callable[[], object]) -> None:
        self.scheduled.append((self.now + delay, action))
        self.scheduled.sort(key=lambda item: item[0])

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc) -> None:
        self._lock.__exit__(*exc)

    def wait(self, timeout: float) -> bool:
        if self.scheduled and self.scheduled[0][0] <= self.now + timeout:
            self.now, action = self.scheduled.pop(0)
            action()
            return True
        self.now += timeout
        return False

    def notify(self) -> None:
        pass  # wait() returns after each action anyway


@pytest.fixture
def stepped_gate(monkeypatch):
    from bot.line import ack_gate

    stepped = SteppedTime()
    monkeypatch.setattr(ack_gate, "time", SimpleNamespace(monotonic=stepped.monotonic))
    gate = ack_gate.AckGate()
    gate._acks_changed = stepped
    return gate, stepped


def test_events_give_way_to_webhook_acknowledgements_but_not_forever(stepped_gate):
    from bot.line.ack_gate import ACK_PRIORITY_MAX_WAIT, ACK_QUIET

    gate, clock = stepped_gate
    with gate.acknowledging():  # a webhook being answered in this process right now
        started = clock.now
        gate.wait_turn()
        assert clock.now - started == pytest.approx(ACK_PRIORITY_MAX_WAIT)  # then it goes anyway
    started = clock.now
    gate.wait_turn()  # an acknowledgement just ended: wait until it has been quiet a moment
    assert clock.now - started == pytest.approx(ACK_QUIET)
    clock.now += ACK_QUIET * 2
    started = clock.now
    gate.wait_turn()  # quiet: no wait at all
    assert clock.now == started


def test_a_waiting_event_goes_soon_after_the_last_acknowledgement_ends(stepped_gate):
    from bot.line.ack_gate import ACK_QUIET

    gate, clock = stepped_gate
    first, second = gate.acknowledging(), gate.acknowledging()
    first.__enter__()
    second.__enter__()
    clock.at(0.01, lambda: first.__exit__(None, None, None))
    clock.at(0.03, lambda: second.__exit__(None, None, None))  # the last one in flight
    started = clock.now
    gate.wait_turn()
    assert clock.now - started == pytest.approx(0.03 + ACK_QUIET)
