"""Staff review at the command line reads like a review sheet: agencies and reports in tables with
headers and names, one tCO2e format, a report shown in a few dozen lines (JSON on request), photos
checked against the report's period and province, and an approval that does not pass over a
report's warnings in silence."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from handlers.services.report_review import (
    PHOTO_FAR_FROM_PROVINCE,
    PHOTO_OUTSIDE_PERIOD,
    check_photos,
    tonnes,
)
from storage.models import Photo
from storage.models.program import Agency
from storage.models.reports import Report
from tests.bot.cli.test_report import cli, reported  # noqa: F401
from tests.handlers.domain_helpers import db_fixture  # noqa: F401

CHIANG_MAI = (18.7883, 98.9853)
NEAR_KHON_KAEN = (16.30, 102.60)  # about 30 km from the city, inside the province


def place_in_khon_kaen_with_photo_at(db, point, taken: datetime | None = None) -> Report:
    """The report's agency is in Khon Kaen (40); its photo says it was taken at `point`."""
    with db.begin() as session:
        report = session.scalars(select(Report)).one()
        session.execute(update(Agency).where(Agency.id == report.agency_id).values(province_code="40"))
        session.execute(
            update(Photo)
            .where(Photo.report_id == report.id)
            .values(gps_lat=point[0], gps_lon=point[1], captured_at=taken)
        )
        session.expunge(report)
    return report


def in_period(report: Report) -> datetime:
    return datetime.combine(report.period_start, datetime.min.time(), UTC) + timedelta(hours=6)


def test_a_photo_from_chiang_mai_for_a_khon_kaen_report_and_one_taken_before_the_period_are_flagged(
    app, fake_line, db
):
    reported(app, fake_line)
    report = place_in_khon_kaen_with_photo_at(db, CHIANG_MAI, in_period(_report(db)))
    with db() as session:
        [check] = check_photos(session, session.get(Report, report.id))
    assert check.flags == (PHOTO_FAR_FROM_PROVINCE,) and check.km_from_province > 400
    early = datetime.combine(report.period_start, datetime.min.time(), UTC) - timedelta(days=30)
    place_in_khon_kaen_with_photo_at(db, NEAR_KHON_KAEN, early)
    with db() as session:
        [check] = check_photos(session, session.get(Report, report.id))
    assert check.flags == (PHOTO_OUTSIDE_PERIOD,) and check.km_from_province < 60


def _report(db) -> Report:
    with db() as session:
        report = session.scalars(select(Report)).one()
        session.expunge(report)
        return report


def test_report_list_names_the_agency_and_shows_tonnes_one_way(cli, app, fake_line, db):  # noqa: F811
    _, ref = reported(app, fake_line)
    report = _report(db)
    code, out, _ = cli("report", "list")
    header, row = out.splitlines()
    assert code == 0 and header.split("\t") == [
        "REFERENCE", "STATUS", "AGENCY", "ACTIVITY", "PERIOD", "tCO2e", "FLAGS"
    ]  # fmt: skip
    with db() as session:
        agency = session.get(Agency, report.agency_id)
    fields = row.split("\t")
    assert fields[0] == ref and fields[2] == agency.name and "agency " not in row
    assert fields[5] == tonnes(report.kg_co2e) and re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{3}", fields[5])
    assert (
        tonnes("1187.5000") == "1.188" and tonnes("705.00") == "0.705" and tonnes("12345678") == "12,345.678"
    )


def test_agency_list_has_a_header_and_province_names(cli, app, fake_line, db):  # noqa: F811
    reported(app, fake_line)
    place_in_khon_kaen_with_photo_at(db, NEAR_KHON_KAEN)
    _, out, _ = cli("agency", "list")
    header, row = out.splitlines()
    assert header == "ID\tSTATUS\tPROVINCE\tTYPE\tNAME" and "\tขอนแก่น\t" in row


def test_report_show_is_a_readable_sheet_and_json_on_request(cli, app, fake_line, db):  # noqa: F811
    _, ref = reported(app, fake_line)
    report = place_in_khon_kaen_with_photo_at(db, CHIANG_MAI, in_period(_report(db)))
    code, out, _ = cli("report", "show", ref)
    lines = out.splitlines()
    assert code == 0 and 12 <= len(lines) <= 60
    assert lines[0] == f"{ref}  submitted"
    assert "ขอนแก่น" in out and "Inputs:" in out and "kWh" in out and f"{tonnes(report.kg_co2e)} tCO2e" in out
    assert re.search(r"History:\n  \d{4}-\d\d-\d\d \d\d:\d\d Bangkok  submit by coordinator", out)
    assert "GPS 18.78830, 98.98530" in out and "! taken far from the agency's province" in out
    assert "Approving needs --despite-warnings" in out
    sheet = json.loads(cli("report", "show", ref, "--json")[1])
    [photo] = sheet["photos"]
    assert photo["flags"] == [PHOTO_FAR_FROM_PROVINCE] and photo["lat"] == CHIANG_MAI[0]
    assert sheet["agency"]["province"] == "ขอนแก่น" and sheet["concerns"]


@pytest.mark.parametrize("concern", ["outside_campaign_period", "photo"])
def test_approve_refuses_a_report_with_warnings_until_staff_say_they_looked(
    cli,  # noqa: F811
    app,
    fake_line,
    db,
    concern,
):
    _, ref = reported(app, fake_line)
    if concern == "photo":
        place_in_khon_kaen_with_photo_at(db, CHIANG_MAI, in_period(_report(db)))
    else:
        with db.begin() as session:
            session.execute(update(Report).values(flags=json.dumps([concern])))
    code, _, err = cli("report", "approve", ref)
    assert code == 1 and "not approved" in err and "--despite-warnings" in err
    assert (concern if concern != "photo" else PHOTO_FAR_FROM_PROVINCE) in err
    assert _report(db).status == "submitted"
    code, out, _ = cli("report", "approve", ref, "--despite-warnings")
    assert code == 0 and out.startswith(f"{ref} approved despite: ")
    assert _report(db).status == "approved"
