"""Two workers handling the same user's events at once never both advance the conversation."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.engine import Engine, Incoming
from handlers.chat.flows import FLOWS
from storage.repositories import ConversationRepository


def test_two_concurrent_taps_of_one_button_advance_the_conversation_once(app):
    session_factory = runtime(app).session_factory
    engine = Engine(FLOWS)
    user = "U" + "c" * 32
    now = datetime.now(UTC)
    with session_factory.begin() as session:
        engine.handle(session, user, "th", now, Incoming("text", text="ตั้งค่า"))
    with session_factory() as session:
        conversation = ConversationRepository(session).lock(user, now, "unused")
        tap = {"c": conversation.conversation_id, "s": conversation.state, "v": "province"}
        version = conversation.version

    first_inside = threading.Event()
    replies: dict[str, list] = {}

    def first():
        with session_factory.begin() as session:
            replies["first"] = engine.handle(session, user, "th", now, Incoming("postback", data=tap))
            first_inside.set()
            time.sleep(0.5)  # still holding the conversation when the second worker arrives

    def second():
        first_inside.wait(5)
        with session_factory.begin() as session:
            replies["second"] = engine.handle(session, user, "th", now, Incoming("postback", data=tap))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert t("prefs.ask_province", "th") in replies["first"][-1].text
    assert replies["second"][0].text.startswith(t("conv.expired", "th"))
    with session_factory() as session:
        conversation = ConversationRepository(session).lock(user, now, "unused")
        assert conversation.state == "prefs:province"
        assert conversation.history == '["prefs:pick"]'
        assert conversation.version == version + 2
