"""The app's integrations, kept in `app.extensions["ruamjai"]` (not module globals)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.line.executor import EventExecutor
from bot.line.gateway import LineGateway
from bot.line.outbox import OutboxSender
from bot.line.photo_intake import PhotoIntake
from bot.settings import Settings
from bot.timeutil import Clock
from storage.inbox_append import InboxAppender
from storage.media import MediaStore


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    gateway: LineGateway
    outbox: OutboxSender
    executor: EventExecutor
    inbox: InboxAppender
    media: MediaStore | None = None
    photos: PhotoIntake | None = None

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.outbox.close()
        self.gateway.close()
        self.inbox.dispose()
        self.engine.dispose()


def runtime(app: Flask) -> Runtime:
    return app.extensions["ruamjai"]
