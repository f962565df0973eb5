"""ผลของหน่วยงาน through signed webhooks: the approved agency's card (totals by activity type and by
status from the stored results, the latest five reports, what is missing before the next deadline)
and its share image, stored, signed and served by the app."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageFont, features
from sqlalchemy import select

import calc
from bot.line.share_image import draw_share_image
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.flows.agency_card import SHARE_POSTBACK, total_text
from handlers.chat.flows.report_summary import tonnes_text
from handlers.services.agency_results import COUNTED
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.reports import (
    Draft,
    approve_report,
    needs_fix,
    reference,
    reject_report,
    submit_report,
)
from richmenus import render
from storage.models.program import Agency
from storage.models.reports import Report
from tests.handlers.report_chat import ReportChat
from tests.helpers import Chat, FakeClock
from tests.scenarios.test_report import finish_to_summary, start

BASE_URL = "https://ruamjai.example"
# Bangkok dates of the 2567 campaign: before the report deadline (31 Aug) and between it and the
# evidence deadline (15 Sep).
BEFORE_REPORTS = datetime(2024, 8, 1, 3, 0, tzinfo=UTC)
BEFORE_EVIDENCE = datetime(2024, 9, 5, 3, 0, tzinfo=UTC)
JUNE = (date(2024, 6, 1), date(2024, 6, 30))
SHARE = "&".join(f"{k}={v}" for k, v in SHARE_POSTBACK.items())

INPUTS = {
    "renewable_electricity": {"electricity_generated": {"value": "1250", "unit": "kWh"}},
    "electricity_saving": {
        "baseline_electricity": {"value": "10000", "unit": "kWh"},
        "actual_electricity": {"value": "8000", "unit": "kWh"},
    },
    "composting": {"organic_waste": {"value": "2000", "unit": "kg"}},
    "forest_conservation": {
        "work": "restoration",
        "forest_type": "mixed_deciduous",
        "area": {"value": "100", "unit": "rai"},
        "years": {"value": "10", "unit": "year"},
    },
}


@pytest.fixture(name="clock")
def clock_fixture():
    clock = FakeClock()
    clock.advance(seconds=(BEFORE_REPORTS - clock.now()).total_seconds())
    return clock


@pytest.fixture(name="app")
def app_fixture(make_app, settings, clock):
    app = make_app(replace(settings, public_base_url=BASE_URL), clock=clock)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, clock.now())
    return app


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance(seconds=(when - clock.now()).total_seconds())


def submitted(app, chat: ReportChat, activity_key: str, when: datetime) -> str:
    """A report without photos, stored by the domain function; returns its reference."""
    draft = Draft(uuid.uuid4().hex, activity_key, INPUTS[activity_key], *JUNE)
    with runtime(app).session_factory.begin() as session:
        report, _ = submit_report(session, chat.user, draft, when)
        return reference(report)


def reported_with_photo(chat: ReportChat) -> str:
    """A composting report with a photo, through the chat; returns its reference."""
    start(chat, "composting")
    chat.say("500 กก.")
    finish_to_summary(chat)
    chat.tap(t("reporting.confirm", "th"))
    return reference(chat.reports()[-1])


def stored(app, agency_id: int) -> list[Report]:
    with runtime(app).session_factory() as session:
        return list(session.scalars(select(Report).where(Report.agency_id == agency_id)))


def rows(flex: dict) -> dict[str, str]:
    """label -> value of the card's two-column rows."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("layout") == "baseline":
                label, value = (c["text"] for c in node["contents"])
                found[label] = value
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(flex)
    return found


def expected_total(reports: list[Report]) -> str:
    """What the card should say for these stored reports, summed here from their stored results."""
    numbers = [Decimal(r.kg_co2e) for r in reports if r.kg_co2e is not None]
    waiting = len(reports) - len(numbers)
    if not reports:
        return "-"
    if not numbers:
        return t("agencyresults.needs_factor_only", "th", count=waiting)
    tonnes = tonnes_text(sum(numbers, Decimal(0)))
    if waiting:
        return t("agencyresults.plus_needs_factor", "th", tonnes=tonnes, count=waiting)
    return t("agencyresults.tonnes", "th", tonnes=tonnes)


