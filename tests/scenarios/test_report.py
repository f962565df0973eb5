"""Reporting an activity through signed webhooks: every activity type ends in a stored report whose
result is calc's on the same inputs and period, the summary card shows it, and bad input keeps the
draft."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

import calc
from bot.fakeline.limits import MAX_BUBBLE_BYTES
from handlers.catalog import t
from handlers.chat.flows.report_summary import kg_text, step_text
from tests.handlers.report_chat import ReportChat

JUNE_2024 = (date(2024, 6, 1), date(2024, 6, 30))
TAP, SAY = "tap", "say"

# For each activity type: what the coordinator does, and the same inputs given to calc directly.
SCRIPTS = {
    "recycling": (
        [(TAP, "กระป๋องอะลูมิเนียม"), (SAY, "120 กก."), (TAP, "แก้ว"), (SAY, "0.5 ตัน"), (TAP, "เสร็จแล้ว")],
        {"aluminium_cans": (120, "kg"), "glass": (500, "kg")},
    ),
    "composting": ([(SAY, "2 ตัน")], {"organic_waste": (2000, "kg")}),
    "tree_planting": (
        [(TAP, "สัก"), (TAP, "ความเหมาะสมสูง"), (SAY, "3 ไร่"), (TAP, "ข้าม"), (SAY, "5 ปี")],
        {"species": "teak", "site_suitability": "high", "area": (3, "rai"), "years": (5, "year")},
    ),
    "forest_conservation": (
        [(TAP, "การฟื้นฟูป่า"), (TAP, "ป่าเบญจพรรณ"), (SAY, "100 ไร่"), (SAY, "10 ปี")],
        {
            "work": "restoration",
            "forest_type": "mixed_deciduous",
            "area": (100, "rai"),
            "years": (10, "year"),
        },
    ),
    "electricity_saving": (
        [(SAY, "10,000 หน่วย"), (SAY, "8,000 kWh")],
        {"baseline_electricity": (10000, "kWh"), "actual_electricity": (8000, "kWh")},
    ),
    "renewable_electricity": ([(SAY, "๑,๒๕๐ หน่วย")], {"electricity_generated": (1250, "kWh")}),
    "fuel_saving": (
        [(TAP, "น้ำมันดีเซล (ยานพาหนะ)"), (SAY, "300 ลิตร")],
        {"fuel": "diesel_mobile", "fuel_saved": (300, "L")},
    ),
    "transport_mode_shift": (
        [(TAP, "รถยนต์ส่วนบุคคล"), (TAP, "รถไฟ"), (SAY, "5,000 คน-กม.")],
        {"baseline_mode": "car", "project_mode": "rail", "passenger_distance": (5000, "pkm")},
    ),
}


def start(chat: ReportChat, activity_key: str) -> None:
    chat.say("รายงานกิจกรรม")
    chat.tap_starting(calc.activity_type(activity_key).label_th)


def finish_to_summary(chat: ReportChat, period: str = "มิ.ย. 2567") -> None:
    chat.say(period)
    chat.send_photo()
    chat.tap(t("reporting.done", "th"))
    chat.tap(t("reporting.skip", "th"))
    assert chat.flex is not None, chat.text


def test_every_activity_type_has_a_script():
    assert set(SCRIPTS) == {kind.key for kind in calc.activity_types()}


@pytest.mark.parametrize("activity_key", sorted(SCRIPTS))
def test_a_scripted_report_is_stored_with_calcs_result_and_the_summary_shows_it(app, fake_line, activity_key):
    actions, inputs = SCRIPTS[activity_key]
    chat = ReportChat(app, fake_line)
    start(chat, activity_key)
    for action, value in actions:
        chat.tap_starting(value) if action == TAP else chat.say(value)
    finish_to_summary(chat)
    expected = calc.compute(activity_key, inputs, calc.load_factors(), JUNE_2024)
    assert "×" in chat.flex_text  # the calculation in words
    if expected.kg_co2e is None:  # no factor shipped yet (forests): said plainly, never zero
        assert t("reporting.summary.needs_factor", "th") in chat.flex_text
        assert "tCO2e" not in chat.flex_text.split(t("reporting.summary.how", "th"))[0]
    else:
        assert kg_text(expected.kg_co2e) in chat.flex_text
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    assert report.status == "submitted" and report.agency_id == chat.agency_id
    assert report.calc_status == expected.status
    if expected.kg_co2e is None:
        assert report.kg_co2e is None
    else:
        assert Decimal(report.kg_co2e) == expected.kg_co2e
    assert f"R-{report.year_be}-{report.sequence:05d}" in chat.text
    assert report.year_be > 2500  # Buddhist era


def test_the_same_kwh_in_2024_and_2026_uses_the_factor_valid_in_each_period(app, fake_line):
    results = {}
    for period, days in (("มิ.ย. 2567", JUNE_2024), ("มิ.ย. 2569", (date(2026, 6, 1), date(2026, 6, 30)))):
        chat = ReportChat(app, fake_line)
        start(chat, "renewable_electricity")
        chat.say("1,250 kWh")
        finish_to_summary(chat, period)
        chat.tap(t("reporting.confirm", "th"))
        [report] = chat.reports()
        expected = calc.compute(
            "renewable_electricity", {"electricity_generated": (1250, "kWh")}, calc.load_factors(), days
        )
        assert Decimal(report.kg_co2e) == expected.kg_co2e
        results[period] = report.result
    assert results["มิ.ย. 2567"] != results["มิ.ย. 2569"]


def test_recycling_every_material_ends_in_a_summary_card_within_lines_limits(app, fake_line):
    kind = calc.activity_type("recycling")
    [materials] = [group for group in kind.one_of if len(group) > 2]
    assert set(materials) == {f.name for f in kind.fields}  # every material recycling accepts
    chat = ReportChat(app, fake_line)
    start(chat, "recycling")
    inputs = {}
    for number, name in enumerate(materials, start=1):
        chat.tap_starting(kind.field(name).label_th)
        chat.say(f"{number * 12.5:g} กก.")
        inputs[name] = (Decimal(f"{number * 12.5:g}"), "kg")
    assert all(f"{kind.field(n).label_th} " in chat.text for n in materials)  # all recorded
    chat.tap(t("reporting.done", "th"))
    finish_to_summary(chat)  # the fake refuses a card outside LINE's Flex schema and limits
    size = len(json.dumps(chat.flex["contents"], ensure_ascii=False, separators=(",", ":")).encode())
    assert size < MAX_BUBBLE_BYTES == 30 * 1024, size
    expected = calc.compute("recycling", inputs, calc.load_factors(), JUNE_2024)
    assert kg_text(expected.kg_co2e) in chat.flex_text
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    assert Decimal(report.kg_co2e) == expected.kg_co2e


def test_the_calculation_in_words_multiplies_area_by_years_like_calc(app, fake_line):
    actions, inputs = SCRIPTS["tree_planting"]
    chat = ReportChat(app, fake_line)
    start(chat, "tree_planting")
    for action, value in actions:
        chat.tap_starting(value) if action == TAP else chat.say(value)
    finish_to_summary(chat)
    [step] = [
        s for s in calc.compute("tree_planting", inputs, calc.load_factors(), JUNE_2024).steps if s.factor
    ]
    assert " × " in step.formula() and " + " not in step.formula()
    line = step_text(step, calc.activity_type("tree_planting"), "th")
    assert line in chat.flex_text and " + " not in line and line.count(" × ") == len(step.inputs)


def test_the_menu_offers_what_the_persons_role_can_do(app, fake_line):
    def labels(key: str) -> str:
        return t(key, "th")

    coordinator = ReportChat(app, fake_line)
    coordinator.say("เมนู")
    assert labels("report.title") in coordinator.buttons
    assert labels("reporting.mine.title") in coordinator.buttons
    assert labels("register.title") not in coordinator.buttons
    subscriber = ReportChat(app, fake_line, coordinator=False)
    subscriber.say("เมนู")
    assert labels("register.title") in subscriber.buttons
    assert labels("report.title") not in subscriber.buttons
