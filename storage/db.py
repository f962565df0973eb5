"""Engine and session factory: one of each per app, never built at import time."""

from __future__ import annotations

import sqlite3
import threading

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
            cursor.execute("PRAGMA busy_timeout=30000")
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
                conn.exec_driver_sql("BEGIN IMMEDIATE")
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
