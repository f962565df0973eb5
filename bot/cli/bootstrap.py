"""How every `ruamjai` staff command starts: the settings it needs, a database session scope and
the clock, so each command module is only its arguments and the service it calls."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot.cli.args import fail, shown
from bot.settings import Settings, database_url_from_env
from bot.timeutil import Clock, SystemClock
from handlers.services.refusals import Refused

if TYPE_CHECKING:
    from bot.line.gateway import LineGateway
    from storage.media import MediaStore

# The commands' clock; one place to swap for a test's or the demo's clock.
CLOCK: Clock = SystemClock()


def now() -> datetime:
    """The commands' current time (UTC), from the bootstrap clock."""
    return CLOCK.now()


def settings(needs: Collection[str] | None = None) -> Settings:
    """The settings from the environment: all the usually required ones, or only `needs` of them."""
    return Settings.from_env(needs=needs)


def database_url() -> str:
    """DATABASE_URL, or the instance's SQLite file."""
    return database_url_from_env(os.environ)


@contextmanager
def database(*, pool_size: int = 1) -> Iterator[sessionmaker[Session]]:
    """A session factory for the database alone (`database_url`, and no other setting); its engine
    is disposed of when the block ends."""
    from storage.db import make_engine, make_session_factory

    engine = make_engine(database_url(), pool_size=pool_size)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def line_gateway(config: Settings) -> LineGateway:
    """A client for LINE's API with the access token, base URL and timeout of `config`."""
    from bot.line.gateway import LineGateway

    return LineGateway(
        config.line_channel_access_token,
        base_url=config.line_api_base_url,
        timeout=config.line_timeout_seconds,
    )


def media_store() -> MediaStore:
    """The photo store the web app uses (MEDIA_DIR or MEDIA_S3_*). Reaching it needs neither the
    LINE credentials nor SECRET_KEY, so they are not asked for."""
    from bot import make_media_store

    return make_media_store(Settings.from_env(demo=True))


def in_transaction(work: Callable) -> int:
    """Run `work(session, now)` in one transaction; a refusal prints its code and exits 1."""
    with database() as factory:
        try:
            with factory.begin() as session:
                return work(session, now()) or 0
        except Refused as refused:
            print(f"ruamjai: refused: {shown(str(refused), 300)}", file=sys.stderr)
            return 1
        except ValueError as error:
            return fail(str(error))
