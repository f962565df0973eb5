"""The webhook's one write, the hot path of every LINE delivery: group-committed, on bare DBAPI
connections.

`POST /callback` must store each event durably before it answers 200 (docs/architecture.md, the webhook
path), and LINE counts an answer slower than 2 s as a failure. Everything else in the product goes
through sessions; this one statement does not need them:

* **Group commit.** Concurrent deliveries share one statement and one commit: the first caller
  to find no write in progress leads, writing everything queued so far, and hands every caller
  its own result (or the error). Nobody is answered before their rows are committed.
* **One statement per batch**: `INSERT … VALUES (…), (…) ON CONFLICT (webhook_event_id) DO NOTHING
  RETURNING …`, rendered per batch size and cached, with the column types' own bind processors so
  values are stored exactly as the ORM stores them.
* **One connection per process**, used by one batch's leader at a time, in autocommit: the
  statement is its own transaction (PostgreSQL: one round trip; SQLite: no BEGIN and COMMIT).
* **PostgreSQL**: a connection the server dropped is replaced and the batch retried once, which is
  safe because the insert is idempotent.
* **SQLite**: the same writer lock as every other writer (storage.db.WriterLock).
"""

from __future__ import annotations

import contextlib
import copy
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from storage.models import InboxEvent

# Every column but the key, in the table's order; the webhook's rows name each one (a new column
# the webhook does not fill fails loudly here, not silently in production).
COLUMNS = tuple(column.name for column in InboxEvent.__table__.columns if not column.primary_key)
RETURNING = ("webhook_event_id", "id", "source_key", "status")
# Rows per statement: SQLite allows 32,766 parameters; 12 columns x 500 rows stays far below.
MAX_ROWS_PER_STATEMENT = 500

NewEvent = tuple[int, str, str]  # (id, source_key, status) of a row this call inserted


def _new_events(returned: list[tuple]) -> dict[str, NewEvent]:
    """RETURNING rows by webhook_event_id."""
    return {row[0]: (row[1], row[2], row[3]) for row in returned}


class _Slot:
    """One caller's rows in a group commit, and what became of them."""

    __slots__ = ("batch", "done", "error", "keys", "parameters", "rows", "wake")

    def __init__(self, keys: list[str], parameters: list[tuple]) -> None:
        self.wake = threading.Lock()
        self.wake.acquire()
        self.batch: list[_Slot] = []
        self.keys = keys
        self.parameters = parameters
        self.rows: list[NewEvent] = []
        self.error: BaseException | None = None
        self.done = False

    def result(self) -> list[NewEvent]:
        if self.error is not None:
            # Each caller raises its own copy: one exception object raised in many threads
            # would collect all their tracebacks into the one the operator reads.
            raise copy.copy(self.error) from self.error
        return self.rows


class _Reconnect(Exception):
    """The connection was dead (server restart, idle connection cut by a proxy)."""


