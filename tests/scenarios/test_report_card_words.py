"""The summary card's calculation in words, through signed webhooks: each line names what it is, each
source is said once in the reader's language with its dataset@version, baseline − project is written
out, every figure has its unit; and each number question has its own example."""

from __future__ import annotations

import re

from handlers.catalog import t
from tests.handlers.report_chat import ReportChat
from tests.scenarios.test_report import SCRIPTS, TAP, finish_to_summary, start

WARM_TITLE = "Waste Reduction Model (WARM), version 16"
OLD_HINT = "เช่น 1,250 หน่วย, 3 ไร่, 2 ตัน"


def th(key: str, **params) -> str:
    return t(key, "th", **params)


def recycling_card(chat: ReportChat) -> str:
    start(chat, "recycling")
    for material, weight in (("กระป๋องอะลูมิเนียม", "120 กก."), ("แก้ว", "0.5 ตัน"), ("พลาสติก PET", "80 กก.")):
        chat.tap(material)
        chat.say(weight)
    chat.tap(th("reporting.done"))
    finish_to_summary(chat)
    return chat.flex_text


def test_recycling_lines_name_their_material_and_the_source_is_said_once_in_thai(app, fake_line):
    card = recycling_card(ReportChat(app, fake_line))
    lines = card.splitlines()
    assert "กระป๋องอะลูมิเนียม: 120 กก. × 10.06 กก.CO2e ต่อ กก. = 1,207.2 กก.CO2e" in lines
    assert "แก้ว: 500 กก. × 0.31 กก.CO2e ต่อ กก. = 155 กก.CO2e" in lines
    assert "พลาสติก PET: 80 กก. × 1.15 กก.CO2e ต่อ กก. = 92 กก.CO2e" in lines
    source = th(
        "reporting.summary.source",
        source=th("reporting.source_name.epa-warm-v16"),
        ref="epa-warm-v16@1",
        confidence=th("reporting.confidence.proxy"),
    )
    assert card.count(source) == 1
    assert card.count(th("reporting.summary.proxy")) == 1
    assert WARM_TITLE not in card and "Factor from" not in card


def test_electricity_writes_baseline_minus_project_with_units(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "electricity_saving")
    chat.say("10,000 หน่วย")
    chat.say("8,000 kWh")
    finish_to_summary(chat)
    lines = chat.flex_text.splitlines()
    assert "ก่อนทำกิจกรรม: 10,000 หน่วย (kWh) × 0.4999 กก.CO2e ต่อ หน่วย (kWh) = 4,999 กก.CO2e" in lines
    assert "ระหว่างทำกิจกรรม: 8,000 หน่วย (kWh) × 0.4999 กก.CO2e ต่อ หน่วย (kWh) = 3,999.2 กก.CO2e" in lines
    assert th("reporting.summary.difference", baseline="4,999", project="3,999.2", result="999.8") in lines
    assert "ลดได้ = ก่อนทำ 4,999 − หลังทำ 3,999.2 = 999.8 กก.CO2e" in lines


def test_the_equivalence_carries_its_unit(app, fake_line):
    card = recycling_card(ReportChat(app, fake_line))
    [line] = [line for line in card.splitlines() if line.startswith("เทียบได้กับ")]
    assert re.search(r"ประมาณ [\d,]+–[\d,]+ ต้น ", line), line


def test_every_thai_card_keeps_english_source_titles_out(app, fake_line):
    for activity_key in ("composting", "fuel_saving", "transport_mode_shift", "tree_planting"):
        chat = ReportChat(app, fake_line)
        start(chat, activity_key)
        for action, value in SCRIPTS[activity_key][0]:
            chat.tap_starting(value) if action == TAP else chat.say(value)
        finish_to_summary(chat)
        card = chat.flex_text
        assert "(ชุดข้อมูล " in card and "Factor from" not in card
        assert not re.search(r"(conversion factors|emission factors|booklet|WARM)", card), activity_key


def test_an_english_card_says_its_sources_in_english(app, fake_line):
    from bot.runtime import runtime
    from storage.repositories import UserRepository
    from tests.handlers.report_chat import NOW

    chat = ReportChat(app, fake_line)
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, NOW).language = "en"
    chat.say("report")
    chat.tap("Electricity saving")
    chat.say("10000 kWh")
    chat.say("8000 kWh")
    chat.say("June 2024")
    chat.send_photo()
    chat.tap(t("reporting.done", "en"))
    chat.tap(t("reporting.skip", "en"))
    lines = chat.flex_text.splitlines()
    assert "Reduction = before 4,999 − after 3,999.2 = 999.8 kgCO2e" in lines
    assert (
        "• "
        + t(
            "reporting.summary.source",
            "en",
            source=t("reporting.source_name.tgo-cfo-2022", "en"),
            ref="tgo-cfo-2022@1",
            confidence=t("reporting.confidence.secondary", "en"),
        )
        in lines
    )


def test_each_number_question_has_its_own_example(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "tree_planting")
    chat.tap("สัก")
    chat.tap("ความเหมาะสมสูง")
    area_question = chat.text
    chat.say("3 ไร่")
    count_question = chat.text
    chat.say("300 ต้น")
    years_question = chat.text
    assert th("reporting.hint.rai") in area_question
    assert th("reporting.hint.trees") in count_question
    assert th("reporting.hint.year") in years_question
    electricity = ReportChat(app, fake_line)
    start(electricity, "electricity_saving")
    assert th("reporting.hint.baseline_electricity") in electricity.text
    for question in (area_question, count_question, years_question, electricity.text):
        assert OLD_HINT not in question
