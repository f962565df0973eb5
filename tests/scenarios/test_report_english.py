"""A whole report in English: a coordinator whose language preference is English gets every question,
the summary card and the receipt from the English catalog, and the stored result is calc's."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import calc
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.flows.report_summary import kg_text
from storage.repositories import UserRepository
from tests.handlers.report_chat import NOW, ReportChat

THAI = re.compile(r"[\u0E00-\u0E7F]")


def question(field: calc.Field, optional: bool = False) -> str:
    """The English question for one field, built from the catalog as the flow words it."""
    if field.choices:
        key = "reporting.ask_species" if field.name == "species" else "reporting.ask_choice"
        return t(key, "en", label=field.label_en)
    units = " / ".join(t(f"unit.{unit}", "en") for unit in field.units)
    return t(
        "reporting.ask_quantity",
        "en",
        label=field.label_en,
        units=units,
        optional=t("reporting.optional", "en") if optional else "",
        hint=t(f"reporting.hint.{field.units[0]}", "en"),
    )


def test_a_whole_report_in_english_asks_summarises_and_stores_calcs_result(app, fake_line):
    chat = ReportChat(app, fake_line)
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, NOW).language = "en"
    kind = calc.activity_type("tree_planting")
    field = {f.name: f for f in kind.fields}
    choice = {f.name: {c.key: c.label_en for c in f.choices} for f in kind.fields if f.choices}

    chat.say(t("report.title", "en"))  # "Report activity", as the English menu says
    assert t("reporting.ask_type", "en") in chat.text
    chat.tap_starting(kind.label_en)
    assert question(field["species"]) in chat.text
    chat.tap(choice["species"]["teak"])
    assert question(field["site_suitability"]) in chat.text
    chat.tap(choice["site_suitability"]["high"])
    assert question(field["area"], optional=True) in chat.text
    chat.say("3 rai")
    assert question(field["tree_count"], optional=True) in chat.text
    chat.tap(t("reporting.skip", "en"))
    assert question(field["years"]) in chat.text
    chat.say("5 years")
    assert t("reporting.ask_period", "en") in chat.text
    chat.say("June 2024")
    assert t("reporting.ask_photos", "en", most=10) in chat.text
    chat.send_photo()
    assert t("reporting.photos_so_far", "en", count=1, most=10) in chat.text
    chat.tap(t("reporting.done", "en"))
    assert t("reporting.ask_place", "en") in chat.text
    chat.tap(t("reporting.skip", "en"))

    inputs = {"species": "teak", "site_suitability": "high", "area": (3, "rai"), "years": (5, "year")}
    expected = calc.compute(
        "tree_planting", inputs, calc.load_factors(), (date(2024, 6, 1), date(2024, 6, 30))
    )
    card = chat.flex_text
    for key in ("summary.title", "summary.activity", "summary.how", "period_label", "photos_label"):
        assert t(f"reporting.{key}", "en") in card
    assert kind.label_en in card and kg_text(expected.kg_co2e) in card
    assert t("reporting.confirm", "en") in chat.buttons and t("reporting.change", "en") in chat.buttons
    said = [m.get("text", "") + m.get("altText", "") for answer in chat.history for m in answer]
    assert not THAI.search("\n".join([*said, card, *chat.buttons]))  # nothing in Thai on the way

    chat.tap(t("reporting.confirm", "en"))
    [report] = chat.reports()
    assert Decimal(report.kg_co2e) == expected.kg_co2e
    shown = kg_text(Decimal(report.kg_co2e))
    ref = f"R-{report.year_be}-{report.sequence:05d}"
    assert t("reporting.stored", "en", ref=ref, kg=shown) in chat.text
