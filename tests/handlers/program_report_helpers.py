"""A small round for the program report's tests: approved agencies in two provinces with approved
reports of several activity types, and reports and agencies that must not count (submitted,
rejected, needs a fix; a pending agency); and the figures summed straight from the reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from bot.demo import example_round_shift
from bot.demo_data import ExampleAgency, ExampleReport, load_example_agencies
from bot.runtime import runtime
from handlers.services.agencies import Person, Registration
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from storage.models.program import Agency
from storage.models.reports import Report


def _qty(value: str, unit: str) -> dict[str, str]:
    return {"value": value, "unit": unit}


def _agency(name: str, province: str, n: int, approved: bool, *reports: ExampleReport) -> ExampleAgency:
    person = Person(f"ผู้ประสานงาน {n}", "นักวิชาการ", f"+6681234567{n}")
    registration = Registration(name, "local_admin", province, None, person, True, False)
    return ExampleAgency(registration, f"coordinator {n}", approved, reports)


def _compost(kg: str, status: str = "approved") -> ExampleReport:
    return ExampleReport("composting", {"organic_waste": _qty(kg, "kg")}, status=status, reason="ไม่ผ่าน")


def _solar(kwh: str, status: str = "approved") -> ExampleReport:
    return ExampleReport("renewable_electricity", {"electricity_generated": _qty(kwh, "kWh")}, status=status)


ROUND = (
    _agency("เทศบาลตำบลแม่ริม", "50", 1, True, _compost("1500"), _solar("12000"), _compost("800", "submitted")),
    _agency("เทศบาลตำบลสันทราย", "50", 2, True, _compost("600"), _compost("900", "rejected")),
    _agency("โรงเรียนบ้านหนองบัว", "40", 3, True, _solar("2500"), _solar("700", "submitted")),
    _agency("องค์การบริหารส่วนตำบลบ้านใหม่", "40", 4, True),
    _agency("องค์การบริหารส่วนตำบลบางพลีใหญ่", "11", 5, False),
)


def seed_round(app) -> datetime:
    """Load the example campaign and ROUND; returns the time they were loaded at."""
    now = datetime.now(UTC)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        load_example_agencies(session, now, examples=ROUND)
    return now


@dataclass
class Expected:
    agencies: int = 0
    reports: int = 0
    kg: Decimal = Decimal(0)
    by_type: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    by_province: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    agencies_by_province: dict[str, int] = field(default_factory=dict)


def expected(app) -> Expected:
    """The figures summed report by report, the slow and obvious way."""
    found = Expected()
    by_type: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    by_province: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    with runtime(app).session_factory() as session:
        agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.status == "approved"))}
        found.agencies = len(agencies)
        for agency in agencies.values():
            found.agencies_by_province[agency.province_code] = (
                found.agencies_by_province.get(agency.province_code, 0) + 1
            )
        for report in session.scalars(select(Report)):
            if report.status != "approved" or report.agency_id not in agencies:
                continue
            kg = Decimal(report.kg_co2e)
            found.reports += 1
            found.kg += kg
            for line in (by_type[report.activity_key], by_province[agencies[report.agency_id].province_code]):
                line[0] += 1
                line[1] += kg
    found.by_type = {key: (n, kg) for key, (n, kg) in by_type.items()}
    found.by_province = {key: (n, kg) for key, (n, kg) in by_province.items()}
    return found
