"""The outbox: exactly-once delivery through LINE's failures and within LINE's limits."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.line.gateway import LineGateway
from bot.line.outbox import Limits, OutboxSender
from bot.runtime import runtime
from storage.models import OutboxMessage
from storage.repositories import OutboxRepository

TEXT = [{"type": "text", "text": "ข่าวสารโครงการ"}]


def users(n: int, prefix: str = "a") -> list[str]:
    return [f"U{prefix}{i:031x}" for i in range(n)]


def drain(sender: OutboxSender, session_factory, timeout: float = 240) -> dict[str, int]:
    """Run the sender until nothing is pending or sending (what the clock process does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sender.send_due(limit=1000)
        with session_factory() as session:
            counts = OutboxRepository(session).counts()
        if not counts.get("pending") and not counts.get("sending"):
            return counts
        time.sleep(0.02)
    raise AssertionError(f"outbox not drained: {counts}")


def enqueue(rt, fn, **kwargs):
    with rt.session_factory.begin() as session:
        return getattr(OutboxRepository(session), fn)(now=rt.clock.now(), **kwargs)


@pytest.mark.slow
def test_5000_pushes_and_a_20000_user_multicast_arrive_exactly_once_through_30_percent_failures(
    make_app, settings, fake_line
):
    app = make_app(settings.with_(line_timeout_seconds=0.3, outbox_max_attempts=25, outbox_concurrency=8))
    rt = runtime(app)
    push_users = users(5000, "p")
    multicast_users = users(20000, "m")
    with rt.session_factory.begin() as session:
        repo = OutboxRepository(session)
        for user in push_users:
            repo.enqueue_push(to=user, messages=TEXT, dedupe_key=f"news:1:{user}", now=rt.clock.now())
        assert (
            repo.enqueue_multicast(
                to=multicast_users, messages=TEXT, dedupe_key="results:1", now=rt.clock.now()
            )
            == 40
        )
    # 30 % of calls fail: 10 % 429, 10 % 500 (half of them after LINE accepted), 10 % time out
    # after LINE accepted (the retry then gets 409).
    fake_line.inject_fault("429", probability=0.10)
    fake_line.inject_fault("500", probability=0.0556, accept=True)
    fake_line.inject_fault("500", probability=0.0588)
    fake_line.inject_fault("timeout", probability=0.125, delay=0.5)
    counts = drain(rt.outbox, rt.session_factory)
    assert counts == {"sent": 5040}
    pushes = fake_line.delivery_counts("push")
    assert len(pushes) == 5000 and set(pushes.values()) == {1}
    multicasts = fake_line.delivery_counts("multicast")
    assert len(multicasts) == 20000 and set(multicasts.values()) == {1}
    calls = fake_line.calls("POST", "/v2/bot/message/")
    failed = [c for c in calls if c.status in (429, 500)]
    assert len(failed) > 0.15 * len(calls), "the fault injection did not bite"
    assert (
        max(len(c.json["to"]) for c in fake_line.calls("POST", "/v2/bot/message/multicast") if c.json) <= 500
    )
    assert {c.status for c in calls} <= {200, 409, 429, 500}
    # every attempt of one row used the same retry key
    by_key = {}
    for call in fake_line.calls("POST", "/v2/bot/message/push"):
        if call.json is None:
            continue  # refused by an injected fault before the body was read
        by_key.setdefault(call.headers["x-line-retry-key"], set()).add(call.json["to"])
    assert all(len(recipients) == 1 for recipients in by_key.values())


def test_multicast_calls_stay_under_200_per_second(app, fake_line):
    rt = runtime(app)
    for batch in range(300):
        enqueue(rt, "enqueue_multicast", to=users(2, f"r{batch:02x}"), messages=TEXT, dedupe_key=f"m{batch}")
    started = time.monotonic()
    assert drain(rt.outbox, rt.session_factory) == {"sent": 300}
    assert time.monotonic() - started >= 1.1  # 300 calls, ≤ 200 in any 1.1 s: the last 100 wait
    # the fake answers 429 and records a limit violation for any call over 200/s (checked by the
    # fake_line fixture at teardown)
    assert all(c.status == 200 for c in fake_line.calls("POST", "/v2/bot/message/multicast"))


def test_broadcasts_beyond_the_hourly_limit_wait_for_the_next_window(app, settings, fake_line):
    rt = runtime(app)
    sender = OutboxSender(
        session_factory=rt.session_factory,
        gateway=rt.gateway,
        settings=settings,
        limits=Limits(broadcast_per_hour=3),
    )
    for n in range(5):
        enqueue(rt, "enqueue_broadcast", messages=TEXT, dedupe_key=f"b{n}")
    sender.send_due()
    sender.send_due()
    with rt.session_factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert sorted(r.status for r in rows) == ["pending", "pending", "sent", "sent", "sent"]
    waiting = [r for r in rows if r.status == "pending"]
    assert all(r.next_attempt_at > rt.clock.now() + timedelta(minutes=50) for r in waiting)
    assert len(fake_line.calls("POST", "/v2/bot/message/broadcast")) == 3
    sender.close()


def test_a_retry_of_an_accepted_request_gets_409_and_counts_as_sent(app, fake_line):
    rt = runtime(app)
    [user] = users(1)
    enqueue(rt, "enqueue_push", to=user, messages=TEXT, dedupe_key="once")
    with rt.session_factory() as session:
        row = session.scalars(select(OutboxMessage)).one()
    rt.gateway.push(user, TEXT, retry_key=row.retry_key)  # an earlier attempt LINE accepted
    assert rt.outbox.send_due() == 1
    assert [c.status for c in fake_line.calls("POST", "/v2/bot/message/push")] == [200, 409]
    assert fake_line.delivery_counts()[user] == 1
    with rt.session_factory() as session:
        assert OutboxRepository(session).counts() == {"sent": 1}


def test_a_row_goes_to_dead_letter_after_n_attempts_with_one_retry_key(make_app, settings, fake_line):
    app = make_app(settings.with_(outbox_max_attempts=3))
    rt = runtime(app)
    enqueue(rt, "enqueue_push", to=users(1)[0], messages=TEXT, dedupe_key="doomed")
    fake_line.inject_fault("500")
    assert drain(rt.outbox, rt.session_factory) == {"dead": 1}
    calls = fake_line.calls("POST", "/v2/bot/message/push")
    assert len(calls) == 3 and len({c.headers["x-line-retry-key"] for c in calls}) == 1
    with rt.session_factory() as session:
        row = session.scalars(select(OutboxMessage)).one()
    assert row.attempts == 3 and "500" in row.last_error


def test_a_client_error_is_never_retried(app, settings, fake_line):
    rt = runtime(app)
    wrong = LineGateway("not-the-token", base_url=fake_line.base_url, timeout=2)
    sender = OutboxSender(session_factory=rt.session_factory, gateway=wrong, settings=settings)
    enqueue(rt, "enqueue_push", to=users(1)[0], messages=TEXT, dedupe_key="unauthorised")
    assert drain(sender, rt.session_factory) == {"dead": 1}
    assert [c.status for c in fake_line.calls("POST", "/v2/bot/message/push")] == [401]
    assert [v.status for v in fake_line.violations] == [401]
    fake_line.reset()  # the one violation was this test's own doing
    sender.close()
    wrong.close()


def test_a_fanout_interrupted_by_a_crash_resumes_without_duplicates(app, fake_line):
    rt = runtime(app)
    audience = users(2000)
    assert enqueue(rt, "enqueue_multicast", to=audience, messages=TEXT, dedupe_key="fanout") == 4
    # A second enqueue of the same fan-out (a retried job) adds nothing.
    assert enqueue(rt, "enqueue_multicast", to=audience, messages=TEXT, dedupe_key="fanout") == 0
    with rt.session_factory() as session:
        ids = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
    assert rt.outbox.deliver(ids[0]) == "sent"
    # The process died after LINE accepted chunk 2 but before it wrote "sent".
    with rt.session_factory.begin() as session:
        row = session.get(OutboxMessage, ids[1])
        rt.gateway.multicast(audience[500:1000], TEXT, retry_key=row.retry_key)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[1])
            .values(status="sending", lease_until=rt.clock.now() - timedelta(seconds=1))
        )
    assert drain(rt.outbox, rt.session_factory) == {"sent": 4}
    counts = fake_line.delivery_counts("multicast")
    assert len(counts) == 2000 and set(counts.values()) == {1}


