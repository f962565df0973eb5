"""The LESS submission package of one agency and period: what TGO needs to certify its reductions.

One ZIP, written entry by entry to the caller's file object (photos copied in chunks, so memory does
not grow with their total size): `less-summary.xlsx` (handlers/services/less_workbook.py), the
evidence photos' display copies as `photos/<reference>-<n>.jpg`, and `manifest.json` with the
SHA-256 of every other entry. Only approved reports go in; a package TGO would send back (a report
still under review or sent back for a fix, a result waiting for a factor, a report without photos)
is refused with the list of reasons, and nothing is written. The same data gives the same bytes:
fixed entry order and timestamps, no build time anywhere.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.services.audit import audit
from handlers.services.campaigns import active_campaign
from handlers.services.less_workbook import LESS_DECIMALS, PhotoEntry, t_co2e, workbook_bytes
from handlers.services.refusals import Refused
from handlers.services.report_reference import reference
from handlers.services.reports import campaign_window
from handlers.services.thaitime import bangkok_date
from storage.media import MediaStore, read_chunks
from storage.models import Photo
from storage.models.program import Agency
from storage.models.reports import Report

WORKBOOK_NAME = "less-summary.xlsx"
MANIFEST_NAME = "manifest.json"
__all__ = [
    "LESS_DECIMALS",
    "LessRefused",
    "PackageSummary",
    "Problem",
    "package_problems",
    "t_co2e",
    "write_package",
]


class LessRefused(Refused):
    """The package cannot be built: `problems` says why (each a catalog sentence)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("not_ready", count=len(problems))
        self.problems = problems

    @property
    def catalog_key(self) -> str:
        return "less.web.refused"


@dataclass(frozen=True)
class Problem:
    """Something TGO would send the package back for; `ref` is the report's reference, if any."""

    code: str
    ref: str | None = None
    start: date | None = None
    end: date | None = None

    def text(self, language: str) -> str:
        params = {"ref": self.ref or "", "start": self.start or "", "end": self.end or ""}
        return t(f"less.problem.{self.code}", language, **params)


@dataclass(frozen=True)
class PackageSummary:
    """What a written package holds."""

    agency_id: int
    start: date
    end: date
    reports: int
    photos: int
    kg_co2e: Decimal  # the exact sum of the reports' stored results
    t_co2e: Decimal  # rounded as LESS reports it
    files: int


def default_period(session: Session, now: datetime) -> tuple[date, date]:
    """The active campaign's reporting window (its first phase's start to its last phase's end);
    without one, the current calendar year in Bangkok."""
    window = campaign_window(active_campaign(session, now))
    if window is not None:
        return window
    year = bangkok_date(now).year
    return date(year, 1, 1), date(year, 12, 31)


def _reports(session: Session, agency_id: int, start: date, end: date) -> list[Report]:
    """The agency's reports whose activity overlaps the period, rejected and withdrawn ones left out,
    in reference order."""
    return list(
        session.scalars(
            select(Report)
            .where(
                Report.agency_id == agency_id,
                Report.period_start <= end,
                Report.period_end >= start,
                Report.status.in_(("submitted", "needs_fix", "approved")),
            )
            .order_by(Report.year_be, Report.sequence)
        )
    )


def _photos_by_report(session: Session, report_ids: list[int]) -> dict[int, list[Photo]]:
    found: dict[int, list[Photo]] = {report_id: [] for report_id in report_ids}
    for chunk in range(0, len(report_ids), 500):
        rows = session.scalars(
            select(Photo)
            .where(Photo.report_id.in_(report_ids[chunk : chunk + 500]), Photo.status == "attached")
            .order_by(Photo.id)
        )
        for photo in rows:
            found[photo.report_id].append(photo)  # type: ignore[index]
    return found


def package_problems(
    session: Session, agency_id: int, period: tuple[date, date], now: datetime
) -> list[Problem]:
    """Why the package of this agency and period would be sent back; empty when it can be built."""
    start, end = period
    agency = session.get(Agency, agency_id)
    if agency is None:
        return [Problem("unknown_agency")]
    problems: list[Problem] = []
    if agency.status != "approved":
        problems.append(Problem("agency_not_approved"))
    reports = _reports(session, agency_id, start, end)
    photos = _photos_by_report(session, [report.id for report in reports])
    included = 0
    for report in reports:
        ref = reference(report)
        if report.status == "submitted":
            problems.append(Problem("under_review", ref))
        elif report.status == "needs_fix":
            problems.append(Problem("needs_fix", ref))
        elif report.period_start < start or report.period_end > end:
            problems.append(Problem("straddles", ref, report.period_start, report.period_end))
        else:
            included += 1
            if report.kg_co2e is None:
                problems.append(Problem("needs_factor", ref))
            if not photos[report.id]:
                problems.append(Problem("no_photos", ref))
    if not included:
        problems.append(Problem("nothing_approved"))
    return problems


