"""The program's submission batch: which agencies are ready and what the others lack; one ZIP whose
packages are byte for byte the agencies' own packages, a cover sheet whose totals are the sums of the
stored results, a manifest of hashes, the same bytes every time; the record with those hashes, the
LOR cases moved to package ready once; a choice with an agency not ready refused, nothing recorded."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

import calc
from bot.runtime import runtime
from handlers.services import less_batch
from handlers.services.less_package import t_co2e, write_package
from handlers.services.report_reference import reference
from storage.models import AuditEntry, LessBatch, LessBatchPackage, LorCase, Photo, Report
from tests.handlers.domain_helpers import NOW, pushed_texts
from tests.handlers.less_batch_helpers import seed_program
from tests.handlers.less_helpers import PERIOD, jpeg


@pytest.fixture
def program(app):
    return seed_program(app)


def build(app, ids, record=False, key=None):
    rt = runtime(app)
    out = io.BytesIO()
    with rt.session_factory.begin() as session:
        prepared = less_batch.prepare_batch(session, ids, PERIOD, NOW)
    built = less_batch.write_batch(prepared, out, rt.media)
    if record:
        with rt.session_factory.begin() as session:
            less_batch.record_batch(
                session, prepared, built, "staff:1", NOW, idempotency_key=key, media=rt.media
            )
    return out.getvalue(), prepared, built


def count(app, model) -> int:
    with runtime(app).session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_readiness_names_what_each_agency_lacks(app, program):
    with runtime(app).session_factory() as session:
        rows = {row.agency_id: row for row in less_batch.readiness(session, PERIOD, NOW)}
    assert rows[program.ready[0]].ready and rows[program.ready[1]].ready
    reviewing = rows[program.reviewing]
    assert not reviewing.ready
    assert [(p.code, p.ref) for p in reviewing.problems] == [
        ("under_review", program.refs[program.reviewing][1])
    ]
    lacking = [(p.code, p.ref) for p in rows[program.factor].problems]
    refs = program.refs[program.factor]
    assert lacking == [("needs_factor", refs[1]), ("no_photos", refs[2])]
    assert rows[program.factor].problems[1].text("th") == f"{refs[2]}: ไม่มีภาพถ่ายหลักฐาน"


def test_the_batch_holds_each_package_byte_for_byte_a_cover_and_a_manifest(app, program):
    data, prepared, built = build(app, program.ready)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "less-batch-cover.xlsx" and names[-1] == "manifest.json"
    rt = runtime(app)
    for agency_id in program.ready:
        alone = io.BytesIO()
        with rt.session_factory.begin() as session:
            write_package(session, agency_id, PERIOD, NOW, alone, media=rt.media)
        inside = [name for name in names if name.startswith(f"packages/agency-{agency_id:04d}-")]
        assert len(inside) == 1 and archive.read(inside[0]) == alone.getvalue()
    assert f"packages/agency-{program.ready[1]:04d}-โรงเรียนบ้านบางพลี-ชั้น-2-3.zip" in names
    manifest = json.loads(archive.read("manifest.json"))
    listed = {item["name"]: item["sha256"] for item in manifest["files"]}
    assert set(listed) == set(names) - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert built.zip_sha256 == hashlib.sha256(data).hexdigest()
    # The cover's totals: the stored results summed, by activity type and in all, to LESS's decimals.
    book = load_workbook(io.BytesIO(archive.read("less-batch-cover.xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    with rt.session_factory() as session:
        stored = session.execute(
            select(Report.activity_key, Report.kg_co2e).where(
                Report.agency_id.in_(program.ready), Report.status == "approved"
            )
        ).all()
    by_type: dict[str, Decimal] = {}
    for key, kg in stored:
        by_type[key] = by_type.get(key, Decimal(0)) + Decimal(kg)
    total_row = [row for row in rows if row[0] and str(row[0]).startswith("รวม")][-1]
    assert Decimal(str(total_row[3])) == t_co2e(sum(by_type.values(), Decimal(0)))
    assert total_row[2] == len(stored) == 5
    type_rows = {str(row[0]).split("\n")[1]: row for row in rows[rows.index(total_row) - len(by_type) : -1]}
    assert {calc.activity_type(key).label_en: t_co2e(kg) for key, kg in by_type.items()} == {
        name: Decimal(str(row[3])) for name, row in type_rows.items()
    }
    text = "\n".join(str(cell) for row in rows for cell in row if cell)
    assert prepared.label in text and "นนทบุรี" in text and "Nonthaburi" in text and "2567" in text


def test_a_second_build_gives_the_same_bytes(app, program):
    first, _, _ = build(app, program.ready)
    second, _, _ = build(app, list(reversed(program.ready)))
    assert first == second


def test_the_record_lists_the_hashes_moves_lor_once_and_a_retry_records_nothing(app, program, fake_line):
    data, _, _ = build(app, program.ready, record=True, key="k-1")
    build(app, program.ready, record=True, key="k-1")  # the same POST again
    build(app, program.ready, record=True)  # the same choice a moment later
    assert count(app, LessBatch) == 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    with runtime(app).session_factory() as session:
        batch = session.scalars(select(LessBatch)).one()
        assert batch.actor == "staff:1" and batch.zip_sha256 == hashlib.sha256(data).hexdigest()
        assert batch.cover_sha256 == hashlib.sha256(archive.read("less-batch-cover.xlsx")).hexdigest()
        recorded = {p.file_name: p.sha256 for p in session.scalars(select(LessBatchPackage))}
        assert recorded == {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if "packages/" in name
        }
        assert {case.agency_id: case.status for case in session.scalars(select(LorCase))} == {
            agency_id: "package_ready" for agency_id in program.ready
        }
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "less_batch")
            )
            == 1
        )
        again = less_batch.prepare_again(session, batch.id, NOW)
    out = io.BytesIO()
    rebuilt = less_batch.write_batch(again[1], out, runtime(app).media)
    assert out.getvalue() == data
    with runtime(app).session_factory() as session:
        assert less_batch.differences(session, session.get(LessBatch, batch.id), rebuilt) == []
    # Each ready agency's coordinator heard of "package ready" once; the others heard nothing.
    for agency_id, user in program.users.items():
        heard = [text for text in pushed_texts(app, fake_line, user) if "พร้อมส่งให้ อบก." in text]
        assert len(heard) == (1 if agency_id in program.ready else 0)


def test_a_choice_with_an_agency_not_ready_is_refused_and_nothing_recorded(app, program):
    rt = runtime(app)
    with pytest.raises(less_batch.BatchRefused) as refused, rt.session_factory() as session:
        less_batch.prepare_batch(session, [*program.ready, program.reviewing, program.factor], PERIOD, NOW)
    assert set(refused.value.problems) == {program.reviewing, program.factor}
    with pytest.raises(less_batch.BatchRefused) as empty, rt.session_factory() as session:
        less_batch.prepare_batch(session, [], PERIOD, NOW)
    assert empty.value.code == "none_chosen"
    assert count(app, LessBatch) == 0 and count(app, LorCase) == 0


def test_a_rebuild_after_a_photo_changed_names_the_package_that_differs(app, program):
    _, prepared, _ = build(app, program.ready, record=True, key="k-2")
    rt = runtime(app)
    with rt.session_factory() as session:
        batch = session.scalars(select(LessBatch)).one()
        ref = program.refs[program.ready[1]][0]
        agency_reports = session.scalars(select(Report).where(Report.agency_id == program.ready[1]))
        report = next(r for r in agency_reports if reference(r) == ref)
        key = session.scalars(select(Photo.display_key).where(Photo.report_id == report.id)).first()
    rt.media.put(key, jpeg(4242), "image/jpeg")
    with rt.session_factory() as session:
        again = less_batch.prepare_again(session, batch.id, NOW)
        rebuilt = less_batch.write_batch(again[1], io.BytesIO(), rt.media)
        changed = prepared.packages[1][0]
        assert less_batch.differences(session, session.get(LessBatch, batch.id), rebuilt) == ["*", changed]


def test_the_same_form_sent_with_other_agencies_is_a_new_batch(app, program):
    build(app, program.ready[:1], record=True, key="k-3")
    build(app, program.ready, record=True, key="k-3")
    with runtime(app).session_factory() as session:
        assert [len(less_batch.packages_of(session, b.id)) for b in session.scalars(select(LessBatch))] == [
            1,
            2,
        ]


def test_a_repeat_whose_bytes_changed_is_recorded_as_a_new_batch(app, program):
    first, _, _ = build(app, program.ready, record=True, key="k-5")
    rt = runtime(app)
    with rt.session_factory() as session:
        report_ids = select(Report.id).where(Report.agency_id == program.ready[0])
        key = session.scalars(select(Photo.display_key).where(Photo.report_id.in_(report_ids))).first()
    rt.media.put(key, jpeg(4343), "image/jpeg")  # a photo replaced between two downloads
    second, _, _ = build(app, program.ready, record=True, key="k-5")  # the same form sent again
    third, _, _ = build(app, program.ready, record=True)  # the same choice a moment later
    assert first != second == third
    with rt.session_factory() as session:
        recorded = [b.zip_sha256 for b in session.scalars(select(LessBatch).order_by(LessBatch.id))]
    # Every ZIP handed out is on record by its hash, each once.
    assert recorded == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
