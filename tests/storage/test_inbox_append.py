"""The webhook's group-committed inbox insert, the SQLite writer lock across processes, and the
idle-connection ping: on the real database of the run (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

import storage.db
from storage.db import make_engine, make_session_factory
from storage.inbox_append import MAX_ROWS_PER_STATEMENT, InboxAppender
from storage.models import InboxEvent

RECEIVED = datetime(2026, 11, 27, 3, 4, 5, 678901, tzinfo=UTC)


def row(event_id: str | None = None, user: str = "U1", **changes) -> dict:
    event = {"type": "message", "message": {"type": "text", "text": "ปลูกต้นไม้ ๑๒๐ ต้น"}}
    data = {
        "webhook_event_id": event_id or uuid.uuid4().hex,
        "source_key": user,
        "event_type": "message",
        "mode": "active",
        "timestamp_ms": 1_790_000_000_000,
        "reply_token": "token-" + uuid.uuid4().hex,
        "payload": json.dumps(event, ensure_ascii=False),
        "status": "pending",
        "attempts": 0,
        "error_id": None,
        "reject_reason": None,
        "received_at": RECEIVED,
        "processed_at": None,
    }
    data.update(changes)
    return data


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url, pool_size=4)
    yield engine
    engine.dispose()


@pytest.fixture
def appender(engine):
    appender = InboxAppender(engine)
    yield appender
    appender.dispose()


def stored(engine) -> list[InboxEvent]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


def test_rows_are_stored_exactly_as_the_orm_stores_them(engine, appender):
    first = row(user="Ua")
    new = appender.add([first])
    [event] = stored(engine)
    assert new == [(event.id, "Ua", "pending")]
    assert event.received_at == RECEIVED  # aware UTC back, microseconds kept
    assert json.loads(event.payload)["message"]["text"] == "ปลูกต้นไม้ ๑๒๐ ต้น"
    assert event.reply_token == first["reply_token"]
    assert event.processed_at is None and event.attempts == 0


def test_a_redelivery_is_not_new_and_changes_nothing(engine, appender):
    original = row("evt-1", reply_token="first")
    assert len(appender.add([original])) == 1
    assert appender.add([row("evt-1", reply_token="second")]) == []
    [event] = stored(engine)
    assert event.reply_token == "first"


def test_one_body_with_several_events_and_an_old_one(engine, appender):
    appender.add([row("old")])
    new = appender.add([row("a", user="U1"), row("old"), row("b", user="U2"), row("a", user="U1")])
    assert [source for _, source, _ in new] == ["U1", "U2"]
    assert len(stored(engine)) == 3


def test_concurrent_callers_each_get_their_own_rows_and_duplicates_are_new_once(engine, appender):
    callers = 24
    results: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(callers)

    def deliver(i: int) -> None:
        # Pairs of callers deliver the same event (LINE's redelivery racing the original).
        rows = [row(f"shared-{i // 2}", user=f"U{i // 2}"), row(f"own-{i}", user=f"V{i}")]
        start.wait()
        try:
            for _ in range(5):
                results.setdefault(i, []).extend(appender.add(rows))
                rows = [row(user=f"V{i}")]
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    events = stored(engine)
    by_id = {e.id: e for e in events}
    assert len(events) == callers // 2 + callers + callers * 4
    returned = [new for rows in results.values() for new in rows]
    assert len(returned) == len(events)  # every stored row was reported new to exactly one caller
    assert {new[0] for new in returned} == set(by_id)
    for i, rows in results.items():
        for event_id, source, status in rows:
            assert by_id[event_id].source_key == source and status == "pending"
            assert source in (f"U{i // 2}", f"V{i}")


def test_large_bodies_span_several_statements(engine, appender):
    rows = [row(user=f"U{i % 7}") for i in range(MAX_ROWS_PER_STATEMENT * 2 + 17)]
    assert len(appender.add(rows)) == len(rows)
    assert len(stored(engine)) == len(rows)


def test_a_failed_write_raises_writes_nothing_and_the_next_one_works(engine, appender):
    with pytest.raises(appender.engine.dialect.loaded_dbapi.IntegrityError):
        appender.add([row("ok-1"), row("bad", payload=None)])  # payload is NOT NULL
    assert stored(engine) == []
    assert len(appender.add([row("ok-2")])) == 1
    assert [e.webhook_event_id for e in stored(engine)] == ["ok-2"]


WRITER_SCRIPT = """
import sys, uuid
from datetime import UTC, datetime
from storage.db import make_engine
from storage.inbox_append import InboxAppender
from sqlalchemy.orm import Session
from storage.models import LineUser
engine = make_engine(sys.argv[1], pool_size=4)
appender = InboxAppender(engine)
now = datetime.now(UTC)
for i in range(int(sys.argv[2])):
    appender.add([dict(webhook_event_id=uuid.uuid4().hex, source_key="U", event_type="message",
        mode="active", timestamp_ms=i, reply_token=None, payload="{}", status="pending", attempts=0,
        error_id=None, reject_reason=None, received_at=now, processed_at=None)])
    if i % 10 == 0:  # an ORM writer in the same process, as the executor would be
        with Session(engine) as session, session.begin():
            session.add(LineUser(line_user_id=uuid.uuid4().hex, language="th", blocked=False,
                created_at=now))
