"""Shared fixtures: app → client, a real database (SQLite or PostgreSQL), the fake LINE platform.

The suite runs once per database: `RUAMJAI_TEST_DATABASE_URL` selects PostgreSQL (a fresh
schema per run); unset means SQLite files in tmp dirs. Every test gets empty tables.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from bot import create_app
from bot.fakeline.server import FakeLinePlatform
from bot.runtime import runtime
from bot.settings import Settings, normalise_database_url
from storage.migrate import upgrade
from storage.models import Base
from tests.helpers import TEST_CHANNEL_SECRET

TEST_ACCESS_TOKEN = "test-access-token"

# --- nothing leaves this machine -----------------------------------------------------------
_real_getaddrinfo = socket.getaddrinfo
_LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


def _local_only_getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL and not str(host).startswith("127."):
        raise RuntimeError(
            f"test tried to reach {host!r}: tests must never call the real LINE API (or any outside host)"
        )
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _local_only_getaddrinfo

# bench/mutation.py runs the tests once per mutant: the same examples every time (a mutant is killed
# or not, never by luck), fewer of them, and no example database shared between the runs.
hypothesis_settings.register_profile("mutation", derandomize=True, max_examples=20, database=None)
hypothesis_settings.load_profile(os.environ.get("RUAMJAI_HYPOTHESIS_PROFILE", "default"))


# --- which tests a second database run needs ---------------------------------------------
def pytest_addoption(parser):
    parser.addoption(
        "--only-database-tests",
        action="store_true",
        help="run only the tests that use the test database (CI's PostgreSQL run: the others do "
        "not depend on the database and already ran on SQLite)",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--only-database-tests"):
        return
    kept, left = [], []
    for item in items:
        (kept if "database_template" in getattr(item, "fixturenames", ()) else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


# --- database ------------------------------------------------------------------------------
def _pg_url_with_schema(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: a SQLite template file, or a fresh PostgreSQL schema."""
    base = os.environ.get("RUAMJAI_TEST_DATABASE_URL", "").strip()
    if not base:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        upgrade(f"sqlite:///{path}")
        yield ("sqlite", path)
        return
    base = normalise_database_url(base)
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _pg_url_with_schema(base, schema)
    upgrade(url)
    yield ("postgresql", url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database_url(database_template, tmp_path) -> str:
    kind, where = database_template
    if kind == "sqlite":
        target = tmp_path / "ruamjai.sqlite3"
        shutil.copy(where, target)
        return f"sqlite:///{target}"
    engine = create_engine(where)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return where


@pytest.fixture
def is_postgres(database_template) -> bool:
    return database_template[0] == "postgresql"


# --- the LINE platform ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def _fake_line_session():
    fake = FakeLinePlatform(access_token=TEST_ACCESS_TOKEN, validate=True).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_line(_fake_line_session):
    """The fake LINE platform, clean for each test; every request must match LINE's schema."""
    fake = _fake_line_session
    fake.reset()
    yield fake
    assert fake.violations == [], f"requests that break LINE's schema or limits: {fake.violations}"
    assert fake.limit_violations == [], f"LINE rate limits exceeded: {fake.limit_violations}"


# --- the app -------------------------------------------------------------------------------
@pytest.fixture
def settings(database_url, fake_line, tmp_path) -> Settings:
    return Settings(
        line_channel_secret=TEST_CHANNEL_SECRET,
        line_channel_access_token=TEST_ACCESS_TOKEN,
        secret_key="test-secret-key",
        database_url=database_url,
        media_dir=tmp_path / "media",
        instance_dir=tmp_path,
        line_api_base_url=fake_line.base_url,
        event_settle_seconds=0.05,
        sweep_interval_seconds=0.5,
        line_timeout_seconds=2.0,
        outbox_backoff_base_seconds=0.01,
        outbox_backoff_max_seconds=0.2,
    )


@pytest.fixture
def web_env(database_url, fake_line, tmp_path) -> dict[str, str]:
    """The environment of a child process (web, clock) pointed at this test's database and fake."""
    return {
        "LINE_CHANNEL_SECRET": TEST_CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": "test-access-token",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "LINE_API_BASE_URL": fake_line.base_url,
        "RUAMJAI_INSTANCE": str(tmp_path),
        "SOURCE_LEASE_SECONDS": "2",
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "EVENT_SETTLE_SECONDS": "0.25",
        "LOG_FORMAT": "json",
    }


@pytest.fixture
def make_app():
    """Build apps from settings; all are shut down cleanly after the test."""
    apps = []

    def build(settings: Settings, clock=None):
        app = create_app(settings, clock=clock)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield build
    for app in apps:
        runtime(app).close()


@pytest.fixture
def app(make_app, settings):
    return make_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def live_server(app):
    """The app behind a real threaded HTTP server on 127.0.0.1 (real HTTP, real sockets)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