def test_the_card_totals_the_stored_results_by_type_and_status_and_lists_the_latest_five(app, fake_line):
    chat = ReportChat(app, fake_line)
    with_photo = reported_with_photo(chat)
    base = BEFORE_REPORTS + timedelta(minutes=1)
    refs = [
        submitted(app, chat, key, base + timedelta(minutes=n))
        for n, key in enumerate(
            ["renewable_electricity", "electricity_saving", "forest_conservation", "composting", "composting"]
        )
    ]
    renewable, saving, _forest, rejected, approved_composting = refs
    with runtime(app).session_factory.begin() as session:
        approve_report(session, renewable, "staff", base)
        approve_report(session, approved_composting, "staff", base)
        needs_fix(session, saving, ["actual_electricity"], "ตรวจบิลอีกครั้ง", "staff", base)
        reject_report(session, rejected, "ซ้ำ", "staff", base)

    chat.say("ผลของหน่วยงาน")
    assert chat.flex is not None, chat.text
    shown = rows(chat.flex)
    reports = stored(app, chat.agency_id)
    counted = [r for r in reports if r.status in COUNTED]
    for key in {r.activity_key for r in counted}:
        label = calc.activity_type(key).label_th
        assert shown[label] == expected_total([r for r in counted if r.activity_key == key]), label
    for status in COUNTED:
        label = t(f"reporting.status.{status}", "th")
        assert shown[label] == expected_total([r for r in counted if r.status == status]), status
    # The forest report waits for a factor: said so, never a zero.
    assert shown[calc.activity_type("forest_conservation").label_th] == t(
        "agencyresults.needs_factor_only", "th", count=1
    )
    # The latest five, newest first: the chat's (oldest) report is left out; dates in Buddhist era.
    newest = sorted(reports, key=lambda r: (r.created_at, r.id), reverse=True)
    lines = [line for line in chat.flex_text.splitlines() if line.startswith("R-")]
    assert [line.split(" · ")[0] for line in lines] == [reference(r) for r in newest[:5]]
    assert with_photo not in chat.flex_text
    assert all("2567" in line for line in lines)
    # Before the report deadline: the report sent back is named, nothing else is missing.
    assert t("agencyresults.missing_needs_fix", "th", refs=saving) in chat.flex_text
    assert "ส่งข้อมูลผลการดำเนินกิจกรรมลดก๊าซเรือนกระจก" in chat.flex_text
    assert t("agencyresults.missing_no_report", "th") not in chat.flex_text
    assert t("agencyresults.on_track", "th") not in chat.flex_text
    assert chat.buttons  # the menu, as after any finished answer


def test_before_the_evidence_deadline_reports_without_photos_are_named(app, fake_line, clock):
    chat = ReportChat(app, fake_line)
    with_photo = reported_with_photo(chat)
    bare = submitted(app, chat, "renewable_electricity", BEFORE_REPORTS)
    move_to(clock, BEFORE_EVIDENCE)
    chat.say("ผลของหน่วยงาน")
    assert "ส่งภาพถ่ายและหลักฐานประกอบกิจกรรม" in chat.flex_text
    assert t("agencyresults.missing_no_photos", "th", refs=bare) in chat.flex_text
    assert with_photo not in chat.flex_text.split(t("agencyresults.latest", "th"))[-1].split("•")[-1]

    done = ReportChat(app, fake_line)
    reported_with_photo(done)
    done.say("ผลของหน่วยงาน")
    assert t("agencyresults.on_track", "th") in done.flex_text


def test_an_agency_without_reports_is_told_what_is_missing(app, fake_line):
    chat = ReportChat(app, fake_line)
    chat.tap_data("a=start&f=myagency")  # the rich menu's "my agency"
    assert t("agencyresults.none_yet", "th") in chat.flex_text
    assert t("agencyresults.missing_no_report", "th") in chat.flex_text
    assert set(rows(chat.flex).values()) == {"-"}


