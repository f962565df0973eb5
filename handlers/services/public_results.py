"""The public figures: what the results page, the exhibition board and the share image show. The
active campaign's approved reports of approved agencies only; agencies named only where they
agreed (`show_name_publicly`), photos only where they agreed (`show_photos_publicly`). Nothing
personal is ever read here: no person, no place address, no GPS, no free text.

Computed by a handful of GROUP BY queries and kept in one row (`public_snapshots`) plus a memo in
this process keyed by the row's token: a warm read is one small query. The row is marked stale in
the transaction that changes the figures (public_snapshot.mark_stale); the clock's `public` job
looks every few seconds and recomputes when the row is stale or a minute old (`refresh_if_due`).
A page read never waits for that recomputation (a second at a million reports): it serves the
stored figures, stale or not, and recomputes itself only when there are none yet, or when they are
so old that no clock can be running.

Sums are exact: PostgreSQL adds the stored decimal strings as NUMERIC. SQLite has no decimal
type, so there each report's kgCO2e is turned into whole milligrams (exact for any report under
nine million tonnes) and those integers are added exactly; totals are therefore exact to the
milligram, far below what any page shows (tCO2e with at most three decimals). A report waiting
for an emission factor has no number: it is counted in `needs_factor`, never added in as zero.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Integer, Numeric, cast, extract, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.services.campaigns import active_campaign
from handlers.services.lor import agencies_with_lor
from handlers.services.public_snapshot import SNAPSHOT_ID, mark_stale
from handlers.services.report_reference import reference
from storage.models import Photo
from storage.models.program import Agency, Campaign
from storage.models.public import PublicSnapshot
from storage.models.reports import Report

__all__ = [
    "Highlight",
    "MonthLine",
    "NamedAgency",
    "ProvinceLine",
    "PublicFigures",
    "TypeLine",
    "current",
    "mark_stale",
    "refresh",
    "refresh_if_due",
]

MAX_AGE = timedelta(minutes=1)  # the clock recomputes figures older than this
SERVE_STALE_FOR = timedelta(minutes=10)  # past this, a read recomputes: the clock is not running
HIGHLIGHTS = 20
MILLIGRAMS = Decimal(1_000_000)


@dataclass(frozen=True)
class TypeLine:
    activity_key: str
    reports: int
    kg: Decimal
    needs_factor: int = 0  # of `reports`, those waiting for an emission factor (not in `kg`)


@dataclass(frozen=True)
class ProvinceLine:
    province_code: str
    agencies: int  # approved agencies of the campaign in the province
    reports: int
    kg: Decimal


@dataclass(frozen=True)
class MonthLine:
    year: int  # Gregorian month of the reports' period end
    month: int
    kg: Decimal


@dataclass(frozen=True)
class NamedAgency:
    agency_id: int
    name: str
    agency_type: str
    province_code: str
    lor_status: str | None  # None: no LOR case opened yet


@dataclass(frozen=True)
class Highlight:
    report_id: int
    reference: str
    activity_key: str
    province_code: str
    agency_name: str | None  # None unless the agency agreed to be named
    kg: Decimal
    period_start: date
    period_end: date
    photo_key: str | None  # the first photo's display copy; None unless photos may be shown


@dataclass(frozen=True)
class PublicFigures:
    campaign_slug: str
    campaign_name_th: str
    campaign_name_en: str
    year_be: int
    computed_at: datetime
    total_kg: Decimal
    reports: int  # approved reports of approved agencies (with those waiting for a factor)
    agencies: int  # approved agencies in the campaign
    target: int
    by_type: tuple[TypeLine, ...]  # the campaign's activity order, then any other
    by_province: tuple[ProvinceLine, ...]  # most kg first
    by_month: tuple[MonthLine, ...]  # oldest first
    named: tuple[NamedAgency, ...]  # only agencies with show_name_publicly, by name
    highlights: tuple[Highlight, ...]  # up to HIGHLIGHTS recent approved activities
    needs_factor: int = 0  # of `reports`, those whose result waits for an emission factor


# The memo: database URL -> (snapshot token, figures).
_memo: dict[str, tuple[str, PublicFigures | None]] = {}


def _kg_sum(session: Session):
    """SUM of kgCO2e in SQL: exact NUMERIC on PostgreSQL, whole milligrams on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return func.sum(cast(Report.kg_co2e, Numeric))
    return func.sum(cast(func.round(cast(Report.kg_co2e, Float) * 1_000_000), Integer))


