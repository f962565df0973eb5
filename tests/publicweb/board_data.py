"""Seeding for the board and share-card tests: the example campaign and three approved agencies,
one named with photos shown, one named without photos, one that agreed to nothing; each with
approved reports (and one submitted report that must not count)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from PIL import Image

from bot.fakeline.events import new_user_id
from bot.runtime import runtime
from handlers.services.agencies import approve_agency, register_agency
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.coordinators import Person
from handlers.services.reports import Draft, approve_report, reference, submit_report
from storage.models import Photo
from storage.models.program import Agency
from tests.handlers.domain_helpers import registration

NOW = datetime(2024, 8, 1, 3, 0, tzinfo=UTC)
JUNE = (date(2024, 6, 1), date(2024, 6, 30))
COMPOSTING = "composting"


@dataclass
class Seeded:
    named: int  # agency ids
    photos: int
    silent: int
    people: list[Person]
    users: list[str]
    photo_key: str
    named_name: str = "เทศบาลตำบลแม่ริม"
    photos_name: str = "โรงเรียนบ้านหนองบัว"
    silent_name: str = "บริษัท ลับเฉพาะ จำกัด"


def photo_bytes() -> bytes:
    """A green-and-yellow display copy, easy to spot in a screenshot."""
    image = Image.new("RGB", (1024, 768), (40, 140, 80))
    for x in range(0, 1024, 128):
        image.paste((240, 200, 60), (x, 0, x + 64, 768))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def agency(
    session, name: str, person: Person, name_ok: bool, photos_ok: bool, province: str
) -> tuple[int, str]:
    user = new_user_id()
    reg = registration(name=name, who=person, province=province, district=None)
    row = register_agency(session, user, reg, NOW)
    approve_agency(session, row.id, "cli", NOW)
    row = session.get(Agency, row.id)
    row.show_name_publicly, row.show_photos_publicly = name_ok, photos_ok
    return row.id, user


def report(session, user: str, kg_waste: str, approve: bool = True, when: datetime = NOW) -> int:
    """A composting report of `kg_waste` kg, approved unless told; returns its id."""
    inputs = {"organic_waste": {"value": kg_waste, "unit": "kg"}}
    made, _ = submit_report(session, user, Draft(uuid.uuid4().hex, COMPOSTING, inputs, *JUNE), when)
    if approve:
        approve_report(session, reference(made), "staff", when)
    return made.id


def add_photo(session, user: str, report_id: int, key: str) -> None:
    session.add(
        Photo(
            line_user_id=user,
            line_message_id=uuid.uuid4().hex,
            display_key=key,
            thumb_key=key.replace("display", "thumb"),
            sha256=uuid.uuid4().hex * 2,
            phash="0" * 16,
            width=1024,
            height=768,
            status="attached",
            report_id=report_id,
            created_at=NOW,
        )
    )


def seed(app) -> Seeded:
    people = [
        Person(name="สมชาย ใจดี", position="ปลัด", phone_e164="+66812345678"),
        Person(name="มานี มีนา", position="ครู", phone_e164="+66823456789"),
        Person(name="ปิติ ลับมาก", position="ผู้จัดการ", phone_e164="+66834567890"),
    ]
    key = f"photos/{uuid.uuid4().hex}/display.jpg"
    runtime(app).media.put(key, photo_bytes(), "image/jpeg")
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
        named, u1 = agency(session, Seeded.named_name, people[0], True, False, "50")
        photos, u2 = agency(session, Seeded.photos_name, people[1], True, True, "40")
        silent, u3 = agency(session, Seeded.silent_name, people[2], False, False, "10")
        report(session, u1, "2000")
        add_photo(session, u2, report(session, u2, "3000"), key)
        report(session, u3, "5000")
        report(session, u3, "9000", approve=False)  # submitted only: never counted
    return Seeded(named, photos, silent, people, [u1, u2, u3], key)


def approved_total_kg(app) -> Decimal:
    """The sum of approved reports' stored results, straight from the table."""
    from sqlalchemy import select

    from storage.models.reports import Report

    with runtime(app).session_factory() as session:
        rows = session.scalars(select(Report.kg_co2e).where(Report.status == "approved"))
        return sum((Decimal(kg) for kg in rows if kg is not None), Decimal(0))


def private_strings(app) -> list[str]:
    """Everything that must never be shown publicly, read from the database: every coordinator's
    name, phone (stored, local and spaced forms) and LINE user id, and the names of agencies that
    did not agree to be named."""
    from sqlalchemy import select

    from handlers.parsing.phone import format_thai_mobile
    from storage.models.program import Coordinator

    found: list[str] = []
    with runtime(app).session_factory() as session:
        for person in session.scalars(select(Coordinator)):
            found += [person.name, person.line_user_id]
            if person.phone_e164:
                found += [
                    person.phone_e164,
                    "0" + person.phone_e164[3:],
                    format_thai_mobile(person.phone_e164),
                ]
        found += [a.name for a in session.scalars(select(Agency).where(Agency.show_name_publicly.is_(False)))]
    return [text for text in found if text]
