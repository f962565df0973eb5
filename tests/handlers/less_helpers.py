"""Seeding for the LESS package tests: an approved agency with reports in every state, each with
evidence photos stored through the app's media store as the photo intake stores them."""

from __future__ import annotations

import hashlib
import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from PIL import Image

from bot.runtime import runtime
from handlers.services.report_reference import reference
from handlers.services.reports import Draft, approve_report, needs_fix, submit_report
from storage.photo_repository import PhotoRepository
from tests.handlers.domain_helpers import NOW, approved

PERIOD = (date(2024, 6, 1), date(2024, 6, 30))
ACTIVITY = (date(2024, 6, 1), date(2024, 6, 5))
_MESSAGES = itertools.count(1)

EXAMPLES = (
    ("renewable_electricity", {"electricity_generated": {"value": "1250", "unit": "kWh"}}),
    ("recycling", {"pet": {"value": "120.5", "unit": "kg"}, "aluminium_cans": {"value": "33", "unit": "kg"}}),
    ("composting", {"organic_waste": {"value": "1500", "unit": "kg"}}),
    ("renewable_electricity", {"electricity_generated": {"value": "333.3", "unit": "kWh"}}),
)


def jpeg(seed: int, size: tuple[int, int] = (160, 120)) -> bytes:
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def stored_photo(session, media, user: str, data: bytes, gps: bool = True) -> int:
    """A received photo of `user`, its display and thumbnail copies in the media store."""
    message = f"less{next(_MESSAGES):08d}"
    display, thumb = f"photos/{message}/display.jpg", f"photos/{message}/thumb.jpg"
    media.put(display, data, "image/jpeg")
    media.put(thumb, data, "image/jpeg")
    photo, _ = PhotoRepository(session).add(
        line_user_id=user,
        line_message_id=message,
        display_key=display,
        thumb_key=thumb,
        sha256=hashlib.sha256(data).hexdigest(),
        phash=f"{next(_MESSAGES):016x}",
        width=1600,
        height=1200,
        captured_at=datetime(2024, 6, 2, 2, 30, tzinfo=UTC),
        gps_lat=13.7563 if gps else None,
        gps_lon=100.5018 if gps else None,
        created_at=NOW,
    )
    return photo.id


@dataclass
class Seeded:
    agency_id: int
    user: str
    refs: list[str]


def add_report(
    session, media, user: str, activity: str, inputs: dict, photos: int = 2, status: str = "approved",
    period: tuple[date, date] = ACTIVITY, photo_size: tuple[int, int] = (160, 120),
) -> str:  # fmt: skip
    ids = [stored_photo(session, media, user, jpeg(next(_MESSAGES), photo_size)) for _ in range(photos)]
    key = f"less:{next(_MESSAGES)}"
    report, _ = submit_report(session, user, Draft(key, activity, inputs, *period, photo_ids=ids), NOW)
    ref = reference(report)
    if status == "approved":
        approve_report(session, ref, "staff:1", NOW)
    elif status == "needs_fix":
        needs_fix(session, ref, ["period"], "ช่วงเวลาไม่ตรง", "staff:1", NOW)
    return ref


def seed_agency(app, reports=EXAMPLES, **kwargs) -> Seeded:
    """An approved agency with the example reports, all approved, two photos each."""
    db = runtime(app).session_factory
    user, agency_id = approved(db)
    media = runtime(app).media
    refs = []
    with db.begin() as session:
        for activity, inputs in reports:
            refs.append(add_report(session, media, user, activity, inputs, **kwargs))
    return Seeded(agency_id, user, refs)
