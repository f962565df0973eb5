"""The staff web's review queue: submitted reports oldest first, filtered and counted; short
claims so two staff never decide on the same report at once; decisions through the same
functions as the CLI (handlers/services/reports.py), which audit them and tell the reporter.

A claim lasts CLAIM_FOR from the last view or action of its holder. While it is live, others
see who has the report open and cannot decide on it; once it has lapsed, anyone may take it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.services.audit import audit
from handlers.services.refusals import Refused
from handlers.services.report_reference import reference
from handlers.services.report_review import concerns as concerns_of
from handlers.services.report_review import find_concerns, photo_checks
from handlers.services.reports import (
    FLAG_CORRECTED,
    ReportRefused,
    approve_report,
    find_by_reference,
    needs_fix,
    reject_report,
)
from storage.models import Photo
from storage.models.program import Agency, StaffMember
from storage.models.reports import Report, ReportReviewClaim
from storage.sql import insert_ignore

CLAIM_FOR = timedelta(minutes=10)
QUEUE_LIMIT = 500  # the queue page lists at most this many reports
WARNING_FILTERS = ("with", "without", "corrected")


class ReviewRefused(Refused):
    """A review step the queue does not allow: "held" (another staff member has the report open),
    "still_held" (taking over before their claim lapsed), "concerns" (approving a report with
    warnings without saying they were looked at)."""

    @property
    def catalog_key(self) -> str:
        return f"staffweb_review.refused.{self.code}"


@dataclass(frozen=True)
class Claim:
    staff_member_id: int
    name: str | None
    expires_at: datetime


@dataclass(frozen=True)
class QueueFilter:
    agency_id: int | None = None
    activity: str | None = None
    province: str | None = None
    warning: str | None = None  # one of WARNING_FILTERS


@dataclass(frozen=True)
class QueueRow:
    report: Report
    agency: Agency | None
    concerns: list[str]
    corrected: bool
    changes: list[dict]
    claim: Claim | None  # another staff member's live claim
    photo_numbers: dict[int, int] = field(default_factory=dict)  # photo id -> its number (1, 2, …)


@dataclass
class Queue:
    rows: list[QueueRow]
    waiting: int = 0  # every submitted report, whatever the filter
    with_concerns: int = 0
    corrected: int = 0
    agencies: list[Agency] = field(default_factory=list)  # those with reports waiting
    provinces: list[str] = field(default_factory=list)  # their province codes


def actor(staff_member_id: int) -> str:
    return f"staff:{staff_member_id}"


def find_report(session: Session, key: str) -> Report:
    """A report by reference ("R-2569-00042") or by id ("42")."""
    if key.isdigit():
        report = session.get(Report, int(key))
        if report is None:
            raise ReportRefused("unknown")
        return report
    return find_by_reference(session, key)


def review_queue(session: Session, wanted: QueueFilter, staff_member_id: int, now: datetime) -> Queue:
    """Submitted reports, oldest first, as `wanted`; the counts are of the whole queue."""
    reports = list(
        session.scalars(
            select(Report)
            .where(Report.status == "submitted")
            .order_by(Report.created_at, Report.id)
            .limit(QUEUE_LIMIT)
        )
    )
    agencies = {
        a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_({r.agency_id for r in reports})))
    }
    claims = live_claims(session, [r.id for r in reports], now)
    # Every queued report's numbered photos in one query, not one per report.
    photos: dict[int, list[Photo]] = defaultdict(list)
    for photo in session.scalars(
        select(Photo)
        .where(Photo.report_id.in_([r.id for r in reports]), Photo.status == "attached")
        .order_by(Photo.id)
    ):
        photos[photo.report_id].append(photo)
    queue = Queue(rows=[], waiting=len(reports))
    queue.agencies = sorted(agencies.values(), key=lambda a: a.name)
    queue.provinces = sorted({a.province_code for a in agencies.values()})
    for report in reports:
        agency = agencies.get(report.agency_id)
        province = agency.province_code if agency else None
        concerns = concerns_of(report, photo_checks(report, province, photos[report.id]))
        corrected = FLAG_CORRECTED in json.loads(report.flags)
        queue.with_concerns += bool(concerns)
        queue.corrected += corrected
        if not _wanted(report, agency, concerns, corrected, wanted):
            continue
        claim = claims.get(report.id)
        other = claim if claim is not None and claim.staff_member_id != staff_member_id else None
        changes = json.loads(report.changes) if corrected and report.changes else []
        numbers = {photo.id: n for n, photo in enumerate(photos[report.id], start=1)}
        queue.rows.append(QueueRow(report, agency, concerns, corrected, changes, other, numbers))
    return queue


def _wanted(
    report: Report, agency: Agency | None, concerns: list[str], corrected: bool, wanted: QueueFilter
) -> bool:
    if wanted.agency_id is not None and report.agency_id != wanted.agency_id:
        return False
    if wanted.activity and report.activity_key != wanted.activity:
        return False
    if wanted.province and (agency is None or agency.province_code != wanted.province):
        return False
    if wanted.warning == "with":
        return bool(concerns)
    if wanted.warning == "without":
        return not concerns
    if wanted.warning == "corrected":
        return corrected
    return True


def live_claims(session: Session, report_ids: Sequence[int], now: datetime) -> dict[int, Claim]:
    rows = session.scalars(
        select(ReportReviewClaim).where(
            ReportReviewClaim.report_id.in_(list(report_ids)), ReportReviewClaim.expires_at > now
        )
    )
    return {row.report_id: _claim(session, row) for row in rows}


def _claim(session: Session, row: ReportReviewClaim) -> Claim:
    member = session.get(StaffMember, row.staff_member_id)
    return Claim(row.staff_member_id, member.name if member else None, row.expires_at)


def open_report(session: Session, report: Report, staff_member_id: int, now: datetime) -> Claim:
    """Take or renew the claim on `report` for this staff member, unless another's is live: the
    claim that holds afterwards (theirs, or the other's, for the page to say who)."""
    insert_ignore(
        session,
        ReportReviewClaim,
        [{"report_id": report.id, "staff_member_id": staff_member_id, "claimed_at": now,
          "expires_at": now + CLAIM_FOR}],
        ["report_id"],
    )  # fmt: skip
    row = session.scalars(
        select(ReportReviewClaim).where(ReportReviewClaim.report_id == report.id).with_for_update()
    ).one()
    if row.staff_member_id != staff_member_id:
        if row.expires_at > now:
            return _claim(session, row)
        row.staff_member_id, row.claimed_at = staff_member_id, now
    row.expires_at = now + CLAIM_FOR
    session.flush()
    return _claim(session, row)


def take_over(session: Session, report: Report, staff_member_id: int, now: datetime) -> Claim:
    """Take a report whose claim has lapsed; ReviewRefused("still_held") while it is live."""
    before = session.get(ReportReviewClaim, report.id)
    previous = before.staff_member_id if before is not None else None
    claim = open_report(session, report, staff_member_id, now)
    if claim.staff_member_id != staff_member_id:
        raise ReviewRefused("still_held", name=claim.name or "", until=claim.expires_at)
    if previous is not None and previous != staff_member_id:
        audit(session, actor(staff_member_id), "report_review_take_over", f"report:{report.id}", now,
              detail={"from": actor(previous)})  # fmt: skip
    return claim


def _hold(session: Session, report: Report, staff_member_id: int, now: datetime) -> None:
    claim = open_report(session, report, staff_member_id, now)
    if claim.staff_member_id != staff_member_id:
        raise ReviewRefused("held", name=claim.name or "", until=claim.expires_at)


def _done(session: Session, report: Report) -> None:
    session.execute(delete(ReportReviewClaim).where(ReportReviewClaim.report_id == report.id))


def approve(session: Session, report: Report, staff_member_id: int, now: datetime, despite: bool) -> Report:
    """Approve; a report with concerns only when `despite` says staff looked at them (as the
    CLI's --despite-warnings)."""
    _hold(session, report, staff_member_id, now)
    if find_concerns(session, report) and not despite:
        raise ReviewRefused("concerns")
    approve_report(session, reference(report), actor(staff_member_id), now)
    _done(session, report)
    return report


def send_back(
    session: Session, report: Report, fields: Sequence[str], photos: Sequence[int], reason: str,
    staff_member_id: int, now: datetime,
) -> Report:  # fmt: skip
    """Ask the reporter to fix `fields` and replace the photos numbered `photos`."""
    _hold(session, report, staff_member_id, now)
    needs_fix(session, reference(report), fields, reason, actor(staff_member_id), now, photos=photos)
    _done(session, report)
    return report


def reject(session: Session, report: Report, reason: str, staff_member_id: int, now: datetime) -> Report:
    _hold(session, report, staff_member_id, now)
    reject_report(session, reference(report), reason, actor(staff_member_id), now)
    _done(session, report)
    return report


def approve_many(
    session: Session, report_ids: Sequence[int], staff_member_id: int, now: datetime
) -> tuple[list[str], list[str]]:
    """Approve each report that is still waiting, has no concerns and is not open elsewhere;
    returns (approved, skipped) references."""
    approved: list[str] = []
    skipped: list[str] = []
    claims = live_claims(session, report_ids, now)
    for report_id in dict.fromkeys(report_ids):
        report = session.get(Report, report_id)
        if report is None:
            continue
        claim = claims.get(report.id)
        held = claim is not None and claim.staff_member_id != staff_member_id
        if report.status != "submitted" or held or find_concerns(session, report):
            skipped.append(reference(report))
            continue
        approve_report(session, reference(report), actor(staff_member_id), now)
        _done(session, report)
        approved.append(reference(report))
    return approved, skipped


def next_report(
    session: Session, staff_member_id: int, now: datetime, after: int | None = None
) -> Report | None:
    """The oldest waiting report (other than `after`) nobody else has open."""
    query = select(Report).where(Report.status == "submitted").order_by(Report.created_at, Report.id)
    held = select(ReportReviewClaim.report_id).where(
        ReportReviewClaim.expires_at > now, ReportReviewClaim.staff_member_id != staff_member_id
    )
    query = query.where(Report.id.not_in(held))
    if after is not None:
        query = query.where(Report.id != after)
    return session.scalars(query.limit(1)).first()


def reused_photo_reports(session: Session, report: Report) -> dict[int, tuple[int, str] | None]:
    """For each of the report's photos flagged as a reuse: the other report (id, reference) the
    photo it repeats belongs to; None when that photo is in no report (a draft)."""
    found: dict[int, tuple[int, str] | None] = {}
    photos = session.scalars(
        select(Photo).where(Photo.report_id == report.id, Photo.flagged_duplicate_of.is_not(None))
    )
    for photo in photos:
        earlier = session.get(Photo, photo.flagged_duplicate_of)
        other = session.get(Report, earlier.report_id) if earlier and earlier.report_id else None
        found[photo.id] = (other.id, reference(other)) if other is not None else None
    return found
