"""Activity reports: computing a draft, storing it once, reference numbers, and staff review.

Plain functions on a session (the caller owns the transaction), used by the report flow
(handlers/chat/flows/report.py), the CLI (bot/cli/report.py) and, later, the staff web. Every decision
that concerns the reporter is told to them through the outbox.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import calc
from handlers.catalog import label, t
from handlers.services.audit import audit
from handlers.services.authz import require_coordinator
from handlers.services.campaigns import active_campaign, activity_types_of, photo_limits
from handlers.services.public_snapshot import mark_stale
from handlers.services.refusals import Refused, staff_reason
from handlers.services.report_reference import parse_reference, reference
from handlers.services.thaitime import BANGKOK, buddhist_year
from storage.models import Photo
from storage.models.program import Campaign
from storage.models.reports import Report, ReportCounter
from storage.photo_repository import PhotoRepository
from storage.repositories import OutboxRepository, UserRepository, insert_ignore

REVIEWABLE = ("submitted",)  # what staff decide on
EDITABLE = ("submitted", "needs_fix")  # what the reporter may still change or withdraw
FLAG_OUTSIDE_CAMPAIGN = "outside_campaign_period"
FLAG_DUPLICATE_PHOTO = "duplicate_photo"
FLAG_CORRECTED = "corrected"  # sent back for a fix and submitted again (`changes` says what changed)


class ReportRefused(Refused):
    """A report action that cannot be done: "unknown", "not_reviewable", "not_editable", "bad_fields",
    "bad_photos" (photo numbers staff gave that the report does not have), "photo_count" (fewer or
    more photos than the campaign takes)."""

    @property
    def catalog_key(self) -> str:
        return f"reporting.refused.{self.code}"


@cache
def _factors(extra_dir: str | None) -> calc.FactorTable:
    return calc.load_factors(extra_dir=extra_dir)


def factor_table() -> calc.FactorTable:
    """The shipped factor datasets plus those in FACTOR_DIR (read once per process)."""
    return _factors(os.environ.get("FACTOR_DIR", "").strip() or None)


def enabled_activity_types(session: Session, now: datetime) -> tuple[calc.ActivityType, ...]:
    """The types the active campaign enables, in calc's order; all of them when none is active."""
    campaign = active_campaign(session, now)
    every = calc.activity_types()
    if campaign is None:
        return every
    enabled = set(activity_types_of(campaign))
    return tuple(kind for kind in every if kind.key in enabled) or every


def campaign_window(campaign: Campaign | None) -> tuple[date, date] | None:
    """From the first phase's start to the last phase's end; None without phases."""
    if campaign is None or not campaign.phases:
        return None
    return min(p.starts_on for p in campaign.phases), max(p.ends_on for p in campaign.phases)


def compute(activity_key: str, inputs: Mapping[str, Any], start: date, end: date) -> calc.Result:
    """calc.compute on stored inputs ({"value", "unit"} dicts or choice keys) with today's factor table."""
    return calc.compute(activity_key, dict(inputs), factor_table(), (start, end))


@dataclass(frozen=True)
class Draft:
    """A report as the flow gathered it (what `submit_report` stores)."""

    submit_key: str
    activity_key: str
    inputs: Mapping[str, Any]
    start: date
    end: date
    photo_ids: Sequence[int] = ()
    duplicate_photo: bool = False
    place: Mapping[str, Any] | None = None


def find_by_reference(session: Session, ref: str) -> Report:
    """The report called `ref` ("R-2567-00042", "2567-42"); ReportRefused("unknown") otherwise."""
    parsed = parse_reference(ref)
    report = None
    if parsed:
        year_be, sequence = parsed
        report = session.scalars(
            select(Report).where(Report.year_be == year_be, Report.sequence == sequence)
        ).first()
    if report is None:
        raise ReportRefused("unknown")
    return report


def _next_sequence(session: Session, year_be: int) -> int:
    insert_ignore(session, ReportCounter, [{"year_be": year_be, "last": 0}], ["year_be"])
    # One UPDATE … RETURNING: the row lock serialises concurrent reports of the same year.
    return session.execute(
        update(ReportCounter)
        .where(ReportCounter.year_be == year_be)
        .values(last=ReportCounter.last + 1)
        .returning(ReportCounter.last)
    ).scalar_one()


