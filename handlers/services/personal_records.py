"""What a person's own activity left on record, for their data export ("ข้อมูลของฉัน"): the reports
they sent (inputs, results, place), their photos (capture time, GPS, signed links), the places
they gave, the messages they sent that are still stored and the messages held for them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.services.report_reference import reference
from storage.media import MediaStore
from storage.models import InboxEvent, Photo
from storage.models.program import Agency
from storage.models.reports import Report
from storage.repositories import OutboxRepository

# The parts of a stored webhook event that are the person's message (not LINE's envelope).
_EVENT_PARTS = ("message", "postback", "unsend", "follow")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _place(lat: float | None, lon: float | None, address: str | None) -> dict[str, Any] | None:
    if lat is None and lon is None and not address:
        return None
    return {"lat": lat, "lon": lon, "address": address}


def reports_of(session: Session, line_user_id: str) -> list[dict[str, Any]]:
    """The reports the person sent, with what they typed and what was computed from it."""
    agencies = {agency_id: name for agency_id, name in session.execute(select(Agency.id, Agency.name))}
    photos: dict[int, list[int]] = {}
    mine = select(Report.id).where(Report.reporter_line_user_id == line_user_id)
    for photo_id, report_id in session.execute(
        select(Photo.id, Photo.report_id).where(Photo.report_id.in_(mine)).order_by(Photo.id)
    ):
        photos.setdefault(report_id, []).append(photo_id)
    reports = session.scalars(
        select(Report).where(Report.reporter_line_user_id == line_user_id).order_by(Report.id)
    )
    return [
        {
            "reference": reference(report),
            "agency_id": report.agency_id,
            "agency": agencies.get(report.agency_id),
            "activity": report.activity_key,
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(),
            "inputs": json.loads(report.inputs),
            "result": json.loads(report.result),
            "kg_co2e": report.kg_co2e,
            "calc_status": report.calc_status,
            "warnings": json.loads(report.warnings),
            "flags": json.loads(report.flags),
            "place": _place(report.place_lat, report.place_lon, report.place_address),
            "photo_ids": photos.get(report.id, []),
            "status": report.status,
            "review_reason": report.review_reason,
            "created_at": _iso(report.created_at),
            "updated_at": _iso(report.updated_at),
        }
        for report in reports
    ]


def photos_of(
    session: Session, line_user_id: str, media: MediaStore | None, link_seconds: int
) -> list[dict[str, Any]]:
    """The person's photos still held (not unsent), with what their EXIF said and signed links to
    the stored copies (valid `link_seconds`; None without a media store)."""
    rows = session.scalars(
        select(Photo).where(Photo.line_user_id == line_user_id, Photo.status != "removed").order_by(Photo.id)
    )
    references = {
        report.id: reference(report)
        for report in session.scalars(
            select(Report).where(
                Report.id.in_(select(Photo.report_id).where(Photo.line_user_id == line_user_id))
            )
        )
    }
    return [
        {
            "id": photo.id,
            "status": photo.status,
            "report": references.get(photo.report_id) if photo.report_id else None,
            "received_at": _iso(photo.created_at),
            "captured_at": _iso(photo.captured_at),
            "gps_lat": photo.gps_lat,
            "gps_lon": photo.gps_lon,
            "width": photo.width,
            "height": photo.height,
            "url": media.signed_url(photo.display_key, link_seconds) if media else None,
            "thumbnail_url": media.signed_url(photo.thumb_key, link_seconds) if media else None,
        }
        for photo in rows
    ]


def places_of(reports: list[dict[str, Any]], answers: list[tuple[str, dict]]) -> list[dict[str, Any]]:
    """Every place the person gave: in reports they sent, and in answers not yet sent
    (`answers`: (where, answers) pairs of the conversation and drafts)."""
    places = [{"given_in": report["reference"], **report["place"]} for report in reports if report["place"]]
    for where, given in answers:
        place = given.get("place")
        if isinstance(place, dict):
            places.append({"given_in": where, **place})
    return places


def messages_from(session: Session, line_user_id: str) -> list[dict[str, Any]]:
    """What the person sent that is still stored (webhook events), the message part only."""
    rows = session.execute(
        select(InboxEvent.event_type, InboxEvent.received_at, InboxEvent.payload)
        .where(InboxEvent.source_key == line_user_id)
        .order_by(InboxEvent.id)
    )
    found = []
    for event_type, received_at, payload in rows:
        event = json.loads(payload or "{}")
        parts = {part: event[part] for part in _EVENT_PARTS if part in event}
        found.append({"type": event_type, "received_at": _iso(received_at), **parts})
    return found


def messages_to(session: Session, line_user_id: str) -> list[dict[str, Any]]:
    """What the bot sent or is about to send the person that is still stored (outbox rows that
    name them; other recipients of a multicast are not shown)."""
    return [
        {
            "kind": row.kind,
            "status": row.status,
            "created_at": _iso(row.created_at),
            "sent_at": _iso(row.sent_at),
            "content": json.loads(row.payload or "{}"),
        }
        for row in OutboxRepository(session).rows_for_recipient(line_user_id)
    ]