def approved_reports(session: Session, agency_id: int, period: tuple[date, date]) -> list[Report]:
    """The approved reports whose activity lies within the period, in reference order."""
    start, end = period
    return [
        report
        for report in _reports(session, agency_id, start, end)
        if report.status == "approved" and start <= report.period_start and report.period_end <= end
    ]


def photo_name(report: Report, number: int) -> str:
    """`photos/R-2567-00042-1.jpg`: the report's reference and the photo's number as staff see it."""
    return f"photos/{reference(report)}-{number}.jpg"


@dataclass(frozen=True)
class PreparedPackage:
    """Everything the ZIP needs, read from the database: written later without a transaction open
    (a build copies hundreds of megabytes; on SQLite an open transaction holds the writer lock)."""

    summary: PackageSummary
    workbook: bytes
    photos: tuple[tuple[str, str], ...]  # (name in the ZIP, media-store key)


def prepare_package(
    session: Session, agency_id: int, period: tuple[date, date], now: datetime
) -> PreparedPackage:
    """Read and check the package (LessRefused when `package_problems` finds any)."""
    problems = package_problems(session, agency_id, period, now)
    if problems:
        raise LessRefused(problems)
    start, end = period
    agency = session.get(Agency, agency_id)
    assert agency is not None
    reports = approved_reports(session, agency_id, period)
    photos = _photos_by_report(session, [report.id for report in reports])
    entries = [
        PhotoEntry(photo_name(report, number), reference(report), number, photo)
        for report in reports
        for number, photo in enumerate(photos[report.id], start=1)
    ]
    kg = sum((Decimal(report.kg_co2e or 0) for report in reports), Decimal(0))
    summary = PackageSummary(
        agency_id, start, end, len(reports), len(entries), kg, t_co2e(kg), len(entries) + 2
    )
    return PreparedPackage(
        summary,
        workbook_bytes(session, agency, period, reports, entries),
        tuple((entry.name, entry.photo.display_key) for entry in entries),
    )


def write_prepared(prepared: PreparedPackage, out: BinaryIO, media: MediaStore) -> None:
    """Write the ZIP to `out`, entry by entry, photos in chunks from the media store."""
    summary = prepared.summary
    stamp = _zip_time(summary.end)
    hashes: dict[str, str] = {}
    with zipfile.ZipFile(out, "w") as archive:
        hashes[WORKBOOK_NAME] = _write_entry(archive, WORKBOOK_NAME, iter([prepared.workbook]), stamp)
        for name, key in prepared.photos:
            chunks = read_chunks(media, key)
            if chunks is None:
                raise FileNotFoundError(f"{name} is missing from the media store")
            hashes[name] = _write_entry(archive, name, chunks, stamp)
        manifest = {
            "agency_id": summary.agency_id,
            "period": {"start": summary.start.isoformat(), "end": summary.end.isoformat()},
            "algorithm": "sha256",
            "files": [{"name": name, "sha256": digest} for name, digest in hashes.items()],
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        _write_entry(archive, MANIFEST_NAME, iter([body]), stamp, zipfile.ZIP_DEFLATED)


def record_package(session: Session, summary: PackageSummary, actor: str, now: datetime) -> None:
    """Audit a package handed out (ids and counts only)."""
    detail = {"start": summary.start.isoformat(), "end": summary.end.isoformat(), "reports": summary.reports}
    audit(session, actor, "less_package", f"agency:{summary.agency_id}", now, detail=detail)


def write_package(
    session: Session,
    agency_id: int,
    period: tuple[date, date],
    now: datetime,
    out: BinaryIO,
    *,
    media: MediaStore,
    actor: str = "cli",
) -> PackageSummary:
    """Prepare, write and audit the package in the caller's transaction (LessRefused, with nothing
    written, when `package_problems` finds any). Long builds: `prepare_package`, then
    `write_prepared` outside the transaction, then `record_package`."""
    prepared = prepare_package(session, agency_id, period, now)
    write_prepared(prepared, out, media)
    record_package(session, prepared.summary, actor, now)
    return prepared.summary


def _zip_time(day: date) -> tuple[int, int, int, int, int, int]:
    """Every entry's timestamp: the period's last day (ZIP dates start in 1980)."""
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)


def _write_entry(
    archive: zipfile.ZipFile,
    name: str,
    chunks: Iterator[bytes],
    stamp: tuple[int, int, int, int, int, int],
    compression: int = zipfile.ZIP_STORED,
) -> str:
    """One entry, copied chunk by chunk; returns its SHA-256. JPEGs and the XLSX are compressed
    already, so they are stored as they are."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = compression
    info.create_system = 3
    info.external_attr = 0o644 << 16
    digest = hashlib.sha256()
    with archive.open(info, "w") as entry:
        for chunk in chunks:
            digest.update(chunk)
            entry.write(chunk)
    return digest.hexdigest()