print("ok")
"""


def test_writers_in_several_processes_share_sqlite_without_busy_errors(engine, database_url, is_postgres):
    if is_postgres:
        pytest.skip("SQLite's single writer only; PostgreSQL has no such lock")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, database_url, "150"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err[-2000:] for _, err in outputs]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(InboxEvent)) == 450


def terminate(database_url: str, pids: list[int]) -> None:
    """What a database restart does to these server processes."""
    admin = create_engine(database_url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(:pids) AS pid"), {"pids": pids})
    admin.dispose()


def test_an_idle_postgresql_connection_the_server_dropped_is_replaced(
    engine, database_url, is_postgres, monkeypatch
):
    if not is_postgres:
        pytest.skip("a PostgreSQL server closing connections")
    with engine.connect() as connection:
        first_pid = connection.scalar(text("SELECT pg_backend_pid()"))
    terminate(database_url, [first_pid])
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    for _ in range(2):  # both pooled connections may be checked; none fails the caller
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != first_pid


def test_the_webhook_appender_reconnects_after_a_server_restart(engine, appender, database_url, is_postgres):
    if not is_postgres:
        pytest.skip("a PostgreSQL server closing connections")
    assert len(appender.add([row("before")])) == 1
    with appender._connection().cursor() as cursor:  # the connection the appender writes on
        cursor.execute("SELECT pg_backend_pid()")
        pids = [cursor.fetchone()[0]]
    terminate(database_url, pids)
    assert len(appender.add([row("after")])) == 1
    assert {e.webhook_event_id for e in stored(engine)} == {"before", "after"}


def test_received_at_round_trips_for_times_near_midnight_bangkok(engine, appender):
    late = datetime(2026, 12, 31, 16, 59, 59, 999999, tzinfo=UTC)  # 23:59:59 in Bangkok
    appender.add([row("late", received_at=late)])
    appender.add([row("later", received_at=late + timedelta(microseconds=1))])
    assert [e.received_at for e in stored(engine)] == [late, late + timedelta(microseconds=1)]


def test_two_processes_inserting_the_same_events_in_opposite_orders_never_deadlock(database_url, engine):
    # LINE's redelivery of a multi-event body can reach two web processes at once; their
    # statements must take the unique index's locks in one order (PostgreSQL reports a deadlock
    # otherwise and both requests fail).
    appenders = [InboxAppender(make_engine(database_url, pool_size=2)) for _ in range(2)]
    rounds, per_round = 20, 200
    start = threading.Barrier(2)
    new_counts = [0, 0]
    errors: list[BaseException] = []

    def deliver(side: int) -> None:
        try:
            for i in range(rounds):
                ids = [f"r{i}-{n:03d}" for n in range(per_round)]
                rows = [row(event_id, user=event_id) for event_id in (ids if side == 0 else ids[::-1])]
                start.wait(timeout=30)
                new_counts[side] += len(appenders[side].add(rows))
        except BaseException as error:
            errors.append(error)
            start.abort()

    threads = [threading.Thread(target=deliver, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for appender in appenders:
        appender.dispose()
        appender.engine.dispose()
    assert errors == []
    assert sum(new_counts) == rounds * per_round  # each event new to exactly one of them
    assert len(stored(engine)) == rounds * per_round