def _kg(session: Session, value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if session.get_bind().dialect.name == "postgresql":
        return Decimal(value).normalize() if value else Decimal(0)
    return (Decimal(int(value)) / MILLIGRAMS).normalize()


def _compute(session: Session, campaign: Campaign, now: datetime) -> PublicFigures:
    approved = (Agency.campaign_id == campaign.id, Agency.status == "approved")
    counted = (
        select(Report)
        .join(Agency, Agency.id == Report.agency_id)
        .where(*approved, Report.status == "approved")
    )
    kg = _kg_sum(session)

    # One pass over the counted reports, grouped finely (types x provinces x months: a few thousand
    # rows at most), then added up by each heading here: exact, and a third of the scanning.
    year, month = extract("year", Report.period_end), extract("month", Report.period_end)
    groups = session.execute(
        counted.with_only_columns(
            Report.activity_key, Agency.province_code, year, month,
            func.count(Report.id), func.count(Report.kg_co2e), kg,
        ).group_by(Report.activity_key, Agency.province_code, year, month)
    ).all()  # fmt: skip
    types: dict[str, list] = {}
    provinces: dict[str, list] = {}
    months: dict[tuple[int, int], Decimal] = {}
    for key, code, y, m, count, priced, total in groups:
        amount = _kg(session, total)
        line = types.setdefault(key, [0, 0, Decimal(0)])
        line[0], line[1], line[2] = line[0] + count, line[1] + priced, line[2] + amount
        place = provinces.setdefault(code, [0, Decimal(0)])
        place[0], place[1] = place[0] + count, place[1] + amount
        months[(int(y), int(m))] = months.get((int(y), int(m)), Decimal(0)) + amount
    order = {key: position for position, key in enumerate(json.loads(campaign.activity_types))}
    by_type = tuple(
        TypeLine(key, count, total.normalize() if total else Decimal(0), count - priced)
        for key, (count, priced, total) in sorted(
            types.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
        )
    )
    reports = sum(line.reports for line in by_type)
    priced = sum(line[1] for line in types.values())

    places = dict(
        session.execute(
            select(Agency.province_code, func.count(Agency.id))
            .where(*approved)
            .group_by(Agency.province_code)
        ).all()
    )
    by_province = [
        ProvinceLine(code, places.get(code, 0), count, total.normalize() if total else Decimal(0))
        for code, (count, total) in provinces.items()
    ]
    by_province += [
        ProvinceLine(code, n, 0, Decimal(0)) for code, n in places.items() if code not in provinces
    ]
    by_province.sort(key=lambda line: (-line.kg, -line.reports, line.province_code))
    by_month = tuple(
        MonthLine(y, m, total.normalize() if total else Decimal(0))
        for (y, m), total in sorted(months.items())
    )

    agencies = session.scalar(select(func.count(Agency.id)).where(*approved)) or 0
    named = tuple(
        NamedAgency(
            row.agency.id,
            row.agency.name,
            row.agency.agency_type,
            row.agency.province_code,
            row.case.status if row.case else None,
        )
        for row in agencies_with_lor(session, now)
        if row.agency.campaign_id == campaign.id and row.agency.show_name_publicly
    )
    return PublicFigures(
        campaign_slug=campaign.slug,
        campaign_name_th=campaign.name_th,
        campaign_name_en=campaign.name_en,
        year_be=campaign.year_be,
        computed_at=now,
        total_kg=sum((line.kg for line in by_type), Decimal(0)),
        reports=reports,
        agencies=agencies,
        target=campaign.target_agencies,
        by_type=by_type,
        by_province=tuple(by_province),
        by_month=by_month,
        named=named,
        highlights=_highlights(session, campaign),
        needs_factor=reports - priced,
    )


def _highlights(session: Session, campaign: Campaign) -> tuple[Highlight, ...]:
    rows = session.execute(
        select(
            Report.id,
            Report.year_be,
            Report.sequence,
            Report.activity_key,
            Report.kg_co2e,
            Report.period_start,
            Report.period_end,
            Agency.province_code,
            Agency.name,
            Agency.show_name_publicly,
            Agency.show_photos_publicly,
        )
        .join(Agency, Agency.id == Report.agency_id)
        .where(
            Agency.campaign_id == campaign.id,
            Agency.status == "approved",
            Report.status == "approved",
            Report.kg_co2e.is_not(None),
        )
        .order_by(Report.reviewed_at.desc(), Report.id.desc())
        .limit(HIGHLIGHTS)
    ).all()
    shown = [row.id for row in rows if row.show_photos_publicly]
    photos: dict[int, str] = {}
    if shown:
        found = session.execute(
            select(Photo.report_id, Photo.display_key)
            .where(Photo.report_id.in_(shown), Photo.status == "attached")
            .order_by(Photo.id)
        )
        for report_id, key in found:
            photos.setdefault(report_id, key)
    return tuple(
        Highlight(
            report_id=row.id,
            reference=reference(row),
            activity_key=row.activity_key,
            province_code=row.province_code,
            agency_name=row.name if row.show_name_publicly else None,
            kg=Decimal(row.kg_co2e),
            period_start=row.period_start,
            period_end=row.period_end,
            photo_key=photos.get(row.id),
        )
        for row in rows
    )


def _to_json(figures: PublicFigures | None) -> str | None:
    if figures is None:
        return None
    return json.dumps(asdict(figures), default=_plain, ensure_ascii=False)


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _from_json(text: str | None) -> PublicFigures | None:
    if text is None:
        return None
    data = json.loads(text)
    day = date.fromisoformat
    return PublicFigures(
        **{
            **data,
            "computed_at": datetime.fromisoformat(data["computed_at"]),
            "total_kg": Decimal(data["total_kg"]),
            "by_type": tuple(TypeLine(**{**d, "kg": Decimal(d["kg"])}) for d in data["by_type"]),
            "by_province": tuple(ProvinceLine(**{**d, "kg": Decimal(d["kg"])}) for d in data["by_province"]),
            "by_month": tuple(MonthLine(**{**d, "kg": Decimal(d["kg"])}) for d in data["by_month"]),
            "named": tuple(NamedAgency(**d) for d in data["named"]),
            "highlights": tuple(
                Highlight(
                    **{
                        **d,
                        "kg": Decimal(d["kg"]),
                        "period_start": day(d["period_start"]),
                        "period_end": day(d["period_end"]),
                    }
                )
                for d in data["highlights"]
            ),
        }
    )


def _memo_key(session: Session) -> str:
    return str(session.get_bind().url)


def _ensure_row(session: Session) -> None:
    """The snapshot row exists (the migration does not write it): a racing insert is harmless."""
    if session.get(PublicSnapshot, SNAPSHOT_ID) is not None:
        return
    try:
        with session.begin_nested():
            session.execute(insert(PublicSnapshot).values(id=SNAPSHOT_ID, stale=True, generation=0))
    except IntegrityError:
        pass


def refresh(session: Session, now: datetime) -> PublicFigures | None:
    """Recompute the figures and store them (unless something changed them meanwhile: then they
    stay stale for the clock's next look)."""
    _ensure_row(session)
    generation = session.scalar(select(PublicSnapshot.generation).where(PublicSnapshot.id == SNAPSHOT_ID))
    campaign = active_campaign(session, now)
    figures = _compute(session, campaign, now) if campaign is not None else None
    token = secrets.token_hex(16)
    stored = session.execute(
        update(PublicSnapshot)
        .where(PublicSnapshot.id == SNAPSHOT_ID, PublicSnapshot.generation == generation)
        .values(stale=False, token=token, computed_at=now, figures=_to_json(figures))
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount:
        _memo[_memo_key(session)] = (token, figures)
    return figures


def _stored(session: Session):
    return session.execute(
        select(PublicSnapshot.stale, PublicSnapshot.computed_at, PublicSnapshot.token).where(
            PublicSnapshot.id == SNAPSHOT_ID
        )
    ).first()


def refresh_if_due(session: Session, now: datetime) -> bool:
    """The clock's check: recompute when the figures are stale, a minute old or from the future
    (a clock moved back). True when it recomputed."""
    row = _stored(session)
    if row is None or row.stale or row.computed_at is None or not now - MAX_AGE < row.computed_at <= now:
        refresh(session, now)
        return True
    return False


def current(session: Session, now: datetime) -> PublicFigures | None:
    """The stored figures, even when stale (the clock recomputes them within seconds); recomputed
    here only when there are none yet, or they are from the future or too old for a running clock.
    None: no campaign is active."""
    row = _stored(session)
    if row is None or row.computed_at is None or not now - SERVE_STALE_FOR < row.computed_at <= now:
        return refresh(session, now)
    key = _memo_key(session)
    memo = _memo.get(key)
    if memo is not None and memo[0] == row.token:
        return memo[1]
    figures = _from_json(
        session.scalar(select(PublicSnapshot.figures).where(PublicSnapshot.id == SNAPSHOT_ID))
    )
    _memo[key] = (row.token, figures)
    return figures
