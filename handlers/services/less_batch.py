"""The program's submission batch to TGO: which approved agencies' LESS packages would build for a
period (and, for the others, what each still lacks: less_package.package_problems), one ZIP of the
chosen agencies' packages with a cover sheet (handlers/services/less_batch_cover.py) and a manifest
of SHA-256 hashes, and the batch's record (who, when, each package file by hash).

Each package is exactly the bytes `less_package.write_package` makes for that agency: written into
a temporary file and copied into the batch chunk by chunk, so memory does not grow with the photos.
The same inputs give the same bytes (fixed order and timestamps; the cover's date is the batch's),
so a recorded batch can be rebuilt and compared. A choice with an agency that is not ready is
refused with the lists, and nothing is recorded; a retried download (the same idempotency key, or
the same choice within RETRY_WINDOW) with the same bytes records nothing new, while one whose bytes
changed meanwhile is a batch of its own: every ZIP handed out is on record by its hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.services import lor
from handlers.services.audit import audit
from handlers.services.campaigns import active_campaign
from handlers.services.less_batch_cover import COVER_NAME, CoverAgency, cover_bytes
from handlers.services.less_package import (
    LessRefused,
    PreparedPackage,
    Problem,
    _write_entry,
    _zip_time,
    approved_reports,
    package_problems,
    prepare_package,
    write_prepared,
)
from handlers.services.refusals import Refused
from handlers.services.thaitime import bangkok_date
from storage.media import MediaStore
from storage.models.less import LessBatch, LessBatchPackage
from storage.models.program import Agency

MANIFEST_NAME = "manifest.json"
RETRY_WINDOW = timedelta(minutes=10)
CHUNK = 1 << 20
_DASHES = re.compile(r"-{2,}")


class BatchRefused(Refused):
    """The chosen agencies cannot go out together: `problems` maps each agency not ready to its list
    (empty when nothing was chosen)."""

    def __init__(self, problems: dict[int, list[Problem]]) -> None:
        super().__init__("not_ready" if problems else "none_chosen", count=len(problems))
        self.problems = problems

    @property
    def catalog_key(self) -> str:
        return f"less_batch.refused.{self.code}"


@dataclass(frozen=True)
class Readiness:
    """An approved agency and what its package still lacks for the period (nothing: ready)."""

    agency_id: int
    name: str
    agency_type: str
    province_code: str
    problems: tuple[Problem, ...]

    @property
    def ready(self) -> bool:
        return not self.problems


def readiness(session: Session, period: tuple[date, date], now: datetime) -> list[Readiness]:
    """Every approved agency, by name, with its package's problems for the period."""
    agencies = session.scalars(
        select(Agency).where(Agency.status == "approved").order_by(Agency.name, Agency.id)
    )
    return [
        Readiness(
            a.id, a.name, a.agency_type, a.province_code, tuple(package_problems(session, a.id, period, now))
        )
        for a in agencies
    ]


def file_name(agency_id: int, name: str) -> str:
    """`packages/agency-0012-<name>.zip`: stable, sortable, no path separators or spaces."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LMN" else "-" for ch in unicodedata.normalize("NFC", name)
    )
    safe = _DASHES.sub("-", kept).strip("-")[:60].strip("-") or "agency"
    return f"packages/agency-{agency_id:04d}-{safe}.zip"


def chosen_key(period: tuple[date, date], agency_ids: Sequence[int]) -> str:
    text = (
        f"{period[0].isoformat()}|{period[1].isoformat()}|{','.join(str(i) for i in sorted(set(agency_ids)))}"
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class PreparedBatch:
    """Everything the batch's ZIP needs, read from the database (written later with no
    transaction open)."""

    label: str
    period: tuple[date, date]
    batch_date: date
    chosen_key: str
    packages: tuple[tuple[str, PreparedPackage], ...]  # (file name, package), by agency id
    cover_sheet: bytes
    agencies: tuple[CoverAgency, ...]  # in the order of `packages`


def prepare_batch(
    session: Session,
    agency_ids: Sequence[int],
    period: tuple[date, date],
    now: datetime,
    batch_date: date | None = None,
) -> PreparedBatch:
    """Read and check the chosen agencies' packages (BatchRefused listing every agency not ready)."""
    chosen = sorted(set(agency_ids))
    if not chosen:
        raise BatchRefused({})
    problems: dict[int, list[Problem]] = {}
    prepared: dict[int, PreparedPackage] = {}
    for agency_id in chosen:
        try:
            prepared[agency_id] = prepare_package(session, agency_id, period, now)
        except LessRefused as refused:
            problems[agency_id] = refused.problems
    if problems:
        raise BatchRefused(problems)
    key = chosen_key(period, chosen)
    day = batch_date or bangkok_date(now)
    packages, cover = [], []
    for agency_id in chosen:
        agency = session.get(Agency, agency_id)
        assert agency is not None
        name = file_name(agency_id, agency.name)
        packages.append((name, prepared[agency_id]))
        by_activity: dict[str, tuple[int, Decimal]] = {}
        for report in approved_reports(session, agency_id, period):
            count, kg = by_activity.get(report.activity_key, (0, Decimal(0)))
            by_activity[report.activity_key] = (count + 1, kg + Decimal(report.kg_co2e or 0))
        summary = prepared[agency_id].summary
        cover.append(
            CoverAgency(
                agency_id, agency.name, agency.agency_type, agency.province_code, name,
                summary.reports, summary.kg_co2e,
                tuple((k, c, kg) for k, (c, kg) in sorted(by_activity.items())),
            )
        )  # fmt: skip
    label = f"LESS-{period[1]:%Y%m%d}-{key[:8].upper()}"
    return PreparedBatch(
        label, period, day, key, tuple(packages), cover_sheet=cover_bytes(label, period, day, cover),
        agencies=tuple(cover),
    )  # fmt: skip


