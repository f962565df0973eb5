"""Every label the bot can put on a button fits LINE's limits without being cut, and labels offered
together differ: each flow's questions (walked step by step, in Thai and English, the report flow
once per activity type), the engine's own buttons, reminder buttons, the agency card's Flex button
and every rich-menu page; and, through signed webhooks, every quick reply of a report of each type
including "change an answer" (label = the displayText it was made from, so nothing was cut)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import geothai
import pytest

import calc
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.engine import MAX_LABEL_UTF16, Question, Turn, match_choice, utf16_len
from handlers.chat.flows import FLOWS
from handlers.chat.flows.common import area_button, area_buttons
from richmenus.definitions import load_menus
from tests.handlers.report_chat import NOW, ReportChat
from tests.scenarios.test_report import SCRIPTS, TAP, finish_to_summary, start

LANGUAGES = ("th", "en")
MAX_FLEX_BUTTON_LABEL = 40  # LINE: a Flex button's label, characters
PERIOD = {"start": "2024-06-01", "end": "2024-06-30"}


def fits(label: str, limit: int = MAX_LABEL_UTF16) -> bool:
    """Counted in UTF-16 units, the strictest count (Thai vowel and tone marks count)."""
    return 0 < utf16_len(label) <= limit


def filled(kind: calc.ActivityType) -> dict:
    """Every field of `kind` answered, so each of its questions and its summary can be asked."""
    inputs: dict = {}
    for field in kind.fields:
        if field.kind == "choice":
            inputs[field.name] = field.choices[0].key
        elif field.kind == "quantity":
            inputs[field.name] = {"value": "1", "unit": field.units[0]}
    return inputs


def report_answers(report_id: int) -> Iterator[dict]:
    """Answers that reach every report question: per type, with no photo, with one, being changed."""
    for kind in calc.activity_types():
        base = {"key": "k", "activity": kind.key, "inputs": filled(kind), "period": PERIOD, "place": None}
        yield {**base, "photos": []}
        yield {**base, "photos": [1], "photos_done": True, "place_done": True, "report_id": report_id}
        yield {"key": "k", "activity": kind.key, "inputs": {}, "skipped": []}


def questions(session, user: str, language: str, report_id: int) -> Iterator[tuple[str, Question]]:
    # request_id 0: a join request that is no longer there (the question still asks, with "-").
    answer_sets = [{"report_id": report_id}, *report_answers(report_id)]
    answer_sets += [{"publicity_choice": choice, "publicity_allowed": True} for choice in ("name", "photos")]
    for flow in FLOWS:
        for state, step in flow.steps.items():
            asked = False
            for answers in answer_sets:
                turn = Turn(session, user, language, NOW, copy.deepcopy({"request_id": 0, **answers}))
                try:
                    question = step.ask(turn)
                except (KeyError, TypeError):  # these answers do not reach this question
                    continue
                asked = True
                yield f"{flow.name}/{state}", question
            assert asked, f"{flow.name}/{state} was never asked"


def engine_labels(language: str) -> list[str]:
    """Buttons the engine adds itself: navigation, "more", yes / no prompts, the menu."""
    keys = ["command.back.label", "command.cancel.label", "command.help.label", "conv.confirm_yes",
            "conv.confirm_no", "conv.leave_yes", "conv.leave_no", "conv.resume_continue",
            "conv.resume_restart", "reporting.share_place"]  # fmt: skip
    labels = [t(key, language) for key in keys]
    labels += [t("conv.more", language, page=page) for page in range(1, 10)]
    labels += [t(flow.title_key, language) for flow in FLOWS]
    return labels


@pytest.fixture
def coordinator_with_a_report(app, fake_line) -> ReportChat:
    chat = ReportChat(app, fake_line)
    start(chat, "renewable_electricity")
    chat.say("1,250 หน่วย")
    finish_to_summary(chat)
    chat.tap(t("reporting.confirm", "th"))
    return chat


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_offers_whole_distinct_labels(app, coordinator_with_a_report, language):
    chat = coordinator_with_a_report
    [report] = chat.reports()
    nav = [t("command.back.label", language), t("command.cancel.label", language)]
    problems: set[str] = set()
    walked: set[str] = set()
    with runtime(app).session_factory() as session:
        for where, question in questions(session, chat.user, language, report.id):
            walked.add(where.split("/", 1)[1])
            labels = [choice.text(language) for choice in question.choices]
            if question.location_key:
                labels.append(t(question.location_key, language))
            problems |= {f"{where}: {label!r} is cut" for label in labels if not fits(label)}
            if len(set(labels + nav)) != len(labels + nav):
                problems.add(f"{where}: labels repeat {labels}")
    assert not problems, "\n".join(sorted(problems))
    assert {f"report:field:{field.name}" for kind in calc.activity_types() for field in kind.fields
            if field.kind != "text"} <= walked  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_engine_reminder_and_card_buttons_fit(language):
    labels = engine_labels(language)
    labels += [t(f"reminders.button_{name}", language) for name in ("report", "my_reports", "register")]
    assert [label for label in labels if not fits(label)] == []
    assert fits(t("agencyresults.share", language), MAX_FLEX_BUTTON_LABEL)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_province_and_district_button_fits_and_differs_within_its_list(language):
    turn = Turn(None, "U0", language, NOW, {})  # type: ignore[arg-type]
    provinces = [b.text(language) for b in area_buttons(turn, geothai.provinces())]
    assert [p for p in provinces if not fits(p)] == [] and len(set(provinces)) == len(provinces)
    for province in geothai.provinces():
        districts = [b.text(language) for b in area_buttons(turn, geothai.districts(province.code))]
        assert [d for d in districts if not fits(d)] == [], province.code
        assert len(set(districts)) == len(districts), province.code


def test_a_shortened_area_button_still_takes_the_full_name_typed():
    turn = Turn(None, "U0", "en", NOW, {})  # type: ignore[arg-type]
    button = area_button(turn, geothai.district("3001"))
    assert button.text("en") == "Mueang"
    assert match_choice("Mueang Nakhon Ratchasima", [button]) == button


def test_every_rich_menu_label_fits_and_each_page_s_labels_differ():
    for page in load_menus().pages.values():
        actions = [area["action"] for area in page.rich_menu(page.key)["areas"]]
        labels = [action["label"] for action in actions]
        assert [label for label in labels if not fits(label)] == [], page.key
        assert len(set(labels)) == len(labels), page.key
        for action in actions:
            assert action.get("displayText", action["label"]) == action["label"]
        for tab in page.tabs:
            assert fits(tab.label_en), tab.label_en
        for cell in page.cells:
            assert fits(cell.label_en), cell.label_en


@pytest.mark.parametrize("activity_key", sorted(SCRIPTS))
def test_a_report_s_quick_replies_are_never_cut_and_never_repeat(app, fake_line, activity_key):
    chat = ReportChat(app, fake_line)
    start(chat, activity_key)
    for action, value in SCRIPTS[activity_key][0]:
        chat.tap_starting(value) if action == TAP else chat.say(value)
    finish_to_summary(chat)
    chat.tap(t("reporting.change", "th"))
    items = [
        item["action"]
        for messages in chat.history
        for item in (messages[-1].get("quickReply") or {}).get("items", [])
    ]
    assert [a["label"] for a in items if a.get("displayText", a["label"]) != a["label"]] == []
    for messages in chat.history:
        labels = [item["action"]["label"] for item in (messages[-1].get("quickReply") or {}).get("items", [])]
        assert len(set(labels)) == len(labels), labels
