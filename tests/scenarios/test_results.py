"""ผลการดำเนินงาน (Results) through signed webhooks: the active campaign's verified figures, from
the stored results of approved reports only, by activity type, and the agencies taking part
against the campaign's target; in Thai and English."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

import calc
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.flows.report_summary import tonnes_text
from handlers.chat.pages.results import results_card
from handlers.services.agency_results import campaign_results
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.reports import Draft, approve_report, reference, reject_report, submit_report
from storage.models.reports import Report
from storage.repositories import UserRepository
from tests.handlers.domain_helpers import approved, db_fixture, registered  # noqa: F401
from tests.helpers import Chat

NOW = datetime(2024, 8, 1, 3, 0, tzinfo=UTC)
JUNE = (date(2024, 6, 1), date(2024, 6, 30))
RESULTS_TAP = "a=info&k=results"
COMPOSTING = {"organic_waste": {"value": "2000", "unit": "kg"}}
SAVING = {
    "baseline_electricity": {"value": "10000", "unit": "kWh"},
    "actual_electricity": {"value": "8000", "unit": "kWh"},
}


def texts_of(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["text"]] if node.get("type") == "text" else []) + [
            text for value in node.values() for text in texts_of(value)
        ]
    if isinstance(node, list):
        return [text for value in node for text in texts_of(value)]
    return []


def report(db, user: str, key: str, inputs: dict, decision: str | None = None) -> str:
    with db.begin() as session:
        made, _ = submit_report(session, user, Draft(uuid.uuid4().hex, key, inputs, *JUNE), NOW)
        ref = reference(made)
        if decision == "approve":
            approve_report(session, ref, "staff", NOW)
        elif decision == "reject":
            reject_report(session, ref, "ไม่มีหลักฐาน", "staff", NOW)
        return ref


def approved_kg(db) -> dict[str, Decimal]:
    with db() as session:
        rows = session.scalars(select(Report).where(Report.status == "approved"))
        totals: dict[str, Decimal] = {}
        for row in rows:
            totals[row.activity_key] = totals.get(row.activity_key, Decimal(0)) + Decimal(row.kg_co2e)
        return totals


@pytest.fixture(name="round_with_reports")
def round_fixture(db):
    with db.begin() as session:
        assert load_campaign(session, EXAMPLE_CAMPAIGN, NOW).ok
    first, _ = approved(db, name="เทศบาลตำบลหนึ่ง")
    second, _ = approved(db, name="เทศบาลตำบลสอง", province="50", district="5007")
    registered(db, name="เทศบาลตำบลสาม", province="40", district=None)  # pending: not taking part yet
    report(db, first, "composting", COMPOSTING, "approve")
    report(db, first, "electricity_saving", SAVING, "approve")
    report(db, second, "composting", COMPOSTING, "approve")
    report(db, second, "composting", COMPOSTING)  # waiting for review: not counted
    report(db, second, "electricity_saving", SAVING, "reject")  # rejected: not counted


def test_results_show_the_verified_totals_by_type_and_agencies_against_the_target(
    app, db, fake_line, round_with_reports
):
    chat = Chat(app.test_client(), fake_line)
    chat.tap_data(RESULTS_TAP)
    [card] = chat.last
    assert card["type"] == "flex"
    shown = texts_of(card["contents"])
    totals = approved_kg(db)
    everything = sum(totals.values(), Decimal(0))
    assert t("agencyresults.tonnes", "th", tonnes=tonnes_text(everything)) in shown
    for key, kg in totals.items():
        label = calc.activity_type(key).label_th
        at = shown.index(label)
        assert shown[at + 1] == t("agencyresults.tonnes", "th", tonnes=tonnes_text(kg))
    assert calc.activity_type("tree_planting").label_th not in shown  # nothing verified of it
    assert t("agencyresults.agencies", "th", count=2, target=30) in shown
    assert t("agencyresults.reporting_agencies", "th", count=2) in shown
    assert "2 จากเป้าหมาย 30" in card["altText"]


def test_typed_results_in_english(app, db, fake_line, round_with_reports):
    chat = Chat(app.test_client(), fake_line)
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, NOW).language = "en"
    chat.say("results")
    shown = texts_of(chat.last[0]["contents"])
    assert t("agencyresults.campaign_title", "en") in shown
    assert t("agencyresults.agencies", "en", count=2, target=30) in shown
    assert (
        t("agencyresults.tonnes", "en", tonnes=tonnes_text(sum(approved_kg(db).values(), Decimal(0))))
        in shown
    )


def test_before_any_verified_report_the_card_says_so(app, db, fake_line):
    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    chat = Chat(app.test_client(), fake_line)
    chat.say("ผลการดำเนินงาน")
    shown = texts_of(chat.last[0]["contents"])
    assert t("agencyresults.none_verified", "th") in shown
    assert t("agencyresults.agencies", "th", count=0, target=30) in shown


def test_without_an_active_round_the_results_explain_how_they_are_made(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ผลการดำเนินงาน")
    assert chat.text == t("info.results", "th")


def test_a_public_results_page_adds_a_button_under_the_same_figures(db, round_with_reports):
    with db() as session:
        results = campaign_results(session, NOW)
        plain = results_card(results, "th")
        linked = results_card(results, "th", page_url="https://ruamjai.example.go.th/results")
    assert linked["body"] == plain["body"] and "footer" not in plain
    [button] = linked["footer"]["contents"]
    assert button["action"] == {
        "type": "uri",
        "label": t("agencyresults.open_page", "th"),
        "uri": "https://ruamjai.example.go.th/results",
    }