def check_photo_count(session: Session, count: int, now: datetime) -> None:
    """ReportRefused("photo_count") unless `count` photos is within the active campaign's limits.
    The report flow checks it before every submission, first or corrected; `resubmit_report` too."""
    least, most = photo_limits(active_campaign(session, now))
    if not least <= count <= most:
        raise ReportRefused("photo_count", least=least, most=most, count=count)


def report_photos(session: Session, report_id: int) -> list[Photo]:
    """The report's photos as staff number them (1, 2, …): attached ones, in the order received."""
    return list(
        session.scalars(
            select(Photo).where(Photo.report_id == report_id, Photo.status == "attached").order_by(Photo.id)
        )
    )


def flags_for(session: Session, draft: Draft, now: datetime) -> list[str]:
    flags = []
    window = campaign_window(active_campaign(session, now))
    if window is not None and (draft.start < window[0] or draft.end > window[1]):
        flags.append(FLAG_OUTSIDE_CAMPAIGN)
    if draft.duplicate_photo:
        flags.append(FLAG_DUPLICATE_PHOTO)
    return flags


def submit_report(session: Session, line_user_id: str, draft: Draft, now: datetime) -> tuple[Report, bool]:
    """Store the draft as a submitted report of the user's approved agency; returns (report, created).

    Idempotent on `draft.submit_key`: a second confirm of the same draft returns the first report.
    The result is computed again here (the same inputs, period and factors the summary showed)."""
    existing = session.scalars(select(Report).where(Report.submit_key == draft.submit_key)).first()
    if existing is not None:
        return existing, False
    agency = require_coordinator(session, line_user_id)
    result = compute(draft.activity_key, draft.inputs, draft.start, draft.end)
    year_be = buddhist_year(now.astimezone(BANGKOK).year)
    place = draft.place or {}
    report = Report(
        submit_key=draft.submit_key,
        year_be=year_be,
        sequence=_next_sequence(session, year_be),
        agency_id=agency.id,
        reporter_line_user_id=line_user_id,
        activity_key=draft.activity_key,
        period_start=draft.start,
        period_end=draft.end,
        inputs=json.dumps(dict(draft.inputs), ensure_ascii=False),
        result=json.dumps(result.to_dict(), ensure_ascii=False),
        calc_status=result.status,
        kg_co2e=str(result.kg_co2e) if result.kg_co2e is not None else None,
        warnings=json.dumps([w.to_dict() for w in result.warnings], ensure_ascii=False),
        flags=json.dumps(flags_for(session, draft, now)),
        place_lat=place.get("lat"),
        place_lon=place.get("lon"),
        place_address=place.get("address") or None,
        status="submitted",
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    PhotoRepository(session).attach(list(draft.photo_ids), report.id, line_user_id)
    audit(session, "coordinator", "report_submit", f"report:{report.id}", now)
    return report, True


def resubmit_report(
    session: Session, line_user_id: str, report_id: int, draft: Draft, now: datetime
) -> Report:
    """The reporter's corrected report (one staff have not decided on, or asked to fix): computed
    again, photos the draft no longer has marked replaced and new ones attached, flagged corrected
    with what changed, and back in the queue as submitted."""
    report = own_report(session, line_user_id, report_id)
    if report.status not in EDITABLE:
        raise ReportRefused("not_editable")
    check_photo_count(session, len(draft.photo_ids), now)
    before = report_photos(session, report.id)
    changes = _changes(report, draft, before)
    kept = set(draft.photo_ids)
    for photo in before:
        if photo.id not in kept:
            photo.status = "replaced"
    earlier = {photo.id for photo in before}
    PhotoRepository(session).attach([i for i in draft.photo_ids if i not in earlier], report.id, line_user_id)
    result = compute(report.activity_key, draft.inputs, draft.start, draft.end)
    place = draft.place or {}
    report.inputs = json.dumps(dict(draft.inputs), ensure_ascii=False)
    report.period_start, report.period_end = draft.start, draft.end
    report.place_lat, report.place_lon = place.get("lat"), place.get("lon")
    report.place_address = place.get("address") or None
    report.result = json.dumps(result.to_dict(), ensure_ascii=False)
    report.calc_status = result.status
    report.kg_co2e = str(result.kg_co2e) if result.kg_co2e is not None else None
    report.warnings = json.dumps([w.to_dict() for w in result.warnings], ensure_ascii=False)
    flags = set(json.loads(report.flags)) - {FLAG_OUTSIDE_CAMPAIGN}
    flags |= set(flags_for(session, draft, now))
    if report.status == "needs_fix":
        flags.add(FLAG_CORRECTED)
        report.changes = json.dumps(changes, ensure_ascii=False)
    report.flags = json.dumps(sorted(flags))
    report.status, report.fix_fields, report.fix_photos, report.updated_at = "submitted", None, None, now
    audit(session, "coordinator", "report_resubmit", f"report:{report.id}", now,
          detail={"changed": [change["field"] for change in changes]})  # fmt: skip
    return report


def _changes(report: Report, draft: Draft, photos: Sequence[Photo]) -> list[dict[str, Any]]:
    """What the draft changes in the stored report: one entry per field, the period, the place and
    the photos (by the numbers staff saw: replaced ones, and how many were added)."""
    changes: list[dict[str, Any]] = []
    before, after = json.loads(report.inputs), dict(draft.inputs)
    for name in dict.fromkeys([*before, *after]):
        if before.get(name) != after.get(name):
            changes.append({"field": name, "before": before.get(name), "after": after.get(name)})
    old = {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()}
    new = {"start": draft.start.isoformat(), "end": draft.end.isoformat()}
    if old != new:
        changes.append({"field": "period", "before": old, "after": new})
    place = draft.place or {}
    if (report.place_lat, report.place_lon) != (place.get("lat"), place.get("lon")):
        changes.append({"field": "place", "before": [report.place_lat, report.place_lon],
                        "after": [place.get("lat"), place.get("lon")]})  # fmt: skip
    kept = set(draft.photo_ids)
    replaced = [number for number, photo in enumerate(photos, start=1) if photo.id not in kept]
    added = len(kept - {photo.id for photo in photos})
    if replaced or added:
        changes.append({"field": "photos", "replaced": replaced, "added": added, "count": len(kept)})
    return changes


def own_report(session: Session, line_user_id: str, report_id: int) -> Report:
    """A report of the user's approved agency (never another agency's, whatever id a button sent)."""
    agency = require_coordinator(session, line_user_id)
    report = session.get(Report, report_id)
    if report is None or report.agency_id != agency.id:
        raise ReportRefused("unknown")
    return report


def withdraw_report(session: Session, line_user_id: str, report_id: int, now: datetime) -> Report:
    """The reporter takes back a report staff have not decided on yet."""
    report = own_report(session, line_user_id, report_id)
    if report.status not in EDITABLE:
        raise ReportRefused("not_editable")
    report.status, report.updated_at = "withdrawn", now
    audit(session, "coordinator", "report_withdraw", f"report:{report.id}", now)
    return report


def agency_reports(session: Session, agency_id: int, limit: int = 10) -> list[Report]:
    """The agency's reports, newest first."""
    return list(
        session.scalars(
            select(Report)
            .where(Report.agency_id == agency_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(limit)
        )
    )


def list_reports(session: Session, status: str | None = "submitted", limit: int = 50) -> list[Report]:
    """Reports for staff, oldest first (the queue order); every status when `status` is None."""
    query = select(Report).order_by(Report.created_at, Report.id).limit(limit)
    if status:
        query = query.where(Report.status == status)
    return list(session.scalars(query))


def report_details(session: Session, report: Report) -> dict[str, Any]:
    """Everything staff look at, JSON-able (no personal data beyond the agency)."""
    rows = report_photos(session, report.id)
    replaced = session.scalars(
        select(Photo).where(Photo.report_id == report.id, Photo.status == "replaced").order_by(Photo.id)
    ).all()
    wrong = set(json.loads(report.fix_photos)) if report.fix_photos else set()
    return {
        "reference": reference(report),
        "status": report.status,
        "agency_id": report.agency_id,
        "activity": report.activity_key,
        "period": {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
        "inputs": json.loads(report.inputs),
        "kg_co2e": report.kg_co2e,
        "calc_status": report.calc_status,
        "result": json.loads(report.result),
        "warnings": json.loads(report.warnings),
        "flags": json.loads(report.flags),
        "place": {"lat": report.place_lat, "lon": report.place_lon, "address": report.place_address},
        "photos": [
            {
                "number": number,
                "id": p.id,
                "status": p.status,
                "duplicate_of": p.flagged_duplicate_of,
                "display_key": p.display_key,
                "marked_wrong": p.id in wrong,
            }
            for number, p in enumerate(rows, start=1)
        ],
        "replaced_photos": [{"id": p.id, "display_key": p.display_key} for p in replaced],
        "review_reason": report.review_reason,
        "fix_fields": json.loads(report.fix_fields) if report.fix_fields else None,
        "changes": json.loads(report.changes) if report.changes else None,
        "created_at": report.created_at.isoformat(),
    }


def _decide(
    session: Session, ref: str, status: str, actor: str, now: datetime, reason: str | None = None,
    fields: Sequence[str] | None = None, photo_ids: Sequence[int] = (),
) -> Report:  # fmt: skip
    report = find_by_reference(session, ref)
    if report.status not in REVIEWABLE:
        raise ReportRefused("not_reviewable")
    if reason is not None:
        reason = staff_reason(reason, ReportRefused)
    report.status, report.review_reason, report.reviewed_by, report.reviewed_at = status, reason, actor, now
    report.fix_fields = json.dumps(list(fields)) if fields else None
    report.fix_photos = json.dumps(list(photo_ids)) if photo_ids else None
    report.updated_at = now
    audit(
        session,
        actor,
        f"report_{status}",
        f"report:{report.id}",
        now,
        detail={"reason": reason} if reason else None,
    )
    _tell_reporter(session, report, now)
    mark_stale(session)  # the public figures count approved reports
    return report


def approve_report(session: Session, ref: str, actor: str, now: datetime) -> Report:
    return _decide(session, ref, "approved", actor, now)


def reject_report(session: Session, ref: str, reason: str, actor: str, now: datetime) -> Report:
    return _decide(session, ref, "rejected", actor, now, reason=reason)


def needs_fix(
    session: Session, ref: str, fields: Sequence[str], reason: str, actor: str, now: datetime,
    photos: Sequence[int] = (),
) -> Report:  # fmt: skip
    """Send the report back to its reporter; only `fields` are re-asked: calc field names, "period",
    "place", or "photos" (new or more photos; `photos` are the numbers, as `report_details` shows
    them, of the photos to replace, which implies "photos")."""
    report = find_by_reference(session, ref)
    known = {field.name for field in calc.activity_type(report.activity_key).fields} | set(FIX_EXTRAS)
    fields = list(dict.fromkeys([*fields, *(["photos"] if photos else [])]))
    if not fields or not set(fields) <= known:
        raise ReportRefused("bad_fields", known=", ".join(sorted(known)))
    attached = report_photos(session, report.id)
    if any(not 1 <= number <= len(attached) for number in photos):
        raise ReportRefused("bad_photos", count=len(attached))
    ids = [attached[number - 1].id for number in sorted(set(photos))]
    return _decide(session, ref, "needs_fix", actor, now, reason=reason, fields=fields, photo_ids=ids)


FIX_EXTRAS = ("period", "photos", "place")  # what staff may ask to fix besides calc's fields


def field_label(activity_key: str, name: str, language: str) -> str:
    if name in FIX_EXTRAS:
        return t(f"reporting.{name}_label", language)
    field = calc.activity_type(activity_key).field(name)
    return label(field, language)


def fix_photo_numbers(session: Session, report: Report) -> list[int]:
    """The numbers (1, 2, …) of the report's photos staff marked wrong in their fix request."""
    wrong = set(json.loads(report.fix_photos)) if report.fix_photos else set()
    return [
        number for number, photo in enumerate(report_photos(session, report.id), start=1) if photo.id in wrong
    ]


def _tell_reporter(session: Session, report: Report, now: datetime) -> None:
    uid = report.reporter_line_user_id
    if not uid:
        return
    user = UserRepository(session).get(uid)
    language = user.language if user else "th"
    params: dict[str, object] = {"ref": reference(report), "reason": report.review_reason or ""}
    if report.fix_fields:
        names = json.loads(report.fix_fields)
        params["fields"] = ", ".join(field_label(report.activity_key, n, language) for n in names)
        numbers = fix_photo_numbers(session, report)
        if numbers:
            params["fields"] += t(
                "review.fix.photo_numbers", language, numbers=numbers_text(numbers, language)
            )
    text = t(f"reporting.decision.{report.status}", language, **params)
    OutboxRepository(session).enqueue_push(
        to=uid,
        messages=[{"type": "text", "text": text}],
        dedupe_key=f"report:{report.id}:{report.status}:{report.updated_at.isoformat()}",
        now=now,
    )


def numbers_text(numbers: Sequence[int], language: str) -> str:
    """ "2", "2 และ 3", "1, 2 และ 4" (or "2 and 3" in English)."""
    shown = [str(n) for n in numbers]
    if len(shown) < 2:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} {t('review.fix.and', language)} {shown[-1]}"


def as_decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None
