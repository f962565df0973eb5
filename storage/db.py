"""Engine and session factory: one of each per app, never built at import time."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine tuned for the backend.

    SQLite (the embedded default) gets WAL, a busy timeout and `BEGIN IMMEDIATE` transactions:
    with deferred transactions two writers that both started by reading can deadlock and one gets
    SQLITE_BUSY at once instead of waiting (https://www.sqlite.org/lang_transaction.html).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
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
            readonly = conn.get_execution_options().get("ruamjai_readonly")
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions are framed with `with factory.begin() as session:` by callers."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads only. On SQLite they begin DEFERRED, so a look at the inbox does not
    queue behind (or block) writers; elsewhere they are ordinary sessions."""
    return sessionmaker(engine.execution_options(ruamjai_readonly=True), expire_on_commit=False)
