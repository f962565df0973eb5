"""Routes one webhook event to what the bot says. Returns messages; never calls LINE."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from linebot.v3.messaging import Message, TextMessage
from linebot.v3.webhooks import Event, FollowEvent, UnfollowEvent
from sqlalchemy.orm import Session

from handlers.catalog import LANGUAGES, t
from handlers.chat.engine import Engine, Incoming
from handlers.chat.flows import FLOWS
from handlers.chat.flows.agency_card import DrawShare, is_share_tap, share_messages
from handlers.chat.pages.info import answer_menu_tap, typed_topic
from handlers.chat.pages.privacy import PRIVACY_NOTICE_VERSION, notice_text, record_notice_shown
from handlers.chat.pages.staff_sign_in import answer_staff_sign_in
from handlers.chat.received_photo import ReceivedPhoto
from handlers.services.authz import role_of
from storage.media import MediaStore
from storage.repositories import UserRepository


@dataclass
class EventContext:
    """What a handler may use: the transaction's session, the time, and who is talking."""

    session: Session
    now: datetime
    line_user_id: str | None
    # The language of the user's LINE app, when the bot looked it up (on follow).
    profile_language: str | None = None
    idle_timeout: timedelta = timedelta(hours=24)
    # Where links the bot sends start (a data download, a share image): a public HTTPS address, or
    # the demo's own; None when LINE could not open them (bot.settings.Settings.links_base_url).
    public_base_url: str | None = None
    # An image or unsend event's photo, handled by the executor before this transaction
    # (handlers/chat/received_photo.py); None for other events and for images no question asked for.
    photo: ReceivedPhoto | None = None
    # Where photos live, to make signed URLs (`media.signed_url(key, seconds)`); None if not wired.
    media: MediaStore | None = None
    # Draws the agency share image (bot/line/share_image.py: Pillow, Sarabun, raqm); None if not wired.
    draw_share: DrawShare | None = None


def language_from_profile(profile_language: str | None) -> str | None:
    """LINE reports e.g. "th", "en", "en-US", "ja"; we speak Thai and English, Thai by default."""
    if not profile_language:
        return None
    base = profile_language.split("-")[0].lower()
    return base if base in LANGUAGES else "th"


def welcome(ctx: EventContext, users: UserRepository) -> list[Message]:
    """A follow: the first-time welcome and the privacy notice; someone who unfollowed and came
    back is welcomed back, and shown the notice again only if it changed since they were shown it."""
    assert ctx.line_user_id is not None
    before = users.get(ctx.line_user_id)
    returning = before is not None and before.followed_at is not None
    user = users.mark_followed(ctx.line_user_id, ctx.now)
    language = language_from_profile(ctx.profile_language)
    if language and user.reminder_days is None:  # never override a language the user chose
        user.language = language
    if returning and user.privacy_notice_version == PRIVACY_NOTICE_VERSION:
        return [TextMessage(text=t("comeback.greeting", user.language, version=PRIVACY_NOTICE_VERSION))]
    # A follower is a subscriber: the notice they were shown (version, time) is recorded.
    record_notice_shown(ctx.session, ctx.line_user_id, ctx.now)
    greeting = "comeback.greeting_new_notice" if returning else "welcome.greeting"
    return [TextMessage(text=t(greeting, user.language)), TextMessage(text=notice_text(user.language))]


def handle_event(event: Event, ctx: EventContext) -> list[Message]:
    """The messages to answer `event` with (possibly none). Runs inside the event's transaction."""
    users = UserRepository(ctx.session)
    if ctx.line_user_id is None:
        return []  # group/room chatter without a user: nothing to say yet
    if isinstance(event, UnfollowEvent):
        users.mark_blocked(ctx.line_user_id, ctx.now)
        return []
    if isinstance(event, FollowEvent):
        return welcome(ctx, users)
    incoming = Incoming.from_event(event)
    if incoming is None:
        return []
    user = users.get_or_create(ctx.line_user_id, ctx.now)
    # A staff web sign-in code typed, or its card's buttons: answered before any conversation.
    signing_in = answer_staff_sign_in(ctx.session, ctx.line_user_id, incoming, user.language, ctx.now)
    if signing_in is not None:
        return signing_in
    tap = dict(incoming.data) if incoming.kind == "postback" else None
    if incoming.kind == "text" and (topic := typed_topic(incoming.text)):  # a menu label, typed
        tap = {"a": "info", "k": topic}
    if tap is not None:  # the rich menu's information pages and tabs; they keep the user's place
        answer = answer_menu_tap(tap, user.language, ctx.session, ctx.line_user_id, ctx.now)
        if answer is not None:
            return answer
        if is_share_tap(tap):  # the "my agency" card's share button
            return share_messages(
                ctx.session, ctx.line_user_id, user.language, ctx.media, ctx.draw_share, ctx.public_base_url
            )
    engine = Engine(
        FLOWS,
        idle_timeout=ctx.idle_timeout,
        public_base_url=ctx.public_base_url,
        role_of=role_of,
        media=ctx.media,
    )
    return engine.handle(ctx.session, ctx.line_user_id, user.language, ctx.now, incoming, photo=ctx.photo)


def apology(error_id: str, language: str = "th") -> list[Message]:
    """What a user sees when processing their event failed in a way they cannot fix."""
    return [TextMessage(text=t("error.apology", language, error_id=error_id))]
