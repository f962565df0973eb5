"""A fresh database for a benchmark: a SQLite file in a temp folder, or a new PostgreSQL schema."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.settings import normalise_database_url
from storage.migrate import upgrade


# --- database -------------------------------------------------------------------------------
class Database:
    def __init__(self, base_url: str | None, work: Path) -> None:
        self.schema: str | None = None
        self.admin = None
        if base_url:
            base = normalise_database_url(base_url)
            if not base.startswith("postgresql"):
                raise SystemExit("--database-url must be a postgresql:// URL (SQLite is the default)")
            self.kind = "postgresql"
            self.schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            self.admin = create_engine(base)
            with self.admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            separator = "&" if "?" in base else "?"
            self.url = f"{base}{separator}options=-csearch_path%3D{self.schema}"
        else:
            self.kind = "sqlite"
            self.url = f"sqlite:///{work / 'ruamjai.sqlite3'}"
        upgrade(self.url)
        self.engine = create_engine(self.url)

    def version(self) -> str:
        with self.engine.connect() as conn:
            if self.kind == "sqlite":
                return "SQLite " + conn.execute(text("select sqlite_version()")).scalar_one()
            return "PostgreSQL " + conn.execute(text("show server_version")).scalar_one()

    def counts(self, table: str) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"select status, count(*) from {table} group by status"))  # noqa: S608
            return {status: count for status, count in rows}

    def done(self) -> int:
        """Inbox events processed so far."""
        return self.counts("inbox_events").get("done", 0)

    def wait_drained(self, timeout: float) -> tuple[float, int]:
        """Wait until no inbox event is pending; returns (seconds waited, events still pending)."""
        started = time.monotonic()
        while True:
            pending = self.counts("inbox_events").get("pending", 0)
            if pending == 0 or time.monotonic() - started > timeout:
                return time.monotonic() - started, pending
            time.sleep(0.25)

    def close(self) -> None:
        self.engine.dispose()
        if self.admin is not None and self.schema:
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()