@pytest.mark.parametrize("people", [1200, 2600])  # the blocked check by ids, and by a scan
def test_blocked_users_are_left_out_of_a_multicast(app, fake_line, people):
    """1,200 (or 2,600) people in multicasts of 500: those who blocked the account are left out
    of each; one who blocked and followed again, and people the bot has no row for, still get it."""
    rt = runtime(app)
    from storage.repositories import UserRepository

    audience = users(people)
    blocked = audience[:3] + audience[499:502] + audience[1100::37]
    with rt.session_factory.begin() as session:
        known = UserRepository(session)
        for user in audience[:900]:
            known.mark_followed(user, rt.clock.now())
        for user in [*blocked, audience[600]]:
            known.mark_blocked(user, rt.clock.now())
        known.mark_followed(audience[600], rt.clock.now())
    enqueue(rt, "enqueue_multicast", to=audience, messages=TEXT, dedupe_key="mc")
    enqueue(rt, "enqueue_multicast", to=blocked[:5], messages=TEXT, dedupe_key="only-blocked")
    rows = -(-people // 500)
    assert drain(rt.outbox, rt.session_factory) == {"sent": rows, "skipped": 1}
    assert set(fake_line.delivery_counts("multicast")) == set(audience) - set(blocked)
    assert len(fake_line.calls("POST", "/v2/bot/message/multicast")) == rows


def test_a_reply_whose_answer_was_lost_is_not_sent_again_as_a_push(make_app, settings, fake_line):
    from bot.fakeline.events import new_user_id, text_event
    from tests.helpers import post_events, wait_for

    app = make_app(settings.with_(line_timeout_seconds=0.3))
    rt = runtime(app)
    user = new_user_id()
    # LINE takes the reply but answers too late: the bot cannot know it arrived.
    fake_line.inject_fault("timeout", path_prefix="/v2/bot/message/reply", delay=0.6, count=1)
    event = text_event(
        user, "สวัสดี", timestamp_ms=int(time.time() * 1000), reply_token=fake_line.issue_reply_token(user)
    )
    post_events(app.test_client(), [event])
    wait_for(lambda: outbox_counts(rt) == {"pending": 1}, timeout=15)  # the inline attempt timed out
    wait_for(lambda: fake_line.delivered_to(user))  # … and LINE did take the reply
    assert drain(rt.outbox, rt.session_factory) == {"sent": 1}
    assert [d.kind for d in fake_line.delivered_to(user)] == ["reply"]
    assert fake_line.calls("POST", "/v2/bot/message/push") == []


def test_a_refused_token_then_a_failed_push_is_retried_as_a_push(app, fake_line):
    from bot.fakeline.events import new_user_id, text_event
    from tests.helpers import post_events, wait_for

    rt = runtime(app)
    user = new_user_id()
    fake_line.inject_fault("500", path_prefix="/v2/bot/message/push", count=1)
    event = text_event(user, "สวัสดี", timestamp_ms=int(time.time() * 1000), reply_token="never-issued-token")
    post_events(app.test_client(), [event])
    wait_for(lambda: fake_line.calls("POST", "/v2/bot/message/push"))
    assert drain(rt.outbox, rt.session_factory) == {"sent": 1}
    assert [d.kind for d in fake_line.delivered_to(user)] == ["push"]
    assert len(fake_line.calls("POST", "/v2/bot/message/reply")) == 1  # the refused token was not tried again


def test_a_reply_sent_by_a_process_that_died_before_writing_it_down_is_not_sent_again(
    make_app, settings, fake_line
):
    """The executor marks a drain's replies sent when it releases the user's lease. A process
    killed in between leaves the row `sending`; once its lease runs out, the sender's retry must
    find that LINE has it already."""
    from bot.fakeline.events import new_user_id, text_event
    from storage.models import InboxEvent
    from tests.helpers import FakeClock, post_events

    clock = FakeClock()
    # An hour's settle delay keeps the executor's own threads idle: the test drives it.
    app = make_app(settings.with_(event_settle_seconds=3600, sweep_interval_seconds=3600), clock=clock)
    rt = runtime(app)
    user = new_user_id()
    event = text_event(
        user, "สวัสดี", timestamp_ms=int(time.time() * 1000), reply_token=fake_line.issue_reply_token(user)
    )
    post_events(app.test_client(), [event])
    with rt.session_factory() as session:
        event_id = session.scalar(select(InboxEvent.id))
    not_written_down: list[int] = []
    assert rt.executor.process(event_id, sent=not_written_down) == "done"
    assert len(not_written_down) == 1 and outbox_counts(rt) == {"sending": 1}
    # … and the process dies here, before its lease transaction.
    fake_line.bot_died_after_reply(event["replyToken"])
    clock.advance(seconds=settings.line_timeout_seconds * 2 + 31)  # the row's send lease has run out
    assert drain(rt.outbox, rt.session_factory) == {"sent": 1}
    assert [d.kind for d in fake_line.delivered_to(user)] == ["reply"]
    assert fake_line.calls("POST", "/v2/bot/message/push") == []


def outbox_counts(rt) -> dict[str, int]:
    with rt.session_factory() as session:
        return OutboxRepository(session).counts()


def test_a_rich_menu_link_without_synced_menus_is_skipped_not_retried(app, fake_line):
    rt = runtime(app)
    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        created = OutboxRepository(session).enqueue_richmenu_link(
            line_user_ids=[f"U{i:032x}" for i in range(1200)],
            menu="coordinator",
            dedupe_key="menu:t1",
            now=now,
        )
    assert created == 3  # 500 + 500 + 200 users: LINE's bulk-link limit per call
    rt.outbox.send_due()
    with rt.session_factory() as session:
        assert OutboxRepository(session).counts() == {"skipped": 3}
    # The linker looked for the coordinator menu (a read) and linked nobody.
    calls = fake_line.calls(path_prefix="/v2/bot/")
    alias = ("GET", "/v2/bot/richmenu/alias/ruamjai-coordinator")
    assert calls and {(c.method, c.path) for c in calls} == {alias}


def test_messages_to_one_person_arrive_in_the_order_they_were_written(app, fake_line):
    # The coordinator must never read "needs a fix" before "approved", even when the first send
    # is slow, and other people's messages still go out alongside.
    rt = runtime(app)
    person, other = users(2, "o")
    texts = [f"ข้อความที่ {i}" for i in range(1, 5)]
    for i, text in enumerate(texts):
        enqueue(
            rt, "enqueue_push", to=person, messages=[{"type": "text", "text": text}], dedupe_key=f"seq:{i}"
        )
    enqueue(rt, "enqueue_push", to=other, messages=TEXT, dedupe_key="other")
    fake_line.inject_fault("timeout", count=1, delay=0.3)  # the first call is slow and then accepted
    assert rt.outbox.send_due() == 5
    received = [m["text"] for d in fake_line.delivered_to(person) for m in d.messages]
    assert received == texts
    assert [m["text"] for d in fake_line.delivered_to(other) for m in d.messages] == [TEXT[0]["text"]]


def test_a_failed_message_holds_back_the_later_ones_to_the_same_person(make_app, settings, fake_line):
    app = make_app(settings.with_(outbox_max_attempts=5))
    rt = runtime(app)
    [person] = users(1, "h")
    for i in range(3):
        enqueue(
            rt, "enqueue_push", to=person, messages=[{"type": "text", "text": f"ที่ {i}"}], dedupe_key=f"h:{i}"
        )
    fake_line.inject_fault("500", count=1)
    rt.outbox.send_due()
    assert fake_line.delivered_to(person) == []  # the first failed: the other two waited
    assert drain(rt.outbox, rt.session_factory) == {"sent": 3}
    assert [m["text"] for d in fake_line.delivered_to(person) for m in d.messages] == ["ที่ 0", "ที่ 1", "ที่ 2"]


class _Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_200_call_fan_out_goes_at_once_and_delays_on_the_way_never_break_200_a_second(monkeypatch):
    """Limits keep LINE's 200/s, each call counted until 1.1 s after its answer: a
    100,000-recipient post (200 multicasts) is not held back, and however late calls reach
    LINE (here up to half a second, the slow ones first), no 201 land in one of LINE's seconds."""
    import heapq
    import random

    from bot.line.outbox import RateLimiter

    clock = _Monotonic()
    monkeypatch.setattr("bot.line.outbox.time.monotonic", clock)
    limits = Limits()
    limiter = RateLimiter(limits.multicast_per_window, limits.window_seconds)
    assert [limiter.reserve() for _ in range(200)] == [0.0] * 200
    assert limiter.reserve() == pytest.approx(1.1)  # all 200 still on their way
    clock.now += 0.05
    for _ in range(200):
        limiter.done()  # answered
    clock.now += 1.0
    assert limiter.reserve() == pytest.approx(0.1)  # a slot frees 1.1 s after the first answer
    clock.now += 0.1
    assert limiter.reserve() == 0.0

    # Sustained sending by 400 threads: each call goes as soon as the limiter allows, reaches LINE
    # 0–0.5 s later (the slowest first, then prompt ones: the worst case for LINE's window) and
    # is answered 0–0.05 s after that. LINE's count (the fake's: 200 in any second) is never over.
    rng = random.Random(7)
    limiter, clock.now, arrivals = RateLimiter(limits.multicast_per_window, limits.window_seconds), 0.0, []
    answers: list[float] = []  # when calls in flight are answered (a heap)
    while len(arrivals) < 2000:
        wait = limiter.reserve() if len(answers) < 400 else float("inf")
        if wait == 0:
            way = 0.5 if len(arrivals) % 400 < 200 else rng.uniform(0, 0.01)
            arrivals.append(clock.now + way)
            heapq.heappush(answers, clock.now + way + rng.uniform(0, 0.05))
            continue
        clock.now = min(clock.now + wait, answers[0] if answers else float("inf"))
        while answers and answers[0] <= clock.now:
            heapq.heappop(answers)
            limiter.done()
    arrivals.sort()
    start = 0
    for end, moment in enumerate(arrivals):
        while arrivals[start] <= moment - 1.0:
            start += 1
        assert end - start + 1 <= 200
    assert arrivals[-1] >= 9 * 1.1  # the tenth 200 went at least nine windows after the first