class InboxAppender:
    """`add(rows)` inserts webhook events, skipping known `webhook_event_id`s, and returns
    (id, source_key, status) of the new ones, committed."""

    def __init__(self, engine: Engine) -> None:
        self.dialect_name = engine.dialect.name
        if self.dialect_name == "sqlite":
            self.engine = engine  # the same writer lock as every other writer in the process
        else:
            # Only for opening this appender's own connection (see _connection), in autocommit.
            self.engine = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        dialect = self.engine.dialect
        table = InboxEvent.__table__
        self._table = table.name
        self._placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
        processors: list[Callable[[Any], Any] | None] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in COLUMNS
        ]
        self._processors = tuple(processors)
        self._mutex = threading.Lock()
        self._queue: list[_Slot] = []
        self._writing = False
        self._own: Any = None  # this process's writing connection (see _connection)
        self._own_pid = 0

    @lru_cache(maxsize=64)  # noqa: B019 - one appender per process, a handful of batch sizes
    def _sql(self, rows: int) -> str:
        # Column and table names are our own constants; values always travel as parameters.
        values = "(" + ", ".join(self._placeholder for _ in COLUMNS) + ")"
        return (
            f"INSERT INTO {self._table} ({', '.join(COLUMNS)}) VALUES "  # noqa: S608
            + ", ".join(values for _ in range(rows))
            + f" ON CONFLICT (webhook_event_id) DO NOTHING RETURNING {', '.join(RETURNING)}"
        )

    def _parameters(self, row: dict[str, Any]) -> tuple:
        return tuple(
            process(row[name]) if process is not None else row[name]
            for name, process in zip(COLUMNS, self._processors, strict=True)
        )

    def add(self, rows: Sequence[dict[str, Any]]) -> list[NewEvent]:
        """Insert and commit (sharing the commit with concurrent callers, see the module doc).

        Whoever finds no write in progress writes at once. Callers arriving meanwhile queue; when
        the write ends, the first of them is woken to write the whole queue, and each of the
        others is woken exactly once, when its rows are committed (or failed).
        """
        if not rows:
            return []
        slot = _Slot([row["webhook_event_id"] for row in rows], [self._parameters(row) for row in rows])
        with self._mutex:
            if self._writing:
                self._queue.append(slot)
                batch = None
            else:
                self._writing = True
                batch = [slot]
        if batch is None:
            slot.wake.acquire()  # released by a leader: our rows are done, or it is our turn to lead
            if slot.done:
                return slot.result()
            batch = slot.batch
        # Give up the GIL for a moment before writing: request threads that are parsing their
        # deliveries get to queue here and share this commit (a bigger batch costs little more
        # than a single row; measured in docs/benchmarks.md). Alone, this returns at once.
        time.sleep(0)
        with self._mutex:
            if self._queue:
                batch, self._queue = batch + self._queue, []
        self._write(batch)
        for other in batch:
            if other is not slot:
                other.wake.release()
        with self._mutex:
            following, self._queue = self._queue, []
            if not following:
                self._writing = False
        if following:
            following[0].batch = following
            following[0].wake.release()
        return slot.result()

    def _write(self, batch: list[_Slot]) -> None:
        # The first of several identical ids (LINE's redelivery racing the original) is the one
        # that can be new; the database's unique key settles it against earlier requests.
        unique: dict[str, tuple] = {}
        for slot in batch:
            for key, parameters in zip(slot.keys, slot.parameters, strict=True):
                unique.setdefault(key, parameters)
        try:
            # In key order: two processes inserting overlapping events (a redelivery racing the
            # original) then take the unique index's locks in the same order and cannot deadlock.
            inserted = self._insert([unique[key] for key in sorted(unique)])
        except BaseException as error:
            for slot in batch:
                slot.error = error
                slot.done = True
            return
        for slot in batch:
            for key in slot.keys:
                new = inserted.pop(key, None)  # pop: a duplicate later in the batch is not new
                if new is not None:
                    slot.rows.append(new)
            slot.done = True

    def _insert(self, parameters: list[tuple]) -> dict[str, NewEvent]:
        if self.dialect_name == "sqlite":
            return self._insert_sqlite(parameters)
        try:
            return self._insert_autocommit(parameters)
        except _Reconnect:
            pass  # the server had dropped that connection: once more, on a fresh one
        try:
            return self._insert_autocommit(parameters)
        except _Reconnect as dropped:
            raise dropped.__cause__ from None

    def _chunks(self, parameters: list[tuple]):
        for start in range(0, len(parameters), MAX_ROWS_PER_STATEMENT):
            chunk = parameters[start : start + MAX_ROWS_PER_STATEMENT]
            yield self._sql(len(chunk)), [value for row in chunk for value in row]

    def _connection(self) -> Any:
        """This process's own writing connection. Only a batch's leader writes, one at a time, so
        one connection is enough: no pool checkout and check-in per batch (and on SQLite its page
        cache stays warm)."""
        if self._own is None or self._own_pid != os.getpid():  # new, or inherited across a fork
            fairy = self.engine.raw_connection()
            fairy.detach()  # ours for good: never handed back to a pool
            self._own, self._own_pid = fairy.dbapi_connection, os.getpid()
        return self._own

    def _insert_sqlite(self, parameters: list[tuple]) -> dict[str, NewEvent]:
        dbapi: sqlite3.Connection = self._connection()
        chunks = list(self._chunks(parameters))
        if len(chunks) == 1:
            # One statement is its own transaction (the connection is in autocommit mode, see
            # storage.db): no BEGIN and COMMIT, each of which would hand the GIL over twice.
            sql, values = chunks[0]
            dbapi.acquire_writer()
            try:
                return _new_events(dbapi.execute(sql, values).fetchall())
            finally:
                dbapi.release_writer()
        dbapi.begin_write()
        try:
            inserted: dict[str, NewEvent] = {}
            for sql, values in chunks:
                inserted.update(_new_events(dbapi.execute(sql, values).fetchall()))
            dbapi.commit()
        except BaseException:
            dbapi.rollback()
            raise
        return inserted

    def _insert_autocommit(self, parameters: list[tuple]) -> dict[str, NewEvent]:
        dbapi = self._connection()
        try:
            with dbapi.cursor() as cursor:
                inserted: dict[str, NewEvent] = {}
                for sql, values in self._chunks(parameters):
                    cursor.execute(sql, values)
                    inserted.update(_new_events(cursor.fetchall()))
            return inserted
        except Exception as error:
            if getattr(dbapi, "broken", False) or getattr(dbapi, "closed", False):
                self._close_connection()
                raise _Reconnect from error
            raise

    def _close_connection(self) -> None:
        own, self._own = self._own, None
        if own is not None and self._own_pid == os.getpid():
            with contextlib.suppress(Exception):  # a dead connection may fail to close politely
                own.close()

    def dispose(self) -> None:
        self._close_connection()
