"""The report flow in people's own words, through signed webhooks: labels typed without การ/ความ or by
their distinctive word, a material with its weight in one message, a tree species not in the list,
each said back before it is kept; a tree report with both an area and a tree count claims the smaller
result and says so; an impossible area is refused and the question asked again."""

from __future__ import annotations

from decimal import Decimal

import calc
from handlers.catalog import t
from tests.handlers.report_chat import ReportChat, stored_result
from tests.scenarios.test_report import finish_to_summary, start


def th(key: str, **params) -> str:
    return t(key, "th", **params)


def understood(answer: str) -> str:
    return th("conv.understood_check", answer=answer)


def test_a_type_typed_without_its_nominaliser_is_said_back_then_kept(app, fake_line):
    chat = ReportChat(app, fake_line)
    chat.say("รายงานกิจกรรม")
    chat.say("ปลูกต้นไม้")
    assert chat.text == understood("การปลูกต้นไม้")
    chat.say("ใช่ค่ะ")
    assert th("reporting.ask_species", label="ชนิดต้นไม้") in chat.text


def test_a_label_s_distinctive_word_is_understood(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "tree_planting")
    chat.tap("สัก")
    chat.say("ปานกลาง")
    assert chat.text == understood("ความเหมาะสมปานกลาง")
    chat.say("ใช่")
    chat.say("3 ไร่")
    chat.tap(th("reporting.skip"))
    chat.say("5 ปี")
    finish_to_summary(chat)
    assert "ความเหมาะสมปานกลาง" in chat.flex_text
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert stored_result(report)["inputs"]["site_suitability"] == "moderate"
    assert Decimal(report.kg_co2e) == Decimal("25800.00")  # 3 rai x 1.72 x 5 years


def test_a_word_that_names_no_single_button_still_asks_for_a_button(app, fake_line):
    chat = ReportChat(app, fake_line)
    chat.say("รายงานกิจกรรม")
    chat.say("ประหยัด")  # electricity or fuel: not one button
    assert th("conv.choose_button") in chat.text
    assert th("reporting.ask_type") in chat.text


def test_a_material_and_its_weight_in_one_message(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "recycling")
    chat.say("กระดาษลัง 2 ตัน")
    assert chat.text == th("reporting.material_check", material="กระดาษลังลูกฟูก", amount="2,000 กิโลกรัม (กก.)")
    chat.say("ใช่")
    assert "• กระดาษลังลูกฟูก 2,000 กิโลกรัม (กก.)" in chat.text
    chat.say("แก้ว ๕๐๐ กก.")  # Thai digits
    chat.say("ใช่")
    chat.tap(th("reporting.done"))
    finish_to_summary(chat)
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    inputs = stored_result(report)["inputs"]
    assert inputs["corrugated_cardboard"] == {"value": "2000", "unit": "kg"}
    assert inputs["glass"] == {"value": "500", "unit": "kg"}


def test_a_material_said_no_to_is_not_kept(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "recycling")
    chat.say("กระดาษลัง 2 ตัน")
    chat.say("ไม่ใช่")
    assert th("reporting.pick_first") in chat.text
    chat.say("ทองคำ 2 กก.")
    assert th("reporting.material_unknown") in chat.text


def test_another_species_is_taken_by_name_and_waits_for_a_rate(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "tree_planting")
    chat.say("ยางนา")
    assert chat.text.startswith(th("reporting.species_other_check", name="ยางนา"))
    chat.say("ใช่")
    chat.tap("ความเหมาะสมสูง")
    chat.say("2 ไร่")
    chat.tap(th("reporting.skip"))
    chat.say("3 ปี")
    finish_to_summary(chat)
    assert "ยางนา" in chat.flex_text
    assert th("reporting.summary.needs_factor") in chat.flex_text
    assert th("reporting.warning.species_not_listed", name="ยางนา") in chat.flex_text
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert report.kg_co2e is None
    inputs = stored_result(report)["inputs"]
    assert (inputs["species"], inputs["species_name"]) == ("other", "ยางนา")


def test_the_other_species_button_asks_for_the_name(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "tree_planting")
    chat.tap("ชนิดอื่น")
    assert th("reporting.species_other_ask") in chat.text
    chat.say("ประดู่")
    assert chat.text.startswith(th("reporting.species_other_check", name="ประดู่"))


def tree_with_area_and_count(chat: ReportChat, area: str) -> None:
    start(chat, "tree_planting")
    chat.tap("ยูคาลิปตัส")
    chat.tap("ความเหมาะสมสูง")
    chat.say(area)


def test_an_area_and_a_count_claim_the_smaller_result_as_the_card_says(app, fake_line):
    chat = ReportChat(app, fake_line)
    tree_with_area_and_count(chat, "100 ไร่")
    chat.say("2,000 ต้น")
    chat.say("5 ปี")
    finish_to_summary(chat)
    card = chat.flex_text
    # 2,000 trees / 267 per rai x 6.09 t x 5 years = 228.09 t; 100 rai would have been 3,045 t.
    assert th("reporting.summary.result", tonnes="228.09", kg="228,089.89") in card
    assert th("reporting.warning.area_and_count_given", field="จำนวนต้นไม้ที่ปลูก") in card
    assert "3,045 ตัน CO2e" in card and "228.09 ตัน CO2e" in card
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert round(Decimal(report.kg_co2e), 2) == Decimal("228089.89")
    assert stored_result(report)["status"] == calc.STATUS_NEEDS_REVIEW


def test_an_area_and_a_count_in_english_say_the_same(app, fake_line):
    from bot.runtime import runtime
    from storage.repositories import UserRepository
    from tests.handlers.report_chat import NOW

    chat = ReportChat(app, fake_line)
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, NOW).language = "en"
    chat.say("report")
    chat.tap_starting("Tree planting")
    chat.tap("Eucalyptus")
    chat.tap("High")
    chat.say("1 rai")
    chat.say("2000 trees")
    chat.say("5 years")
    chat.say("June 2024")
    chat.send_photo()
    chat.tap(t("reporting.done", "en"))
    chat.tap(t("reporting.skip", "en"))
    card = chat.flex_text
    assert t("reporting.summary.result", "en", tonnes="30.45", kg="30,450") in card
    assert t("reporting.warning.area_and_count_given", "en", field="Planted area") in card


def test_an_area_no_agency_could_plant_is_refused_and_the_question_asked_again(app, fake_line):
    chat = ReportChat(app, fake_line)
    tree_with_area_and_count(chat, "5,000,000 ไร่")
    refusal = th("reporting.beyond_limit", label="พื้นที่ปลูก", value="5,000,000 ไร่", most="258,750 ไร่")
    assert refusal in chat.text
    assert "พื้นที่ปลูก เท่าไรคะ" in chat.text  # the same question again
    chat.say("258,750 ไร่")  # the limit itself is possible (and flagged as unusual)
    assert "จำนวนต้นไม้ที่ปลูก เท่าไรคะ" in chat.text
