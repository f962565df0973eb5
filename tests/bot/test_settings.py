"""Settings from the environment: required ones named when missing, URLs normalised."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import Settings, SettingsError

FULL = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "SECRET_KEY": "k"}


@pytest.mark.parametrize("missing", sorted(FULL))
def test_missing_required_setting_is_named(missing, tmp_path):
    env = {k: v for k, v in FULL.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(env, instance_path=tmp_path)


def test_defaults_to_sqlite_in_the_instance_folder_and_bangkok_time(tmp_path):
    settings = Settings.from_env(FULL, instance_path=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'ruamjai.sqlite3'}"
    assert settings.media_dir == tmp_path / "media"
    assert settings.time_zone == "Asia/Bangkok"
    assert settings.line_api_base_url is None


def test_heroku_style_postgres_url_is_accepted(tmp_path):
    settings = Settings.from_env(
        {**FULL, "DATABASE_URL": "postgres://u:p@db:5432/app"}, instance_path=tmp_path
    )
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/app"


def test_settings_are_frozen(tmp_path):
    settings = Settings.from_env(FULL, instance_path=tmp_path)
    with pytest.raises(AttributeError):
        settings.secret_key = "changed"  # type: ignore[misc]


def test_demo_mode_needs_no_credentials(tmp_path):
    settings = Settings.from_env({}, instance_path=tmp_path, demo=True)
    assert settings.demo and settings.line_channel_secret


def test_bad_number_is_named(tmp_path):
    with pytest.raises(SettingsError, match="EXECUTOR_WORKERS"):
        Settings.from_env({**FULL, "EXECUTOR_WORKERS": "many"}, instance_path=tmp_path)


def test_clock_process_refuses_to_start_without_credentials_and_says_why(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "RUAMJAI_INSTANCE": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "clock"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "LINE_CHANNEL_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
