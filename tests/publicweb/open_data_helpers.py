"""A small round for the open data's tests: a named agency, an agency that did not agree to be
named (with a free-text input, an address and GPS on its report), an agency no longer approved,
reports in every status; and what a person's private data looks like, to scan for."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.demo import example_round_shift
from bot.demo_data import ExampleAgency, ExampleReport, coordinator_id, load_example_agencies
from bot.runtime import runtime
from handlers.services.agencies import Person, Registration
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from storage.models.program import Agency
from storage.models.reports import Report

NAMED = "เทศบาลตำบลแม่ริม"
UNNAMED = "โรงเรียนบ้านหนองบัววิทยา"
DROPPED = "องค์การบริหารส่วนตำบลบางพลีใหญ่"
SPECIES_NAME = "มะม่วงพันธุ์ของลุงสมศักดิ์"
ADDRESS = "99/9 หมู่ 4 ซอยบ้านลับ ตำบลหนองบัว"
LATITUDE = 16.4321987


def _qty(value: str, unit: str) -> dict[str, str]:
    return {"value": value, "unit": unit}


def _person(n: int) -> Person:
    return Person(f"คุณประสาน ทดสอบ{n}", "นักวิชาการ", f"+6681234560{n}")


def _agency(
    name: str, kind: str, province: str, n: int, named: bool, *reports: ExampleReport
) -> ExampleAgency:
    registration = Registration(name, kind, province, None, _person(n), named, False)
    return ExampleAgency(registration, f"ผู้ประสานงาน {n}", True, reports)


def _compost(kg: str, status: str = "approved") -> ExampleReport:
    return ExampleReport("composting", {"organic_waste": _qty(kg, "kg")}, status=status, reason="ไม่ผ่าน")


def _solar(kwh: str, status: str = "approved") -> ExampleReport:
    inputs = {"electricity_generated": _qty(kwh, "kWh")}
    return ExampleReport("renewable_electricity", inputs, status=status, reason="ไม่ผ่าน")


TREES = ExampleReport(
    "tree_planting",
    {
        "species": "other",
        "species_name": SPECIES_NAME,
        "site_suitability": "high",
        "area": _qty("2", "rai"),
        "years": _qty("3", "year"),
    },
    status="approved",
)

ROUND = (
    _agency(
        NAMED, "local_admin", "50", 1, True, _compost("1500"), _solar("12000"), _compost("800", "submitted")
    ),
    _agency(UNNAMED, "education", "40", 2, False, TREES, _solar("2500"), _solar("700", "rejected")),
    _agency(DROPPED, "local_admin", "11", 3, True, _compost("400")),
)


def seed(app) -> datetime:
    """Load the example campaign and ROUND; the third agency is then no longer approved, and the
    unnamed agency's reports carry an address and GPS. Returns the time they were loaded at."""
    now = datetime.now(UTC)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        load_example_agencies(session, now, examples=ROUND)
        session.execute(update(Agency).where(Agency.name == DROPPED).values(status="rejected"))
        unnamed = session.scalar(select(Agency.id).where(Agency.name == UNNAMED))
        session.execute(
            update(Report)
            .where(Report.agency_id == unnamed)
            .values(place_address=ADDRESS, place_lat=LATITUDE, place_lon=102.8765432)
        )
    return now


def set_consent(app, name: str, named: bool) -> None:
    with runtime(app).session_factory.begin() as session:
        session.execute(update(Agency).where(Agency.name == name).values(show_name_publicly=named))


def counted_references(app) -> list[str]:
    """References of approved reports of approved agencies, found the slow and obvious way."""
    with runtime(app).session_factory() as session:
        approved = {a.id for a in session.scalars(select(Agency).where(Agency.status == "approved"))}
        return sorted(
            f"R-{r.year_be}-{r.sequence:05d}"
            for r in session.scalars(select(Report))
            if r.status == "approved" and r.agency_id in approved
        )


def private_strings(app) -> list[str]:
    """Everything personal in the round: names, phones (as stored and as written), LINE ids, the
    place and the free text; and the name of the agency that did not agree."""
    found = [UNNAMED, SPECIES_NAME, ADDRESS, str(LATITUDE), "102.8765432"]
    for example in ROUND:
        person = example.registration.person
        local_phone = "0" + person.phone_e164[3:]
        found += [person.name, person.phone_e164, local_phone, example.display_name, coordinator_id(example)]
    return found
