"""The LESS package of an agency and period: approved reports only, totals equal to the stored
results, every photo in the ZIP with the hash the manifest gives, the same bytes every time; refused
with the list of what TGO would send back, nothing written and nothing recorded."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.runtime import runtime
from handlers.services.less_package import (
    LESS_DECIMALS,
    LessRefused,
    package_problems,
    t_co2e,
    write_package,
)
from storage.models.program import AuditEntry
from storage.models.reports import Report
from tests.handlers.domain_helpers import NOW
from tests.handlers.less_helpers import EXAMPLES, PERIOD, add_report, seed_agency


def build(app, agency_id: int, period=PERIOD) -> bytes:
    rt = runtime(app)
    out = io.BytesIO()
    with rt.session_factory.begin() as session:
        write_package(session, agency_id, period, NOW, out, media=rt.media, actor="staff:1")
    return out.getvalue()


def test_the_package_holds_the_workbook_every_photo_and_a_manifest_of_hashes(app):
    seeded = seed_agency(app)
    data = build(app, seeded.agency_id)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "less-summary.xlsx" and names[-1] == "manifest.json"
    manifest = json.loads(archive.read("manifest.json"))
    listed = {item["name"]: item["sha256"] for item in manifest["files"]}
    assert set(listed) == set(names) - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    book = load_workbook(io.BytesIO(archive.read("less-summary.xlsx")))
    summary, reports, photos = book.worksheets
    # Every photo the index names is in the ZIP, named by its report's reference.
    index = [row[0] for row in photos.iter_rows(min_row=3, values_only=True)]
    assert len(index) == 8 and set(index) <= set(names)
    assert f"photos/{seeded.refs[0]}-1.jpg" in index and f"photos/{seeded.refs[0]}-2.jpg" in index
    assert [row[0] for row in reports.iter_rows(min_row=3, values_only=True)] == seeded.refs
    # The total is the sum of the stored results, to the decimals LESS uses.
    with runtime(app).session_factory() as session:
        stored = session.scalars(select(Report.kg_co2e).where(Report.status == "approved")).all()
    exact = sum((Decimal(kg) for kg in stored), Decimal(0))
    total_row = [
        row for row in summary.iter_rows(values_only=True) if row and row[0] and "รวม" in str(row[0])
    ]
    assert Decimal(str(total_row[-1][10])) == t_co2e(exact)
    assert t_co2e(exact).as_tuple().exponent == -LESS_DECIMALS
    # Each activity's row: its reduction is the sum of its reports' results, rounded once.
    by_activity: dict[str, Decimal] = {}
    with runtime(app).session_factory() as session:
        for key, kg in session.execute(select(Report.activity_key, Report.kg_co2e)):
            by_activity[key] = by_activity.get(key, Decimal(0)) + Decimal(kg)
    rows = [row for row in summary.iter_rows(min_row=15, values_only=True) if row[1]]
    assert [Decimal(str(row[10])) for row in rows] == [t_co2e(kg) for kg in by_activity.values()]
    text = "\n".join(str(cell) for row in summary.iter_rows(values_only=True) for cell in row if cell)
    assert "LESS-WM-01" in text and "@" in text and "นักวิชาการ" in text
    assert "สมชาย" not in text and "+668" not in text and "081" not in text  # no names, no phones
    assert book.properties.created.year == 2024 and book.properties.creator == "Ruamjai"
    with runtime(app).session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "less_package")).one()
        assert entry.subject == f"agency:{seeded.agency_id}" and entry.actor == "staff:1"


def test_a_second_build_gives_the_same_bytes(app):
    seeded = seed_agency(app)
    first = build(app, seeded.agency_id)
    second = build(app, seeded.agency_id)
    assert first == second
    xlsx = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(io.BytesIO(first)).read("less-summary.xlsx")))
    assert {info.date_time for info in xlsx.infolist()} == {(2024, 6, 30, 0, 0, 0)}
    assert b"2024-06-30T00:00:00Z" in xlsx.read("docProps/core.xml")


def test_rejected_and_withdrawn_reports_stay_out_and_do_not_block(app):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    rt = runtime(app)
    from handlers.services.reports import reject_report

    with rt.session_factory.begin() as session:
        ref = add_report(session, rt.media, seeded.user, *EXAMPLES[2], status="submitted")
        reject_report(session, ref, "ซ้ำ", "staff:1", NOW)
    names = zipfile.ZipFile(io.BytesIO(build(app, seeded.agency_id))).namelist()
    assert not any(ref in name for name in names)


def test_a_package_tgo_would_send_back_is_refused_with_the_list_and_nothing_written(app):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        waiting = add_report(session, rt.media, seeded.user, *EXAMPLES[0], status="submitted")
        fixing = add_report(session, rt.media, seeded.user, *EXAMPLES[2], status="needs_fix")
        bare = add_report(session, rt.media, seeded.user, *EXAMPLES[3], photos=0)
        no_factor = add_report(
            session, rt.media, seeded.user, "fuel_saving",
            {"fuel": "gasohol_e10", "fuel_saved": {"value": "100", "unit": "L"}},
        )  # fmt: skip
    with rt.session_factory() as session:
        problems = package_problems(session, seeded.agency_id, PERIOD, NOW)
    assert [(p.code, p.ref) for p in problems] == [
        ("under_review", waiting),
        ("needs_fix", fixing),
        ("no_photos", bare),
        ("needs_factor", no_factor),
    ]
    assert problems[0].text("th") == f"{waiting}: ยังอยู่ระหว่างตรวจ"
    assert problems[3].text("en") == f"{no_factor}: the result is waiting for an emission factor."
    out = io.BytesIO()
    with pytest.raises(LessRefused) as refused, rt.session_factory.begin() as session:
        write_package(session, seeded.agency_id, PERIOD, NOW, out, media=rt.media)
    assert refused.value.problems == problems and out.getvalue() == b""
    with rt.session_factory() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "less_package")
            )
            == 0
        )


def test_a_report_running_past_the_period_and_an_empty_period_are_named(app):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    with runtime(app).session_factory() as session:
        july = package_problems(
            session, seeded.agency_id, (PERIOD[0].replace(month=7), PERIOD[1].replace(month=7, day=31)), NOW
        )
        assert [p.code for p in july] == ["nothing_approved"]
        third = package_problems(session, seeded.agency_id, (PERIOD[0].replace(day=3), PERIOD[1]), NOW)
        assert [(p.code, p.ref) for p in third] == [("straddles", seeded.refs[0]), ("nothing_approved", None)]
        assert [p.code for p in package_problems(session, 999_999, PERIOD, NOW)] == ["unknown_agency"]


class Unseekable(io.RawIOBase):
    """A pipe-like target (a socket, stdout): written once, front to back."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        return len(chunk)


def test_the_package_streams_to_a_target_that_cannot_seek(app):
    seeded = seed_agency(app, reports=EXAMPLES[:2])
    rt = runtime(app)
    out = Unseekable()
    with rt.session_factory.begin() as session:
        summary = write_package(session, seeded.agency_id, PERIOD, NOW, out, media=rt.media)
    archive = zipfile.ZipFile(io.BytesIO(bytes(out.data)))
    assert archive.testzip() is None and len(archive.namelist()) == summary.files == 6
