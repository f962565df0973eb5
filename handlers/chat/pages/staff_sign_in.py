"""Sign-in codes for the staff web, sent in the chat: the bot asks the staff member to confirm on a
card naming the browser, its network and the time, and confirms or cancels on their tap.

The services (handlers/services/staff_sign_in.py) decide; this module only says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from linebot.v3.messaging import FlexContainer, FlexMessage, Message, TextMessage
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.chat.engine import Incoming
from handlers.services.staff_sessions import browser_words, moment_words
from handlers.services.staff_sign_in import answer_card, card_waiting, grouped, normalise_code, offer
from storage.models.staff import StaffSignInCode

ACTION = "staff_sign_in"  # the card buttons' postback `a`
MAX_ALT_TEXT = 400


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, "wrap": True, "size": style.pop("size", "sm"), **style}


def _button(label: str, data: str, style: str, display: str) -> dict[str, Any]:
    action = {"type": "postback", "label": label, "data": data, "displayText": display}
    button: dict[str, Any] = {"type": "button", "style": style, "action": action, "height": "sm"}
    if style == "primary":
        button["color"] = "#06563E"
    return button


def confirm_card(row: StaffSignInCode, code: str, language: str) -> FlexMessage:
    """The card that asks a staff member to confirm the sign-in the code `row` started."""
    shown = grouped(code)
    confirm, cancel = t("staffweb.chat.confirm", language), t("staffweb.chat.cancel", language)
    bubble = {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                _text(t("staffweb.chat.card_title", language), weight="bold", size="md"),
                _text(t("staffweb.chat.card_code", language, code=shown), weight="bold", color="#06563E"),
                _text(
                    t("staffweb.chat.card_browser", language, browser=browser_words(row.browser, language))
                ),
                _text(t("staffweb.chat.card_place", language, place=row.place)),
                _text(t("staffweb.chat.card_when", language, when=moment_words(row.created_at, language))),
                _text(t("staffweb.chat.card_warning", language), color="#A4262C", margin="md"),
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                _button(confirm, f"a={ACTION}&do=confirm&id={row.id}", "primary", confirm),
                _button(cancel, f"a={ACTION}&do=cancel&id={row.id}", "secondary", cancel),
            ],
        },
    }
    alt = t("staffweb.chat.alt", language, code=shown)[:MAX_ALT_TEXT]
    return FlexMessage(alt_text=alt, contents=FlexContainer.from_dict(bubble))


def answer_code(
    session: Session, line_user_id: str, text: str, language: str, now: datetime
) -> list[Message] | None:
    """The answer to a typed sign-in code, or None when `text` is not one (the chat goes on)."""
    code = normalise_code(text)
    if code is None:
        return None
    result = offer(session, line_user_id, code, now)
    if result is None:
        return None
    if result.outcome == "card" and result.code is not None:
        return [confirm_card(result.code, code, language)]
    return [TextMessage(text=t(f"staffweb.chat.{result.outcome}", language))]


def answer_tap(
    session: Session, line_user_id: str, data: Mapping[str, str], language: str, now: datetime
) -> list[Message] | None:
    """The answer to the card's confirm or cancel button, or None when `data` is another tap."""
    if data.get("a") != ACTION:
        return None
    code_id = data.get("id", "")
    if not code_id.isdigit() or data.get("do") not in ("confirm", "cancel"):
        return [TextMessage(text=t("staffweb.chat.stale", language))]
    outcome = answer_card(session, line_user_id, int(code_id), data["do"] == "confirm", now)
    return [TextMessage(text=t(f"staffweb.chat.{outcome}", language))]


def answer_staff_sign_in(
    session: Session, line_user_id: str, incoming: Incoming, language: str, now: datetime
) -> list[Message] | None:
    """The router's one entry here: a typed code, a card tap, or a sticker while a card waits (the card is
    pointed at, not the general help); None for anything else."""
    if incoming.kind == "text":
        return answer_code(session, line_user_id, incoming.text, language, now)
    if incoming.kind == "postback":
        return answer_tap(session, line_user_id, incoming.data, language, now)
    if incoming.kind == "sticker" and card_waiting(session, line_user_id, now):
        return [TextMessage(text=t("staffweb.chat.card_waiting", language))]
    return None
