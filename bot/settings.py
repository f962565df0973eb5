"""Settings: read once from the environment into one frozen object.

Tests build `Settings` directly; production reads `Settings.from_env()`. A missing required
setting stops start-up with a message naming the variable (never a stack trace of a KeyError).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

from handlers.services.open_data import DGA_LICENCE_NAME, DGA_LICENCE_URL
from storage.media import public_https_base

TIME_ZONE = "Asia/Bangkok"

# Demo mode (no LINE credentials): the bot talks to the built-in fake LINE platform with these
# well-known values. They are not secrets: nothing real accepts them.
DEMO_CHANNEL_SECRET = "demo-channel-secret"  # noqa: S105 - demo value, see above
DEMO_ACCESS_TOKEN = "demo-access-token"  # noqa: S105
DEMO_SECRET_KEY = "demo-secret-key-not-for-production"  # noqa: S105


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def normalise_database_url(url: str) -> str:
    """Map the URL forms hosting providers hand out to the driver we install (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_dir_from_env(env: Mapping[str, str], instance_path: Path | None = None) -> Path:
    """Where local state lives by default (SQLite file, media, demo state): ./instance."""
    return Path(instance_path or env.get("RUAMJAI_INSTANCE", "").strip() or "instance").resolve()


def database_url_from_env(env: Mapping[str, str], instance: Path | None = None) -> str:
    """DATABASE_URL, or a SQLite file in the instance folder."""
    instance = instance or instance_dir_from_env(env)
    return normalise_database_url(
        env.get("DATABASE_URL", "").strip() or f"sqlite:///{instance / 'ruamjai.sqlite3'}"
    )


def parse_quiet_hours(raw: str) -> tuple[time, time]:
    """ "21:00-08:00" → (21:00, 08:00); raises ValueError on anything else."""
    start, _, end = raw.replace(" ", "").partition("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def quiet_hours_from_env(env: Mapping[str, str]) -> str:
    raw = env.get("QUIET_HOURS", "").strip() or "21:00-08:00"
    try:
        parse_quiet_hours(raw)
    except ValueError:
        raise SettingsError(f"Setting QUIET_HOURS must look like 21:00-08:00, got {raw!r}.") from None
    return raw


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults an operator can live with."""

    line_channel_secret: str
    line_channel_access_token: str
    secret_key: str
    database_url: str
    media_dir: Path
    instance_dir: Path = Path("instance")
    line_api_base_url: str | None = None
    public_base_url: str | None = None
    factor_dir: Path | None = None
    time_zone: str = TIME_ZONE
    log_format: str = "text"  # "json" for one JSON object per line
    # LINE's webhook bodies are small; anything bigger is not LINE.
    max_body_bytes: int = 1_000_000
    # Executor: a bounded pool; one LINE user's events strictly one at a time.
    executor_workers: int = 8
    # Concurrent deliveries of one user's events may arrive out of order; wait this long after
    # receipt before processing so an earlier-timestamped sibling still in flight is seen first.
    event_settle_seconds: float = 0.25
    source_lease_seconds: float = 30.0
    sweep_interval_seconds: float = 10.0
    line_timeout_seconds: float = 5.0
    # Outbox
    outbox_max_attempts: int = 8
    outbox_backoff_base_seconds: float = 2.0
    outbox_backoff_max_seconds: float = 3600.0
    outbox_concurrency: int = 4
    # Threads sending a pass's multicast rows: HTTP only (they were claimed together), so more
    # threads overlap LINE's answers without queueing on the database. bench/fanout.py on 2 cores:
    # 8 threads 1.27 s, 4 threads 1.53 s, 2 threads 1.39 s for 100,000 recipients (medians of 3).
    outbox_fanout_concurrency: int = 8
    outbox_poll_seconds: float = 1.0
    # A conversation nobody answered for this long closes politely (drafts are kept).
    conversation_idle_hours: float = 24.0
    # Media: S3-compatible object storage when a bucket is named (the `s3` extra), else media_dir.
    media_s3_bucket: str | None = None
    media_s3_endpoint_url: str | None = None
    media_s3_prefix: str = ""
    # How long a signed photo URL works.
    media_url_seconds: int = 900
    # A photo's download stops at this many bytes (storage/photos.py: PhotoLimits).
    photo_max_bytes: int = 20 * 1024 * 1024
    # Non-urgent posts (news, knowledge) wait out these Bangkok hours ("HH:MM-HH:MM"; equal: none).
    quiet_hours: str = "21:00-08:00"
    # The clock's daily purge deletes finished inbox/outbox rows older than this.
    retention_days: int = 90
    # The clock's nightly photo purge deletes photos never attached to a report after this long.
    photo_retention_days: int = 30
    # The bot's LINE basic id ("@ruamjai"): the staff sign-in QR code opens its chat with the code.
    line_basic_id: str | None = None
    # A staff web session unused for this long ends.
    staff_session_idle_minutes: int = 30
    # Proxies (load balancer, router) in front of the web process that append to X-Forwarded-For:
    # the client's address (the staff sign-in's per-address limit) is read that many hops back.
    proxy_hops: int = 0
    # The open data's licence (/open-data/): by default the DGA Open Government Licence of data.go.th.
    open_data_licence_name: str = DGA_LICENCE_NAME
    open_data_licence_url: str = DGA_LICENCE_URL
    demo: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def links_base_url(self) -> str | None:
        """Where links the bot sends start, or None when LINE could not open them: PUBLIC_BASE_URL
        when it is a public HTTPS address (storage.media.public_https_base); the demo's own local
        address, which its fake LINE platform and simulator can open."""
        if self.demo:
            return self.public_base_url
        return public_https_base(self.public_base_url)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests and the demo use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        instance_path: Path | None = None,
        demo: bool = False,
        needs: Collection[str] | None = None,
    ) -> Settings:
        """Read settings from the environment.

        In demo mode missing LINE credentials are replaced by the demo values and the bot talks to
        the built-in fake platform; otherwise they are required. `needs` (a staff command): only
        these of the required settings must be set, and a missing other one is left empty, for a
        command that never uses it (`post list` reads the database only).
        """
        env = os.environ if env is None else env
        instance = instance_dir_from_env(env, instance_path)

        def required(name: str, demo_value: str) -> str:
            value = env.get(name, "").strip()
            if value:
                return value
            if demo:
                return demo_value
            if needs is not None and name not in needs:
                return ""
            raise SettingsError(f"Missing required setting {name}: set the environment variable {name}.")

        def number(name: str, default: float, kind: type = float) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                return kind(raw)
            except ValueError:
                raise SettingsError(f"Setting {name} must be a number, got {raw!r}.") from None

        database_url = database_url_from_env(env, instance)
        log_format = env.get("LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise SettingsError(f"Setting LOG_FORMAT must be 'text' or 'json', got {log_format!r}.")
        factor_dir = env.get("FACTOR_DIR", "").strip()
        return cls(
            line_channel_secret=required("LINE_CHANNEL_SECRET", DEMO_CHANNEL_SECRET),
            line_channel_access_token=required("LINE_CHANNEL_ACCESS_TOKEN", DEMO_ACCESS_TOKEN),
            secret_key=required("SECRET_KEY", DEMO_SECRET_KEY),
            database_url=database_url,
            media_dir=Path(env.get("MEDIA_DIR", "").strip() or instance / "media"),
            instance_dir=instance,
            line_api_base_url=env.get("LINE_API_BASE_URL", "").strip() or None,
            public_base_url=env.get("PUBLIC_BASE_URL", "").strip() or None,
            factor_dir=Path(factor_dir) if factor_dir else None,
            log_format=log_format,
            executor_workers=int(number("EXECUTOR_WORKERS", 8, int)),
            event_settle_seconds=number("EVENT_SETTLE_SECONDS", 0.25),
            source_lease_seconds=number("SOURCE_LEASE_SECONDS", 30.0),
            sweep_interval_seconds=number("SWEEP_INTERVAL_SECONDS", 10.0),
            line_timeout_seconds=number("LINE_TIMEOUT_SECONDS", 5.0),
            outbox_max_attempts=int(number("OUTBOX_MAX_ATTEMPTS", 8, int)),
            outbox_backoff_max_seconds=number("OUTBOX_BACKOFF_MAX_SECONDS", 3600.0),
            conversation_idle_hours=number("CONVERSATION_IDLE_HOURS", 24.0),
            media_s3_bucket=env.get("MEDIA_S3_BUCKET", "").strip() or None,
            media_s3_endpoint_url=env.get("MEDIA_S3_ENDPOINT_URL", "").strip() or None,
            media_s3_prefix=env.get("MEDIA_S3_PREFIX", "").strip(),
            media_url_seconds=int(number("MEDIA_URL_SECONDS", 900, int)),
            photo_max_bytes=int(number("PHOTO_MAX_BYTES", 20 * 1024 * 1024, int)),
            quiet_hours=quiet_hours_from_env(env),
            retention_days=int(number("RETENTION_DAYS", 90, int)),
            photo_retention_days=int(number("PHOTO_RETENTION_DAYS", 30, int)),
            line_basic_id=env.get("LINE_BASIC_ID", "").strip() or None,
            staff_session_idle_minutes=int(number("STAFF_SESSION_IDLE_MINUTES", 30, int)),
            proxy_hops=int(number("PROXY_HOPS", 0, int)),
            open_data_licence_name=env.get("OPEN_DATA_LICENCE_NAME", "").strip() or DGA_LICENCE_NAME,
            open_data_licence_url=env.get("OPEN_DATA_LICENCE_URL", "").strip() or DGA_LICENCE_URL,
            demo=demo,
        )
