"""A web app for the kill -9 photo test (tests/bot/line/test_photo_intake.py): the real app, with the
test-only photo step and a handler that answers what it got. With PHOTO_WEB_BLOCK set, the handler
leaves a marker file and then hangs inside the event's transaction, so the test can kill the
process right between the photo's download and the event's commit."""

from __future__ import annotations

import os
import time
from pathlib import Path

from linebot.v3.messaging import TextMessage

import bot
from bot.runtime import runtime
from handlers.chat.media_steps import received_text, wants_photo
from tests.bot.line.test_photo_intake import TEST_FLOW


def create_app():
    app = bot.create_app()
    rt = runtime(app)
    rt.photos.wants = lambda session, user: wants_photo(session, user, flows=(TEST_FLOW,))
    marker = os.environ.get("PHOTO_WEB_MARKER")

    def handle(event, ctx):
        if ctx.photo is None:
            return []
        if marker and os.environ.get("PHOTO_WEB_BLOCK"):
            # Written whole, then renamed: the test waits for the file and reads it at once (a
            # plain write_text let it see the file still empty, once in a few hundred runs).
            partial = Path(marker + ".partial")
            partial.write_text(str(ctx.photo.photo_id))
            os.replace(partial, marker)
            time.sleep(600)  # the test kills the process meanwhile
        note = " (stored by an earlier run)" if ctx.photo.redelivered else ""
        return [TextMessage(text=received_text(ctx.photo, "th") + note)]

    rt.executor.handle = handle
    return app
