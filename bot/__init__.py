"""Ruamjai's composition root: the Flask app factory and the processes around it."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.line.executor import EventExecutor
from bot.line.gateway import LineGateway
from bot.line.outbox import OutboxSender
from bot.line.photo_intake import PhotoIntake
from bot.line.richmenu_link import RichMenuLinker
from bot.logs import configure_logging
from bot.runtime import Runtime, runtime
from bot.settings import Settings
from bot.timeutil import Clock, SystemClock
from storage.db import make_engine, make_read_session_factory, make_session_factory
from storage.inbox_append import InboxAppender
from storage.media import LocalMediaStore, MediaStore, S3MediaStore
from storage.photos import PhotoLimits, load_perceptual_hash

log = logging.getLogger("ruamjai")


def make_media_store(settings: Settings) -> MediaStore:
    """S3-compatible object storage when a bucket is configured, else the local directory."""
    if settings.media_s3_bucket:
        return S3MediaStore(
            settings.media_s3_bucket,
            prefix=settings.media_s3_prefix,
            endpoint_url=settings.media_s3_endpoint_url,
        )
    return LocalMediaStore(
        settings.media_dir, secret_key=settings.secret_key, base_url=settings.public_base_url
    )


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Wire engine, gateway, outbox sender and executor for one process."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url, pool_size=settings.executor_workers + 4)
    session_factory = make_session_factory(engine)
    read_factory = make_read_session_factory(engine)
    gateway = LineGateway(
        settings.line_channel_access_token,
        base_url=settings.line_api_base_url,
        timeout=settings.line_timeout_seconds,
    )
    outbox = OutboxSender(
        session_factory=session_factory,
        read_factory=read_factory,
        gateway=gateway,
        settings=settings,
        clock=clock,
        menu_linker=RichMenuLinker(gateway, session_factory, clock),
    )
    media = make_media_store(settings)
    photos = PhotoIntake(
        session_factory=session_factory,
        read_factory=read_factory,
        store=media,
        download=gateway.download_message_content,
        clock=clock,
        secret_key=settings.secret_key,
        limits=PhotoLimits(max_bytes=settings.photo_max_bytes),
    )
    executor = EventExecutor(
        session_factory=session_factory,
        read_factory=read_factory,
        settings=settings,
        clock=clock,
        deliver=outbox.deliver_claimed,
        profile_language=lambda user_id: gateway.get_profile(user_id).language,
        photos=photos,
    )
    inbox = InboxAppender(engine)
    return Runtime(settings, engine, session_factory, clock, gateway, outbox, executor, inbox, media, photos)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """The WSGI app (`bot:create_app()`); settings come from the environment unless given."""
    if settings is None:
        settings = Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    configure_logging(settings.log_format)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=None)
    # The staff web's CSRF tokens live in Flask's session cookie: HTTPS-only when served over HTTPS.
    app.config.update(
        SESSION_COOKIE_SECURE=(settings.public_base_url or "").startswith("https://"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    csrf = CSRFProtect(app)
    app.extensions["ruamjai"] = build_runtime(settings, clock)
    # Each gunicorn worker runs this factory after the fork, before it takes a request.
    load_perceptual_hash()

    from bot.line.webhook import WebhookEndpoint
    from bot.web.media import media_blueprint
    from bot.web.mydata import mydata_blueprint
    from bot.web.public import register_public_web
    from bot.web.staff import register_staff_web

    app.register_blueprint(media_blueprint)
    app.register_blueprint(mydata_blueprint)
    register_staff_web(app)
    register_public_web(app)

    if settings.proxy_hops:  # the client's address as the proxies in front of us saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    app.wsgi_app = WebhookEndpoint(runtime(app), app.wsgi_app)  # type: ignore[method-assign]
    # Start the executor now, not on the first webhook: after a crash its sweeper must pick up the
    # events the dead process left pending even if LINE sends nothing new.
    runtime(app).executor.start()

    # The LINE simulator, only when LINE_API_BASE_URL is a fake platform in this process: the page
    # plays LINE users on that fake. With real LINE, /simulator does not exist.
    if settings.line_api_base_url:
        from bot.fakeline.server import running_at

        fake = running_at(settings.line_api_base_url)
        if fake is not None:
            from bot.simulator import bp as simulator_blueprint
            from bot.simulator import register as register_simulator

            register_simulator(app, fake)
            csrf.exempt(simulator_blueprint)  # the simulator's API plays LINE users, not a form

    @app.get("/healthz")
    def healthz():
        try:
            with runtime(app).engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")

    return app
