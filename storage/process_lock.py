"""One process of a kind at a time (the clock), across hosts on PostgreSQL, on one host on SQLite.

PostgreSQL: a session-level advisory lock held on a connection of its own, outside any pool, so
nothing else ever runs on it or hands it back; the server drops the lock when the connection goes
(a killed process, a lost host). Its key is derived from the database and the schema, so two
deployments sharing one server (or parallel test runs in separate schemas) do not block each other.

SQLite: an `flock` on a file beside the database file; the kernel drops it when the process dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

log = logging.getLogger("ruamjai.lock")


class LockLost(RuntimeError):
    """The connection that held the PostgreSQL advisory lock is gone: another process may hold it."""


class ProcessLock:
    """`acquire()` waits (logging that it waits) until this process holds the lock."""

    def __init__(self, database_url: str, name: str, *, fallback_dir: Path | None = None) -> None:
        self.database_url = database_url
        self.name = name
        self._fallback_dir = fallback_dir or Path(".")
        self._engine = None
        self._connection = None
        self._fd: int | None = None
        self.held = False

    @property
    def is_postgres(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "postgresql"

    def lock_file(self) -> Path:
        database = make_url(self.database_url).database
        if database and database != ":memory:":
            return Path(f"{database}.{self.name}-lock")
        return self._fallback_dir / f"{self.name}.lock"

    def _try(self) -> bool:
        if self.is_postgres:
            if self._connection is None:
                self._engine = create_engine(self.database_url, poolclass=NullPool)
                self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            return bool(
                self._connection.scalar(
                    text(
                        "SELECT pg_try_advisory_lock(hashtext(current_database() || '.' || "
                        "current_schema() || '.' || :name))"
                    ),
                    {"name": self.name},
                )
            )
        if self._fd is None:
            path = self.lock_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self, stop: threading.Event, poll_seconds: float = 1.0) -> bool:
        """Wait for the lock; False if `stop` was set first. Logs once that it waits, and again
        every few minutes while it still waits, so an operator sees why this process is idle."""
        waited = 0.0
        while not stop.is_set():
            if self._try():
                self.held = True
                if waited:
                    log.warning("%s lock acquired after waiting %.0f s", self.name, waited)
                return True
            if waited == 0.0 or waited % 300 < poll_seconds:
                where = "PostgreSQL advisory lock" if self.is_postgres else str(self.lock_file())
                log.warning(
                    "another %s is running; this one waits until it stops (%s)",
                    self.name,
                    where,
                    extra={"lock": self.name},
                )
            stop.wait(poll_seconds)
            waited += poll_seconds
        return False

    def check(self) -> None:
        """Raise LockLost if the PostgreSQL connection holding the lock has gone."""
        if not (self.held and self.is_postgres):
            return
        try:
            self._connection.scalar(text("SELECT 1"))
        except Exception as error:
            self.held = False
            raise LockLost(f"the connection holding the {self.name} lock is gone") from error

    def release(self) -> None:
        """Give the lock back (also dropped by the server or kernel if this process dies)."""
        self.held = False
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
                self._engine.dispose()
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
