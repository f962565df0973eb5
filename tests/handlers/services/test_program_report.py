"""The program report's figures equal the approved reports summed by activity type and by province;
the LOR count and the event footprint show only when a source is wired in; the workbook carries
the same numbers and is the same bytes for the same data."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.program_report import EventFigures, program_report
from handlers.services.program_report_xlsx import FIXED_TIME, program_report_xlsx
from tests.handlers.program_report_helpers import expected, seed_round


@pytest.fixture
def seeded(app):
    return seed_round(app)


def test_the_figures_are_the_approved_reports_summed_by_type_and_by_province(app, seeded):
    want = expected(app)
    with runtime(app).session_factory() as session:
        report = program_report(session, seeded)
    assert report is not None
    assert want.reports == 4 and want.agencies == 4  # the seeding did what the test assumes
    assert (report.agencies, report.target, report.reporting_agencies) == (4, 30, 3)
    assert (report.total.reports, report.total.kg) == (want.reports, want.kg)
    got_types = {key: (total.reports, total.kg) for key, total in report.by_type.items() if total.reports}
    assert got_types == want.by_type
    provinces = {line.province_code: (line.total.reports, line.total.kg) for line in report.by_province}
    assert provinces == want.by_province | {"40": want.by_province["40"]}
    assert {line.province_code: line.agencies for line in report.by_province} == want.agencies_by_province
    assert next(line.province_code for line in report.by_province) == max(
        want.by_province, key=lambda code: want.by_province[code][1]
    )
    assert "11" not in provinces  # the pending agency's province
    assert report.lors_issued is None and report.event is None and not report.event_tracked


def test_lors_and_the_event_footprint_come_from_the_sources_passed_in(app, seeded):
    with runtime(app).session_factory() as session:
        report = program_report(
            session,
            seeded,
            lors=lambda _session, _campaign: 2,
            event=lambda _session, _campaign: EventFigures(Decimal(5000), Decimal(6000)),
        )
    assert report.lors_issued == 2
    assert report.event.net_kg == Decimal(-1000) and report.event.carbon_neutral
    with runtime(app).session_factory() as session:
        waiting = program_report(session, seeded, event=lambda _session, _campaign: None)
    assert waiting.event is None and waiting.event_tracked


def test_no_report_without_an_active_campaign(app):
    with runtime(app).session_factory() as session:
        assert program_report(session, datetime.now(UTC)) is None


def _values(sheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_workbook_has_the_figures_in_thai_and_english_and_the_same_bytes_each_time(app, seeded):
    want = expected(app)
    with runtime(app).session_factory() as session:
        report = program_report(session, seeded)
    data = program_report_xlsx(report)
    assert program_report_xlsx(report) == data
    entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    fixed = (FIXED_TIME.year, FIXED_TIME.month, FIXED_TIME.day, 0, 0, 0)
    assert {entry.date_time for entry in entries} == {fixed}  # not the time it was written
    book = load_workbook(io.BytesIO(data))
    summary, by_type, by_province = book.worksheets
    rows = {row[0]: row[1] for row in _values(summary) if row and row[0]}
    heading = f"{t('program_report.agencies', 'th')}\n{t('program_report.agencies', 'en')}"
    assert rows[heading] == 4
    tonnes = f"{t('program_report.t_co2e', 'th')}\n{t('program_report.t_co2e', 'en')}"
    assert rows[tonnes] == pytest.approx(float(want.kg / 1000))
    lors = f"{t('program_report.lors_issued', 'th')}\n{t('program_report.lors_issued', 'en')}"
    assert rows[lors].startswith(t("program_report.not_tracked", "th"))
    assert str(seeded.year + 543) in _values(summary)[2][0]  # Buddhist era
    type_rows = {row[0].split("\n")[1]: row[1:] for row in _values(by_type)[5:]}
    assert type_rows["Composting organic waste"][0] == want.by_type["composting"][0]
    assert type_rows["Composting organic waste"][1] == pytest.approx(
        float(want.by_type["composting"][1] / 1000)
    )
    total = type_rows[t("program_report.total", "en")]
    assert total[0] == want.reports and total[1] == pytest.approx(float(want.kg / 1000))
    province_rows = {row[0].split("\n")[0]: row[1:] for row in _values(by_province)[5:]}
    assert province_rows["เชียงใหม่"][:2] == [2, want.by_province["50"][0]]
    assert province_rows["เชียงใหม่"][2] == pytest.approx(float(want.by_province["50"][1] / 1000))
    assert book.properties.creator == "Ruamjai"
    assert str(summary.page_setup.paperSize) == summary.PAPERSIZE_A4
