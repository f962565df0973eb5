"""Engine and session factory: one of each per app, never built at import time."""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


class _WriterConnection(sqlite3.Connection):
    """A SQLite connection that gives its process's writer lock back when its transaction ends.

    SQLite allows one writer at a time; a writer that finds the lock taken sleeps in SQLite's
    busy handler in steps of 1-100 ms. Within one process, threads queue on a Python lock
    instead (handed over in microseconds), so only other processes ever meet the busy handler.
    """

    writer_lock: threading.RLock
    holds: int = 0

    def acquire_writer(self) -> None:
        self.writer_lock.acquire()
        self.holds += 1

    def release_writer(self) -> None:
        while self.holds:
            self.holds -= 1
            self.writer_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer()


BUSY_TIMEOUT_MS = 30_000


def _begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for another process's writer in short steps.

    SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries, far longer than our
    write transactions last (well under a millisecond), so one collision could cost a webhook
    tens of milliseconds. We try without it and back off from 0.1 ms instead, with the same
    overall 30 s limit; every other statement keeps the normal busy timeout.
    """
    delay, waited = 0.0001, 0.0
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or waited > BUSY_TIMEOUT_MS / 1000:
                    raise
            time.sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.005)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine tuned for the backend.

    SQLite (the embedded default) gets WAL, a busy timeout and `BEGIN IMMEDIATE` transactions:
    with deferred transactions two writers that both started by reading can deadlock and one gets
    SQLITE_BUSY at once instead of waiting (https://www.sqlite.org/lang_transaction.html).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "factory": _WriterConnection},
            pool_size=pool_size,
            max_overflow=pool_size,
        )

        writer_lock = threading.RLock()

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
            dbapi_connection.writer_lock = writer_lock
            dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" below start transactions
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover
            # Read-only sessions (see make_read_session_factory) must not take the write lock.
            if conn.get_execution_options().get("ruamjai_readonly"):
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_connection = conn.connection.dbapi_connection
            dbapi_connection.acquire_writer()
            try:
                _begin_immediate(dbapi_connection)
            except BaseException:
                dbapi_connection.release_writer()
                raise

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions are framed with `with factory.begin() as session:` by callers."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads only. On SQLite they begin DEFERRED, so a look at the inbox does not
    queue behind (or block) writers; elsewhere they are ordinary sessions."""
    return sessionmaker(engine.execution_options(ruamjai_readonly=True), expire_on_commit=False)
