"""The CI script runs every test directory on PostgreSQL: a new directory left out of its list
would silently run on SQLite only."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_postgresql_run_names_every_test_directory():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = script[script.index('RUAMJAI_TEST_DATABASE_URL="$PG_URL"') :]
    command = command[: command.index('"$LOGS/postgresql.txt"')]
    named = set(re.findall(r"\btests/([a-z_]+)\b", command))
    directories = {
        path.name for path in (ROOT / "tests").iterdir() if path.is_dir() and any(path.rglob("test_*.py"))
    }
    assert directories - named == set()
