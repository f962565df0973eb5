"""The public figures service: sums of approved reports of approved agencies, exact; refreshed at
the next read after a change is marked, and within a minute without the mark."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.services import public_results
from handlers.services.public_results import current, mark_stale, refresh_if_due
from handlers.services.report_reference import reference
from handlers.services.reports import approve_report
from storage.models import Photo
from storage.models.program import Agency
from storage.models.reports import Report
from tests.publicweb.open_data_helpers import DROPPED, NAMED, UNNAMED, seed


@pytest.fixture
def seeded(app):
    now = seed(app)
    return app, now


def session_of(app):
    return runtime(app).session_factory.begin()


def expected(app) -> dict:
    """The figures the slow and obvious way: every report read, filtered and added in Python."""
    with runtime(app).session_factory() as session:
        approved = {a.id: a for a in session.scalars(select(Agency).where(Agency.status == "approved"))}
        total, by_type, by_province, by_month = (
            Decimal(0),
            defaultdict(Decimal),
            defaultdict(Decimal),
            defaultdict(Decimal),
        )
        reports = waiting = 0
        for report in session.scalars(select(Report)):
            if report.status != "approved" or report.agency_id not in approved:
                continue
            reports += 1
            if report.kg_co2e is None:
                waiting += 1
                continue
            kg = Decimal(report.kg_co2e)
            total += kg
            by_type[report.activity_key] += kg
            by_province[approved[report.agency_id].province_code] += kg
            by_month[(report.period_end.year, report.period_end.month)] += kg
        return {
            "total": total,
            "reports": reports,
            "waiting": waiting,
            "by_type": {k: v for k, v in by_type.items()},
            "by_province": dict(by_province),
            "by_month": dict(by_month),
        }


def test_the_figures_are_the_sums_of_approved_reports_of_approved_agencies(seeded):
    app, now = seeded
    with session_of(app) as session:  # one approved report waits for a factor: not a zero
        named = session.scalar(select(Agency.id).where(Agency.name == NAMED))
        waiting = session.scalars(
            select(Report).where(Report.agency_id == named, Report.status == "approved").order_by(Report.id)
        ).first()
        waiting.kg_co2e, waiting.calc_status = None, "needs_factor"
        unnamed = session.scalar(select(Agency.id).where(Agency.name == UNNAMED))
        earlier = session.scalars(
            select(Report).where(
                Report.agency_id == unnamed, Report.status == "approved", Report.kg_co2e.is_not(None)
            )
        ).first()
        earlier.period_start -= timedelta(days=70)  # a second month, before the others
        earlier.period_end -= timedelta(days=70)
    want = expected(app)
    with session_of(app) as session:
        figures = current(session, now)
    assert want["reports"] == 4 and want["waiting"] >= 1 and want["total"] > 0
    assert figures.total_kg == want["total"]
    assert (figures.reports, figures.needs_factor) == (want["reports"], want["waiting"])
    kg_by_type = {line.activity_key: line.kg for line in figures.by_type}
    assert {key: kg_by_type.pop(key) for key in want["by_type"]} == want["by_type"]
    assert set(kg_by_type.values()) <= {Decimal(0)}  # waiting for a factor, or none approved
    assert {line.province_code: line.kg for line in figures.by_province if line.kg} == want["by_province"]
    assert {(line.year, line.month): line.kg for line in figures.by_month} == want["by_month"]
    months = [(line.year, line.month) for line in figures.by_month]
    assert len(months) >= 2 and months == sorted(months)
    assert [line.kg for line in figures.by_province] == sorted(
        (line.kg for line in figures.by_province), reverse=True
    )
    assert figures.agencies == 2 and figures.target == 30
    assert [agency.name for agency in figures.named] == [NAMED]  # not the unnamed, not the dropped
    assert all(DROPPED not in (h.agency_name or "") and UNNAMED != h.agency_name for h in figures.highlights)


def test_an_approval_shows_once_the_clock_looks_and_no_read_waits_for_it(seeded):
    app, now = seeded
    with session_of(app) as session:
        before = current(session, now)
        submitted = session.scalars(select(Report).where(Report.status == "submitted")).first()
        ref, kg = reference(submitted), Decimal(submitted.kg_co2e)
    with session_of(app) as session:
        assert current(session, now + timedelta(seconds=5)) is before  # the memo: nothing changed
        assert refresh_if_due(session, now + timedelta(seconds=5)) is False  # nothing to do
        approve_report(session, ref, "staff:1", now + timedelta(seconds=1))
    with session_of(app) as session:
        # Marked stale: a read still serves the stored figures (no visitor waits) until the clock.
        assert current(session, now + timedelta(seconds=5)) is before
        assert refresh_if_due(session, now + timedelta(seconds=5)) is True
    with session_of(app) as session:
        after = current(session, now + timedelta(seconds=5))
    assert after.total_kg == before.total_kg + kg
    assert after.reports == before.reports + 1
    assert after.highlights[0].reference == ref


def test_a_change_nobody_marked_shows_within_a_minute(seeded):
    app, now = seeded
    with session_of(app) as session:
        before = current(session, now)
        session.execute(update(Agency).where(Agency.name == NAMED).values(show_name_publicly=False))
    with session_of(app) as session:
        assert refresh_if_due(session, now + timedelta(seconds=30)) is False
        assert [a.name for a in current(session, now + timedelta(seconds=30)).named] == [NAMED]
        assert refresh_if_due(session, now + timedelta(seconds=61)) is True
        assert current(session, now + timedelta(seconds=61)).named == ()
    assert before.named


def test_with_no_clock_running_a_read_recomputes_figures_ten_minutes_old(seeded):
    app, now = seeded
    with session_of(app) as session:
        current(session, now)
        session.execute(update(Agency).where(Agency.name == NAMED).values(show_name_publicly=False))
        mark_stale(session)
    with session_of(app) as session:
        assert [a.name for a in current(session, now + timedelta(minutes=9)).named] == [NAMED]
        assert current(session, now + timedelta(minutes=10)).named == ()


def test_withdrawn_consent_removes_the_name_at_the_next_read(seeded):
    app, now = seeded
    with session_of(app) as session:
        assert any(h.agency_name == NAMED for h in current(session, now).highlights)
        session.execute(update(Agency).where(Agency.name == NAMED).values(show_name_publicly=False))
        mark_stale(session)
    with session_of(app) as session:
        refresh_if_due(session, now)
        figures = current(session, now)
    assert figures.named == ()
    assert all(h.agency_name is None for h in figures.highlights)


def test_a_new_process_reads_the_stored_snapshot(seeded):
    app, now = seeded
    with session_of(app) as session:
        first = current(session, now)
    public_results._memo.clear()  # what a new worker process starts with
    with session_of(app) as session:
        again = current(session, now + timedelta(seconds=10))
    assert again == first and again is not first


def test_photos_only_where_the_agency_agreed(seeded):
    app, now = seeded
    with session_of(app) as session:
        agency = session.scalar(select(Agency).where(Agency.name == NAMED))
        report = session.scalars(
            select(Report)
            .where(Report.agency_id == agency.id, Report.status == "approved")
            .order_by(Report.id)
        ).first()
        for n in (2, 1):
            session.add(
                Photo(
                    line_user_id="Uphoto",
                    line_message_id=f"m{n}",
                    display_key=f"photos/d{n}.jpg",
                    thumb_key=f"photos/t{n}.jpg",
                    sha256="0" * 64,
                    phash="0" * 16,
                    width=10,
                    height=10,
                    status="attached",
                    report_id=report.id,
                    created_at=now,
                )
            )
        report_id = report.id
    with session_of(app) as session:
        hidden = {h.report_id: h.photo_key for h in current(session, now).highlights}
        session.execute(update(Agency).where(Agency.name == NAMED).values(show_photos_publicly=True))
        mark_stale(session)
    with session_of(app) as session:
        refresh_if_due(session, now)
        shown = {h.report_id: h.photo_key for h in current(session, now).highlights}
    assert hidden[report_id] is None
    assert shown[report_id] == "photos/d2.jpg"  # the first attached


def test_the_clock_refreshes_the_figures_only_when_due(seeded):
    app, _ = seeded
    assert run_once(runtime(app), "public") == 1  # none stored yet
    assert run_once(runtime(app), "public") == 0  # fresh: nothing to do
    with session_of(app) as session:
        mark_stale(session)
    assert run_once(runtime(app), "public") == 1
