"""The outbox for outreach: quiet hours, dead letters and replay, the monthly quota, retention."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.clock import run_once
from bot.fakeline.schema import messaging_schema
from bot.line.outreach_delivery import QuotaExceeded, dead_letters, ensure_quota, replay_dead
from bot.runtime import runtime
from storage.models import InboxEvent, OutboxMessage
from storage.repositories import OutboxRepository
from tests.helpers import FakeClock, wait_for

TEXT = [{"type": "text", "text": "ข่าวสารโครงการ"}]


def at_bangkok(clock: FakeClock, hour: int, minute: int = 0) -> None:
    """Move the fake clock to today's HH:MM in Bangkok (UTC+7)."""
    now = clock.now()
    target = datetime(now.year, now.month, now.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)
    clock.offset += target - now


def outbox_rows(rt) -> list[OutboxMessage]:
    with rt.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_news_waits_out_quiet_hours_while_urgent_messages_go_at_once(make_app, settings, fake_line):
    clock = FakeClock()
    at_bangkok(clock, 22, 15)
    rt = runtime(make_app(settings, clock=clock))
    with rt.session_factory.begin() as session:
        repo = OutboxRepository(session)
        repo.enqueue_multicast(
            to=["Unews1", "Unews2"], messages=TEXT, dedupe_key="news", now=clock.now(), urgent=False
        )
        repo.enqueue_push(to="Uurgent", messages=TEXT, dedupe_key="urgent", now=clock.now())
    rt.outbox.send_due()
    assert set(fake_line.delivery_counts()) == {"Uurgent"}
    news = next(row for row in outbox_rows(rt) if row.kind == "multicast")
    assert news.status == "pending" and news.attempts == 0
    # held back until 08:00 Bangkok = 01:00 UTC the next day
    assert news.next_attempt_at.astimezone(UTC).hour == 1 and news.next_attempt_at > clock.now()
    clock.offset += news.next_attempt_at - clock.now() + timedelta(seconds=1)
    rt.outbox.send_due()
    assert fake_line.delivery_counts("multicast") == {"Unews1": 1, "Unews2": 1}


def test_quiet_hours_are_configurable(make_app, settings, fake_line):
    clock = FakeClock()
    at_bangkok(clock, 22, 15)
    rt = runtime(make_app(settings.with_(quiet_hours="23:00-06:00"), clock=clock))
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(
            to="Unews", messages=TEXT, dedupe_key="n", now=clock.now(), urgent=False
        )
    rt.outbox.send_due()
    assert fake_line.delivery_counts() == {"Unews": 1}


def test_a_dead_row_is_listed_and_replayed_with_its_retry_key(make_app, settings, fake_line):
    rt = runtime(make_app(settings.with_(outbox_max_attempts=2)))
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(to="Udead", messages=TEXT, dedupe_key="d", now=rt.clock.now())
    fake_line.inject_fault("500", count=2)
    # The second attempt waits out its backoff: keep sending until the row is given up.
    wait_for(lambda: rt.outbox.send_due() >= 0 and dead_letters(rt.session_factory))
    [dead] = dead_letters(rt.session_factory)
    assert dead.kind == "push" and dead.attempts == 2 and "500" in dead.last_error
    assert fake_line.delivery_counts() == {}
    assert replay_dead(rt.session_factory, [dead.id], rt.clock.now()) == 1
    assert replay_dead(rt.session_factory, [dead.id], rt.clock.now()) == 0  # not dead any more
    rt.outbox.send_due()
    assert fake_line.delivery_counts() == {"Udead": 1}
    keys = {call.headers["x-line-retry-key"] for call in fake_line.calls("POST", "/v2/bot/message/push")}
    assert len(keys) == 1
    assert dead_letters(rt.session_factory) == []


def test_a_replayed_row_that_line_had_taken_is_not_sent_twice(make_app, settings, fake_line):
    rt = runtime(make_app(settings.with_(outbox_max_attempts=1, line_timeout_seconds=0.3)))
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(to="Uonce", messages=TEXT, dedupe_key="t", now=rt.clock.now())
    # LINE takes the push but answers too late: the row dies without knowing it arrived.
    fake_line.inject_fault("timeout", delay=0.6, count=1)
    rt.outbox.send_due()
    assert [row.status for row in outbox_rows(rt)] == ["dead"]
    replay_dead(rt.session_factory, None, rt.clock.now())
    rt.outbox.send_due()
    assert [row.status for row in outbox_rows(rt)] == ["sent"]
    # the late first attempt finally lands, and LINE knows its retry key: 409, no second copy
    wait_for(lambda: len(fake_line.calls("POST", "/v2/bot/message/push")) == 2)
    assert sorted(c.status for c in fake_line.calls("POST", "/v2/bot/message/push")) == [200, 409]
    assert fake_line.delivery_counts() == {"Uonce": 1}


