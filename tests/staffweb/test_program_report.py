"""/staff/program-report: the printable report and its workbook download, for signed-in staff only."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

import calc
from handlers.catalog import label, t
from handlers.parsing.numbers import format_number
from tests.handlers.program_report_helpers import expected, seed_round
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, Browser, add_staff_member, signed_in


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def test_the_page_shows_the_approved_figures_by_type_and_province(app, browser):
    now = seed_round(app)
    want = expected(app)
    response = browser.get("/staff/program-report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert t("program_report.title", "th") in page
    assert t("program_report.agencies_of_target", "th", count=4, target=30) in page
    assert format_number(want.kg / 1000) in page
    for key, (_reports, kg) in want.by_type.items():
        assert label(calc.activity_type(key), "th") in page and format_number(kg / 1000) in page
    assert "เชียงใหม่" in page and "ขอนแก่น" in page and "สมุทรปราการ" not in page
    assert t("program_report.not_tracked", "th") not in page  # LORs come from the LOR tracking
    assert t("program_report.lors_issued", "th") in page
    assert t("program_report.event_not_computed", "th") in page
    assert str(now.year + 543) in page  # Buddhist era
    assert 'href="/staff/program-report.xlsx"' in page and 'href="/staff/program-report"' in page
    assert "style=" not in page and "<script>" not in page
    english = browser.get("/staff/program-report?lang=en").get_data(as_text=True)
    assert t("program_report.title", "en") in english and "Chiang Mai" in english


def test_the_download_is_the_workbook_with_the_same_figures(app, browser):
    seed_round(app)
    want = expected(app)
    response = browser.get("/staff/program-report.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    assert browser.get("/staff/program-report.xlsx").data == response.data
    by_type = load_workbook(io.BytesIO(response.data)).worksheets[1]
    total = next(row for row in by_type.iter_rows(values_only=True) if row[0] and row[0].startswith("รวม"))
    assert total[1] == want.reports and total[2] == pytest.approx(float(want.kg / 1000))


def test_without_a_campaign_the_page_says_so_and_there_is_no_download(app, browser):
    assert t("program_report.no_campaign", "th") in browser.get("/staff/program-report").get_data(
        as_text=True
    )
    assert browser.get("/staff/program-report.xlsx").status_code == 404


def test_the_report_needs_a_staff_session(app):
    seed_round(app)
    stranger = Browser(app)
    for path in ("/staff/program-report", "/staff/program-report.xlsx"):
        response = stranger.get(path)
        assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]