@dataclass(frozen=True)
class BuiltBatch:
    """The hashes of a written batch."""

    cover_sha256: str
    zip_sha256: str
    packages: dict[str, str]  # file name → SHA-256


def write_batch(prepared: PreparedBatch, out: BinaryIO, media: MediaStore) -> BuiltBatch:
    """Write the batch's ZIP to `out` (a seekable file opened for reading too), each package spooled
    through a temporary file and copied in chunks; returns every hash."""
    stamp = _zip_time(prepared.period[1])
    hashes: dict[str, str] = {}
    start = out.tell()
    with zipfile.ZipFile(out, "w") as archive:
        cover = _write_entry(archive, COVER_NAME, iter([prepared.cover_sheet]), stamp)
        for name, package in prepared.packages:
            with tempfile.TemporaryFile() as spool:
                write_prepared(package, spool, media)
                spool.seek(0)
                hashes[name] = _write_entry(archive, name, iter(lambda s=spool: s.read(CHUNK), b""), stamp)
        manifest = {
            "batch": prepared.label,
            "date": prepared.batch_date.isoformat(),
            "period": {"start": prepared.period[0].isoformat(), "end": prepared.period[1].isoformat()},
            "algorithm": "sha256",
            "files": [{"name": COVER_NAME, "sha256": cover}]
            + [
                {"name": name, "agency_id": agency.agency_id, "sha256": hashes[name]}
                for (name, _), agency in zip(prepared.packages, prepared.agencies, strict=True)
            ],
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        _write_entry(archive, MANIFEST_NAME, iter([body]), stamp, zipfile.ZIP_DEFLATED)
    out.flush()
    out.seek(start)
    whole = hashlib.sha256()
    for chunk in iter(lambda: out.read(CHUNK), b""):
        whole.update(chunk)
    return BuiltBatch(cover, whole.hexdigest(), hashes)


def _keyed(idempotency_key: str | None, key: str) -> str | None:
    """What is stored for the form's idempotency key: bound to the choice, so the same form sent
    back with other boxes ticked is a new batch, not a retry."""
    if not idempotency_key:
        return None
    return hashlib.sha256(f"{idempotency_key}|{key}".encode()).hexdigest()


def recent_batch(session: Session, idempotency_key: str | None, key: str, now: datetime) -> LessBatch | None:
    """The batch a retry follows (the same idempotency key and choice, or the same choice lately),
    whose cover date the retry reuses so that it can give the same bytes across midnight."""
    keyed = _keyed(idempotency_key, key)
    if keyed:
        found = session.scalars(select(LessBatch).where(LessBatch.idempotency_key == keyed)).first()
        if found is not None:
            return found
    query = select(LessBatch).where(LessBatch.chosen_key == key, LessBatch.created_at >= now - RETRY_WINDOW)
    return session.scalars(query.order_by(LessBatch.id.desc())).first()


def _rekeyed(keyed: str, zip_sha256: str) -> str:
    return hashlib.sha256(f"{keyed}|{zip_sha256}".encode()).hexdigest()


def _retried(
    session: Session, idempotency_key: str | None, key: str, zip_sha256: str, now: datetime
) -> LessBatch | None:
    """The recorded batch a download repeats: the same form or the same choice lately, and the same
    bytes (a repeat whose bytes changed meanwhile is a new batch, so every ZIP handed out is on record)."""
    repeats = and_(LessBatch.chosen_key == key, LessBatch.created_at >= now - RETRY_WINDOW)
    keyed = _keyed(idempotency_key, key)
    if keyed:
        repeats = or_(repeats, LessBatch.idempotency_key.in_([keyed, _rekeyed(keyed, zip_sha256)]))
    query = select(LessBatch).where(repeats, LessBatch.zip_sha256 == zip_sha256)
    return session.scalars(query.order_by(LessBatch.id.desc())).first()


def record_batch(
    session: Session,
    prepared: PreparedBatch,
    built: BuiltBatch,
    actor: str,
    now: datetime,
    *,
    idempotency_key: str | None = None,
    media: MediaStore | None = None,
) -> tuple[LessBatch, bool]:
    """Record the batch (False: a retry of one already recorded with these bytes, nothing new),
    move each agency's LOR case from preparing to package ready (its coordinators hear it in LINE)
    and audit it."""
    existing = _retried(session, idempotency_key, prepared.chosen_key, built.zip_sha256, now)
    if existing is not None:
        return existing, False
    stored_key = _keyed(idempotency_key, prepared.chosen_key)
    taken = select(LessBatch.id).where(LessBatch.idempotency_key == stored_key)
    if stored_key and session.scalars(taken).first() is not None:
        stored_key = _rekeyed(stored_key, built.zip_sha256)  # the form's key is taken by other bytes
    campaign = active_campaign(session, now)
    batch = LessBatch(
        label=prepared.label,
        campaign_id=campaign.id if campaign else None,
        period_start=prepared.period[0],
        period_end=prepared.period[1],
        batch_date=prepared.batch_date,
        actor=actor[:64],
        created_at=now,
        idempotency_key=stored_key,
        chosen_key=prepared.chosen_key,
        cover_sha256=built.cover_sha256,
        zip_sha256=built.zip_sha256,
    )
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:  # the same key recorded by a concurrent retry
        found = _retried(session, idempotency_key, prepared.chosen_key, built.zip_sha256, now)
        if found is None:
            raise
        return found, False
    for (name, package), agency in zip(prepared.packages, prepared.agencies, strict=True):
        session.add(
            LessBatchPackage(
                batch_id=batch.id,
                agency_id=agency.agency_id,
                file_name=name,
                sha256=built.packages[name],
                reports=package.summary.reports,
            )
        )
        case = lor.case_of(session, agency.agency_id, now)
        if case is None or case.status == "preparing":
            lor.mark_ready(session, agency.agency_id, actor, now, media)
    detail = {
        "label": batch.label,
        "start": batch.period_start.isoformat(),
        "end": batch.period_end.isoformat(),
        "agencies": [agency.agency_id for agency in prepared.agencies],
        "zip_sha256": built.zip_sha256,
    }
    audit(session, actor, "less_batch", f"less_batch:{batch.id}", now, detail=detail)
    return batch, True


@dataclass(frozen=True)
class PastBatch:
    batch: LessBatch
    packages: tuple[LessBatchPackage, ...]


def past_batches(session: Session, limit: int = 50) -> list[PastBatch]:
    """The latest batches first, each with its packages."""
    batches = list(session.scalars(select(LessBatch).order_by(LessBatch.id.desc()).limit(limit)))
    return [PastBatch(batch, packages_of(session, batch.id)) for batch in batches]


def packages_of(session: Session, batch_id: int) -> tuple[LessBatchPackage, ...]:
    query = select(LessBatchPackage).where(LessBatchPackage.batch_id == batch_id)
    return tuple(session.scalars(query.order_by(LessBatchPackage.agency_id)))


def prepare_again(session: Session, batch_id: int, now: datetime) -> tuple[LessBatch, PreparedBatch] | None:
    """A recorded batch prepared again from today's data with its own period and date (None: no such
    batch; BatchRefused when an agency's package would no longer build)."""
    batch = session.get(LessBatch, batch_id)
    if batch is None:
        return None
    ids = [package.agency_id for package in packages_of(session, batch_id)]
    period = (batch.period_start, batch.period_end)
    return batch, prepare_batch(session, ids, period, now, batch_date=batch.batch_date)


def differences(session: Session, batch: LessBatch, built: BuiltBatch) -> list[str]:
    """The recorded files whose rebuilt bytes differ (the whole ZIP as "*"); empty: all match."""
    found = [] if built.zip_sha256 == batch.zip_sha256 else ["*"]
    if built.cover_sha256 != batch.cover_sha256:
        found.append(COVER_NAME)
    for package in packages_of(session, batch.id):
        if built.packages.get(package.file_name) != package.sha256:
            found.append(package.file_name)
    return found