def test_someone_without_an_approved_agency_is_answered_politely(app, fake_line):
    stranger = Chat(app.test_client(), fake_line)
    stranger.say("ผลของหน่วยงาน")
    assert t("agency.refused.not_registered", "th") in stranger.text
    stranger.tap_data(SHARE)  # a share button forwarded or kept from an old card
    assert [m["type"] for m in stranger.last] == ["text"]
    assert t("agency.refused.not_registered", "th") in stranger.text


def test_the_share_image_shows_the_verified_total_and_is_served_from_a_signed_url(app, fake_line, settings):
    assert features.check("raqm") and render.font(40).layout_engine == ImageFont.Layout.RAQM
    chat = ReportChat(app, fake_line)
    ref = submitted(app, chat, "renewable_electricity", BEFORE_REPORTS)
    submitted(app, chat, "composting", BEFORE_REPORTS)  # not approved: not in the shared total
    with runtime(app).session_factory.begin() as session:
        approve_report(session, ref, "staff", BEFORE_REPORTS)
    chat.say("ผลของหน่วยงาน")
    button, *_ = [
        node["action"] for node in chat.flex["contents"]["footer"]["contents"] if node["type"] == "button"
    ]
    assert button["label"] == t("agencyresults.share", "th")  # the first, primary button
    chat.tap_data(button["data"])
    image, text = chat.last
    assert text["text"] == t("agencyresults.share_ready", "th")
    url = image["originalContentUrl"]
    assert url.startswith(f"{BASE_URL}/media/") and image["previewImageUrl"] == url
    parts = urlsplit(url)
    served = app.test_client().get(f"{parts.path}?{parts.query}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(served.data)).format == "JPEG"
    # What was drawn: the agency's name and its approved total, from the stored result.
    [approved_report] = [r for r in stored(app, chat.agency_id) if r.status == "approved"]
    with runtime(app).session_factory() as session:
        name = session.get(Agency, chat.agency_id).name
    expected = draw_share_image(
        t("agencyresults.share_title", "th"),
        name,
        tonnes_text(Decimal(approved_report.kg_co2e)),
        t("agencyresults.share_unit", "th"),
    )
    assert served.data == expected
    # Without the signature, or with another one, the image is not served.
    assert app.test_client().get(parts.path).status_code == 403
    assert app.test_client().get(f"{parts.path}?{parts.query[:-3]}abc").status_code == 403
    # Tapped again: the same stored image, not another copy.
    chat.tap_data(button["data"])
    assert urlsplit(chat.last[0]["originalContentUrl"]).path == parts.path
    assert len(list((settings.media_dir / "shares").iterdir())) == 1


def test_total_text_never_shows_zero_for_results_waiting_for_a_factor():
    from handlers.services.agency_results import Total

    total = Total(Decimal(0), reports=2, needs_factor=2)
    assert total_text(total, "th") == t("agencyresults.needs_factor_only", "th", count=2)


@pytest.mark.parametrize(
    "base_url", [None, "http://ruamjai.example", "https://localhost:8443", "https://10.0.0.5"]
)
def test_without_a_public_https_address_the_share_is_declined_honestly(
    make_app, settings, fake_line, base_url
):
    app = make_app(replace(settings, public_base_url=base_url))  # LINE could not fetch the image
    chat = ReportChat(app, fake_line)
    chat.tap_data(SHARE)
    assert [m["type"] for m in chat.last] == ["text"]
    assert chat.text == t("agencyresults.share_not_set_up", "th")
    assert "ภายหลัง" not in chat.text  # never "try later": it will not work later either
    assert not (settings.media_dir / "shares").exists()  # nothing drawn for nobody


def test_the_demo_shares_from_its_own_address(make_app, settings, fake_line):
    """The demo's fake LINE platform and simulator open the demo's local http address."""
    local = "http://127.0.0.1:8000"
    app = make_app(replace(settings, demo=True, public_base_url=local))
    chat = ReportChat(app, fake_line)
    chat.tap_data(SHARE)
    image, text = chat.last
    assert text["text"] == t("agencyresults.share_ready", "th")
    parts = urlsplit(image["originalContentUrl"])
    assert image["originalContentUrl"].startswith(f"{local}/media/shares/")
    served = app.test_client().get(f"{parts.path}?{parts.query}")
    assert served.status_code == 200 and Image.open(io.BytesIO(served.data)).format == "JPEG"
