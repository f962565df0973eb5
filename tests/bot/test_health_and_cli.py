"""/healthz and `ruamjai db upgrade`."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.settings import Settings


def test_healthz_answers_200_with_the_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(make_app, settings, tmp_path):
    broken = settings.with_(database_url=f"sqlite:///{tmp_path}/missing-dir/nope/db.sqlite3")
    response = make_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_db_upgrade_is_safe_to_rerun(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "RUAMJAI_INSTANCE": str(tmp_path)}
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert "database at revision" in result.stdout


def test_db_upgrade_creates_the_default_sqlite_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["RUAMJAI_INSTANCE"] = str(tmp_path / "inst")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "inst" / "ruamjai.sqlite3").exists()
    assert Settings.from_env(env, demo=True).database_url.endswith("inst/ruamjai.sqlite3")
