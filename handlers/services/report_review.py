"""What staff see when they review a report: the report in their terms (agency, activity, period,
inputs with units, result in tCO2e, warnings, status history) and its photos checked against it
(taken within the reported period? near the report's province?). Used by `ruamjai report show`
and `report approve`; the staff web will use the same."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import calc
from handlers.services.agencies import province_name
from handlers.services.places import FAR_KM, km_from_province
from handlers.services.reports import FLAG_CORRECTED, report_details, report_photos
from handlers.services.thaitime import bangkok_date
from storage.models import Photo
from storage.models.program import Agency, AuditEntry
from storage.models.reports import Report

PHOTO_OUTSIDE_PERIOD = "photo_taken_outside_period"
PHOTO_FAR_FROM_PROVINCE = "photo_far_from_province"


@dataclass(frozen=True)
class PhotoCheck:
    """One photo of a report as staff need it: when and where it was taken, and what is odd."""

    id: int
    status: str
    captured_at: datetime | None  # from the photo's EXIF; None when it does not say
    lat: float | None
    lon: float | None
    km_from_province: float | None
    flags: tuple[str, ...]


def check_photos(session: Session, report: Report) -> list[PhotoCheck]:
    """The report's photos, each flagged when taken (by its own clock, Bangkok dates) outside the
    reported period, or further than FAR_KM from the capital of the agency's province."""
    agency = session.get(Agency, report.agency_id)
    # The photos staff number; replaced ones are history.
    return photo_checks(report, agency.province_code if agency else None, report_photos(session, report.id))


def photo_checks(report: Report, province: str | None, photos: Iterable[Photo]) -> list[PhotoCheck]:
    """`check_photos` for photos and a province already read (the queue reads all reports' at once)."""
    checks = []
    for photo in photos:
        flags = []
        if photo.captured_at is not None:
            taken = bangkok_date(photo.captured_at)
            if not report.period_start <= taken <= report.period_end:
                flags.append(PHOTO_OUTSIDE_PERIOD)
        km = None
        if photo.gps_lat is not None and photo.gps_lon is not None and province:
            km = km_from_province(province, (photo.gps_lat, photo.gps_lon))
            if km is not None and km > FAR_KM:
                flags.append(PHOTO_FAR_FROM_PROVINCE)
        checks.append(
            PhotoCheck(
                photo.id,
                photo.status,
                photo.captured_at,
                photo.gps_lat,
                photo.gps_lon,
                None if km is None else round(km, 1),
                tuple(flags),
            )
        )
    return checks


def status_history(session: Session, report: Report) -> list[dict[str, Any]]:
    """Submitted, resubmitted, decided, withdrawn: when, by whom (a role, never a person), why."""
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject == f"report:{report.id}")
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    history = []
    for entry in entries:
        detail = json.loads(entry.detail) if entry.detail else {}
        step = entry.action.removeprefix("report_")
        history.append(
            {"at": entry.at.isoformat(), "step": step, "by": entry.actor, "reason": detail.get("reason")}
        )
    return history


def review_sheet(session: Session, report: Report) -> dict[str, Any]:
    """Everything staff look at, JSON-able: `report_details` plus the agency's name and province,
    the activity's name, labelled inputs, tCO2e, the status history, checked photos and the
    concerns an approval must acknowledge (`concerns`)."""
    sheet = report_details(session, report)
    agency = session.get(Agency, report.agency_id)
    activity = calc.activity_type(report.activity_key)
    photos = check_photos(session, report)
    sheet["agency"] = {
        "id": report.agency_id,
        "name": agency.name if agency else None,
        "province": province_name(agency.province_code) if agency else None,
    }
    sheet["activity_name"] = {"th": activity.label_th, "en": activity.label_en}
    sheet["input_labels"] = {field.name: field.label_en for field in activity.fields}
    sheet["t_co2e"] = tonnes(report.kg_co2e)
    sheet["history"] = status_history(session, report)
    sheet["photos"] = [
        {**photo, **asdict(check)} for photo, check in zip(sheet["photos"], photos, strict=True)
    ]
    for photo in sheet["photos"]:
        photo["captured_at"] = photo["captured_at"].isoformat() if photo["captured_at"] else None
        photo["flags"] = list(photo["flags"])
    sheet["concerns"] = concerns(report, photos)
    return sheet


def concerns(report: Report, photos: list[PhotoCheck]) -> list[str]:
    """What an approval must not pass over silently: the report's flags (outside the campaign
    period, a reused photo), the calculation's warnings, and flagged photos. "Corrected" only
    says the report came back from a fix; what changed is shown beside it."""
    found = [flag for flag in json.loads(report.flags) if flag != FLAG_CORRECTED]
    found += [f"calc:{warning['code']}" for warning in json.loads(report.warnings)]
    found += [f"photo {check.id}: {flag}" for check in photos for flag in check.flags]
    return found


def tonnes(kg: str | None) -> str | None:
    """kgCO2e as staff read it: tonnes, three decimals, thousands separators ("1,187.500")."""
    return None if kg is None else f"{Decimal(kg) / 1000:,.3f}"


def find_concerns(session: Session, report: Report) -> list[str]:
    """`concerns` for a report, its photos checked."""
    return concerns(report, check_photos(session, report))
