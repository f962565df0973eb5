"""Routes one webhook event to what the bot says. Returns messages; never calls LINE.

The conversation engine (flows, state, global commands) plugs in here; until then the bot knows
its first words: welcome on follow, a polite answer to anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from linebot.v3.messaging import Message, TextMessage
from linebot.v3.webhooks import Event, FollowEvent, MessageEvent, PostbackEvent, UnfollowEvent
from sqlalchemy.orm import Session

from handlers.catalog import t
from storage.repositories import UserRepository


@dataclass
class EventContext:
    """What a handler may use: the transaction's session, the time, and who is talking."""

    session: Session
    now: datetime
    line_user_id: str | None


def handle_event(event: Event, ctx: EventContext) -> list[Message]:
    """The messages to answer `event` with (possibly none). Runs inside the event's transaction."""
    users = UserRepository(ctx.session)
    if ctx.line_user_id is None:
        return []  # group/room chatter without a user: nothing to say yet
    if isinstance(event, UnfollowEvent):
        users.mark_blocked(ctx.line_user_id, ctx.now)
        return []
    if isinstance(event, FollowEvent):
        user = users.mark_followed(ctx.line_user_id, ctx.now)
        return [
            TextMessage(text=t("welcome.greeting", user.language)),
            TextMessage(text=t("welcome.privacy", user.language)),
        ]
    user = users.get_or_create(ctx.line_user_id, ctx.now)
    if isinstance(event, MessageEvent | PostbackEvent):
        return [TextMessage(text=t("help.capabilities", user.language))]
    return []


def apology(error_id: str, language: str = "th") -> list[Message]:
    """What a user sees when processing their event failed in a way they cannot fix."""
    return [TextMessage(text=t("error.apology", language, error_id=error_id))]