def test_the_quota_is_read_from_line_and_a_send_beyond_it_is_refused(app, fake_line):
    rt = runtime(app)
    assert rt.gateway.quota().limit is None  # LINE's "none": no limit set
    fake_line.set_quota(1000, used=900)
    ensure_quota(rt.gateway, 100)
    with pytest.raises(QuotaExceeded) as refused:
        ensure_quota(rt.gateway, 101)
    assert "needs 101 messages but only 100 of this month's 1,000 remain" in str(refused.value)
    assert {call.status for call in fake_line.calls("GET", "/v2/bot/message/quota")} == {200}
    assert fake_line.delivery_counts() == {}  # reading the quota sends nothing


def test_the_fake_quota_answers_match_lines_schema(app, fake_line):
    import json
    import urllib.request

    fake_line.set_quota(5000, used=12)
    for path, schema in (
        ("/v2/bot/message/quota", "MessageQuotaResponse"),
        ("/v2/bot/message/quota/consumption", "QuotaConsumptionResponse"),
    ):
        request = urllib.request.Request(
            fake_line.base_url + path, headers={"Authorization": "Bearer test-access-token"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.loads(response.read())
        assert list(messaging_schema(schema).iter_errors(body)) == []
    assert body == {"totalUsage": 12}


def test_the_purge_deletes_old_finished_rows_and_never_pending_ones(make_app, settings, fake_line):
    rt = runtime(make_app(settings.with_(retention_days=30)))
    now = rt.clock.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    with rt.session_factory.begin() as session:
        for n, (status, when) in enumerate(
            [
                ("done", old),
                ("ignored", old),
                ("rejected", old),
                ("pending", old),
                ("failed", old),
                ("done", recent),
            ]
        ):
            session.add(
                InboxEvent(
                    webhook_event_id=f"e{n}",
                    source_key="U1",
                    event_type="message",
                    timestamp_ms=0,
                    payload="{}",
                    status=status,
                    attempts=0,
                    received_at=when,
                )
            )
        repo = OutboxRepository(session)
        for n in range(6):
            repo.enqueue_push(to="U1", messages=TEXT, dedupe_key=f"o{n}", now=recent if n == 5 else old)
        session.flush()
        for n, status in enumerate(["sent", "skipped", "dead", "pending", "sending", "sent"]):
            session.execute(
                OutboxMessage.__table__.update()
                .where(OutboxMessage.dedupe_key == f"o{n}")
                .values(status=status, lease_until=now + timedelta(hours=1) if status == "sending" else None)
            )
    assert run_once(rt, "purge") == {"inbox_events": 3, "outbox_messages": 3}
    with rt.session_factory() as session:
        assert sorted(e.status for e in session.scalars(select(InboxEvent))) == ["done", "failed", "pending"]
    assert sorted(row.status for row in outbox_rows(rt)) == ["pending", "sending", "sent"]


def test_outbox_cli_lists_and_replays_dead_letters(
    make_app, settings, fake_line, web_env, monkeypatch, capsys
):
    rt = runtime(make_app(settings.with_(outbox_max_attempts=1)))
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(to="Ucli", messages=TEXT, dedupe_key="c", now=rt.clock.now())
    fake_line.inject_fault("500", count=1)
    rt.outbox.send_due()
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)

    def cli(*args: str) -> subprocess.CompletedProcess:
        code = main(list(args))  # `ruamjai …` in this process
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    listed = cli("outbox", "dead")
    [row_id] = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert "push" in listed.stdout and "recipients=1" in listed.stdout and "500" in listed.stdout
    assert "Ucli" not in listed.stdout  # no LINE user ids in the listing
    assert cli("outbox", "replay").returncode == 2
    replayed = cli("outbox", "replay", row_id)
    assert replayed.returncode == 0 and "1 row(s) queued again" in replayed.stdout
    rt.outbox.send_due()
    assert fake_line.delivery_counts() == {"Ucli": 1}
    assert "no dead-letter rows" in cli("outbox", "dead").stdout
