"""Engine and session factory: one of each per app, never built at import time."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time

from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("ruamjai.db")


class WriterLock:
    """SQLite's single writer, queued for fairly and woken at once.

    SQLite allows one writer at a time; a writer that finds the database locked sleeps in SQLite's
    busy handler in steps of 1-100 ms, far longer than our write transactions last (well under a
    millisecond). So every writer of ours queues first: threads of one process on a Python lock,
    processes on an advisory `flock` of a file beside the database. Both hand over in
    microseconds, and SQLite's own lock is then free when `BEGIN IMMEDIATE` asks for it (only a
    foreign program, such as the sqlite3 shell, can still make it wait). The kernel drops a dead
    process's `flock`.
    """

    def __init__(self, database_path: str | None) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._path = f"{database_path}.writer-lock" if database_path else None
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> None:
        self._thread_lock.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                if self._fd is None or self._pid != os.getpid():  # opened once per process
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                    self._pid = os.getpid()
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


class _WriterConnection(sqlite3.Connection):
    """A SQLite connection that gives the writer lock back when its transaction ends."""

    writer_lock: WriterLock
    holds: int = 0

    def acquire_writer(self) -> None:
        self.writer_lock.acquire()
        self.holds += 1

    def release_writer(self) -> None:
        while self.holds:
            self.holds -= 1
            self.writer_lock.release()

    def begin_write(self) -> None:
        """Queue for the writer lock, then BEGIN IMMEDIATE: normally at once, since every writer
        of ours queues first; a foreign writer is waited for by SQLite's busy handler, up to
        BUSY_TIMEOUT_MS. The lock goes back when the transaction ends (commit or rollback)."""
        self.acquire_writer()
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.release_writer()
            raise

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


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine tuned for the backend.

    SQLite (the embedded default) gets WAL, a busy timeout and `BEGIN IMMEDIATE` transactions:
    with deferred transactions two writers that both started by reading can deadlock and one gets
    SQLITE_BUSY at once instead of waiting (https://www.sqlite.org/lang_transaction.html), and
    `secure_delete`, so deleted or overwritten personal data is zeroed in the file, not left in free
    space. Both backends hide bound parameters (LINE user ids, names) from error messages and logs.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "factory": _WriterConnection},
            pool_size=pool_size,
            max_overflow=pool_size,
            hide_parameters=True,
        )

        database = make_url(url).database
        writer_lock = WriterLock(database if database not in (None, "", ":memory:") else None)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
            dbapi_connection.writer_lock = writer_lock
            dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" below start transactions
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # Setting the journal mode can answer "database is locked" at once, without the busy
            # handler, while another connection writes (seen: two processes' first inserts at the
            # same moment): taken in the writers' queue like a write.
            writer_lock.acquire()
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            finally:
                writer_lock.release()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover
            # Read-only sessions (see make_read_session_factory) must not take the write lock.
            if conn.get_execution_options().get("ruamjai_readonly"):
                conn.exec_driver_sql("BEGIN")
                return
            conn.connection.dbapi_connection.begin_write()

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, hide_parameters=True)
    _ping_when_idle(engine)
    _errors_quote_no_values(engine)
    return engine


def _errors_quote_no_values(engine: Engine) -> None:
    """PostgreSQL's error DETAIL can quote a row's values ("Key (line_user_id)=(U…) already
    exists"): errors keep only their primary message, so no log that prints them quotes a person."""

    @event.listens_for(engine, "handle_error")
    def _primary_message_only(context) -> None:
        original = context.original_exception
        diag = getattr(original, "diag", None)
        primary = getattr(diag, "message_primary", None)
        if not primary or str(original) == primary:
            return
        original.args = (primary,)
        wrapped = context.sqlalchemy_exception
        if wrapped is not None:
            kind = type(original)
            wrapped.args = (f"({kind.__module__}.{kind.__name__}) {primary}",)


def checkpoint_after_commit(session: Session) -> None:
    """Empty SQLite's write-ahead log once this session's transaction commits (`checkpoint_wal`):
    for transactions that overwrite or delete personal data. Nothing happens on rollback."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return

    def checkpoint(_session: Session) -> None:
        # The transaction is committed: a checkpoint that fails must not make it look failed.
        try:
            if not checkpoint_wal(engine):
                log.warning("write-ahead log not emptied: readers kept it busy")
        except Exception:
            log.exception("write-ahead log checkpoint failed")

    event.listen(session, "after_commit", checkpoint, once=True)


def checkpoint_wal(engine: Engine, attempts: int = 5) -> bool:
    """SQLite: copy the write-ahead log into the database file and empty it (TRUNCATE), so values
    just overwritten or deleted are no longer readable in the `-wal` file. A reader still on an
    older snapshot holds the log: tried again a few times, 50 ms apart. Returns whether the log is
    empty; other backends have nothing to do (True)."""
    if engine.dialect.name != "sqlite":
        return True
    connection = engine.raw_connection()
    writer_lock = connection.dbapi_connection.writer_lock  # taken like a write: in our writers' queue
    writer_lock.acquire()
    try:
        for attempt in range(attempts):
            if attempt:
                time.sleep(0.05)
            cursor = connection.cursor()
            try:
                busy, _log_frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                cursor.close()
            if not busy:
                return True
        return False
    finally:
        writer_lock.release()
        connection.close()


# A pooled connection used this recently is alive; one idle longer is checked before use.
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, but only for connections that sat idle.

    `pool_pre_ping` would cost one round trip on every checkout (several per processed event).
    A connection that was in use a moment ago is alive; one that sat in the pool for a while may
    have been cut (database restart, a proxy's idle timeout), so it is pinged, and a dead one is
    replaced before anyone uses it (SQLAlchemy retries the checkout on DisconnectionError).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["ruamjai_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        idle_since = record.info.get("ruamjai_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()
        except Exception as error:
            raise exc.DisconnectionError("idle connection is gone") from error


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions are framed with `with factory.begin() as session:` by callers."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads only, each read standing on its own. On SQLite they begin DEFERRED, so a
    look at the inbox does not queue behind (or block) writers. On PostgreSQL they run in
    autocommit: a read is one round trip, without a BEGIN before it and a ROLLBACK after."""
    options: dict[str, object] = {"ruamjai_readonly": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return sessionmaker(engine.execution_options(**options), expire_on_commit=False)
