"""Every area of every rich menu, tapped through signed webhooks: each gets a real answer."""

from __future__ import annotations

from urllib.parse import parse_qsl

from sqlalchemy import select

from bot.fakeline.events import postback_event
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.flows import FLOWS
from richmenus.definitions import load_menus, postback_target
from storage.models import InboxEvent
from storage.repositories import UserRepository
from tests.helpers import Chat, post_events, wait_for

# Flows a menu starts before they exist (none now): their taps are not walked here; the test
# below fails while an entry names a flow that exists.
FLOWS_OTHER_ISSUES_DELIVER: dict[str, str] = {}

MENUS = load_menus()
AREAS = [(page.key, area) for page in MENUS.pages.values() for area in page.rich_menu("")["areas"]]
FLOW_NAMES = {flow.name for flow in FLOWS}


def not_understood(chat: Chat, language: str) -> bool:
    return t("help.capabilities", language) in chat.text or t("conv.expired", language) in chat.text


def test_the_list_of_flows_from_other_issues_is_current():
    started = {target for _, area in AREAS if (target := postback_target(area["action"].get("data", "")))}
    started_flows = {name for action, name in started if action == "start"}
    # Nothing listed here exists yet (remove an entry when its flow merges) ...
    assert set(FLOWS_OTHER_ISSUES_DELIVER) & FLOW_NAMES == set()
    # ... and every flow a menu starts either exists or is listed (join is reached through
    # registration's duplicate check and invitations, not a menu button).
    assert started_flows - FLOW_NAMES <= set(FLOWS_OTHER_ISSUES_DELIVER)


def test_every_area_of_every_menu_gets_a_real_answer(client, fake_line):
    walked = 0
    for page, area in AREAS:
        action = area["action"]
        if action["type"] == "richmenuswitch":
            continue  # tabs: the next test
        target = postback_target(action["data"])
        assert target is not None, (page, action)
        kind, name = target
        if kind == "start" and name in FLOWS_OTHER_ISSUES_DELIVER:
            continue
        chat = Chat(client, fake_line)  # a new user each time: no earlier tap colours the answer
        chat.tap_data(action["data"])
        if (kind, name) == ("info", "knowledge"):  # the latest knowledge posts as a carousel
            assert [m["type"] for m in chat.last] == ["text", "flex"], (page, chat.last)
            assert chat.last[-1]["contents"]["type"] == "carousel"
            walked += 1
            continue
        assert chat.text.strip(), (page, action["data"])
        assert not not_understood(chat, "th"), (page, action["data"], chat.text[:200])
        if (kind, name) == ("info", "review"):  # staff only: a new user is politely refused
            assert chat.text == t("review.not_staff", "th")
        elif kind == "info":
            assert chat.text == t(f"info.{name}", "th")
        elif kind == "cmd":
            assert t("help.general", "th") in chat.text
        else:
            # The flow's first question with its buttons, or, for what only coordinators may do
            # (report, invite, my agency), how to register or join, with the menu's buttons.
            assert chat.buttons, (page, action["data"])
        walked += 1
    assert walked >= 10


def test_a_tab_switch_is_received_and_left_unanswered(app, client, fake_line):
    """LINE switches the menu on the phone and sends the tab's postback: the bot says nothing."""
    user = "U" + "7" * 32
    tabs = [area["action"] for _, area in AREAS if area["action"]["type"] == "richmenuswitch"]
    assert {action["richMenuAliasId"] for action in tabs} == {
        f"ruamjai-{key}" for key in ("coordinator", "coordinator-news", "staff", "staff-news")
    }
    events = []
    for n, action in enumerate(tabs):
        assert dict(parse_qsl(action["data"]))["a"] == "tab"
        token = fake_line.issue_reply_token(user)
        event = postback_event(user, action["data"], timestamp_ms=1_700_000_000_000 + n, reply_token=token)
        event["postback"]["params"] = {"newRichMenuAliasId": action["richMenuAliasId"], "status": "SUCCESS"}
        events.append(event)
    assert post_events(client, events).status_code == 200

    def done():
        with runtime(app).session_factory() as session:
            statuses = session.scalars(select(InboxEvent.status)).all()
        return len(statuses) == len(tabs) and set(statuses) == {"done"}

    wait_for(done)
    assert fake_line.delivered_to(user) == []


def test_information_keeps_a_conversation_where_it_was(client, fake_line):
    chat = Chat(client, fake_line)
    chat.tap_data("a=start&f=prefs")
    assert t("prefs.which_language", "th") in chat.buttons
    chat.tap_data("a=info&k=privacy")
    assert chat.text == t("info.privacy", "th")
    chat.say(t("prefs.which_language", "th"))  # still answers the question asked before
    assert t("prefs.ask_language", "th") in chat.text


def test_information_is_answered_in_the_users_language(app, client, fake_line):
    chat = Chat(client, fake_line)
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, runtime(app).clock.now()).language = "en"
    for topic in ("about", "howto", "deadlines"):
        chat.tap_data(f"a=info&k={topic}")
        assert chat.text == t(f"info.{topic}", "en")
    chat.tap_data("a=info&k=review")
    assert chat.text == t("review.not_staff", "en")
    chat.tap_data("a=info&k=nonsense")  # not a topic: the engine's answer for an unknown button
    assert chat.text.startswith(t("conv.expired", "en"))


def test_typed_information_keeps_a_conversation_where_it_was_through_typos_and_stickers(client, fake_line):
    chat = Chat(client, fake_line)
    chat.tap_data("a=start&f=prefs")
    chat.say("  กำหนดส่ง ")  # the menu's label, typed with stray spaces
    assert chat.text == t("info.deadlines", "th")  # no campaign loaded: the general page
    chat.say("DEADLINES")
    assert chat.text == t("info.deadlines", "th")  # either language, any case: same page, in Thai
    for typed in ("กำหนด ส่ง", "กำหนดส่งค่ะ", "กำหนดส่ง?"):  # a space between words, politeness, a mark
        chat.say(typed)
        assert chat.text == t("info.deadlines", "th"), typed
    chat.send_sticker()
    assert t("prefs.which_language", "th") in chat.buttons  # the question is still the one asked
    chat.say("กำหนดสง")  # a typo is not a topic: it is an answer the question cannot take
    assert t("prefs.which_language", "th") in chat.buttons
    chat.say(t("prefs.which_language", "th"))
    assert t("prefs.ask_language", "th") in chat.text
    chat.say("ย้อนกลับ")  # "back" still works after the detours
    assert t("prefs.which_language", "th") in chat.buttons


def _typed_labels() -> list[tuple[str, str, str]]:
    """(label, language, the cell's postback) for every menu cell, in Thai and English."""
    cells = {cell.postback: cell for page in MENUS.pages.values() for cell in page.cells}
    return [(c.label_th, "th", data) for data, c in cells.items()] + [
        (c.label_en, "en", data) for data, c in cells.items()
    ]


def test_typing_a_menu_label_counts_as_tapping_it(app, client, fake_line):
    """People type what they see on a button: every cell's label, in either language, gets the
    same answer as the tap (a new user each time, in the label's language)."""
    problems = []
    for label, language, data in _typed_labels():
        tapped, typed = Chat(client, fake_line), Chat(client, fake_line)
        for chat in (tapped, typed):
            with runtime(app).session_factory.begin() as session:
                UserRepository(session).get_or_create(chat.user, runtime(app).clock.now()).language = language
        tapped.tap_data(data)
        typed.say(label)
        if typed.text != tapped.text or not_understood(typed, language):
            problems.append((label, data, typed.text[:60]))
    assert problems == [], "\n".join(map(repr, problems))
