"""Example agencies, coordinators and reports for `ruamjai demo`.

Made with the domain functions, as the chat and staff would make them, so everything the bot
derives (notices, rich menus, reference numbers, calc's results) is there too. Each coordinator
is also a simulated user, so a tester can pick them in the simulator and carry on as them.

Idempotent: a coordinator who already has an agency is left alone, a report is submitted once
(its submit key is fixed) and decided only while it is still waiting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from handlers.services.agencies import Person, Registration, approve_agency, register_agency
from handlers.services.authz import add_staff, current_membership
from handlers.services.reports import (
    Draft,
    approve_report,
    needs_fix,
    reference,
    reject_report,
    submit_report,
)
from handlers.services.thaitime import BANGKOK

STAFF = "demo"


class Users(Protocol):
    """Where simulated users live (the simulator's world)."""

    def add_friend(self, user_id: str, display_name: str, language: str = "th") -> object: ...


@dataclass(frozen=True)
class ExampleReport:
    activity_key: str
    inputs: Mapping[str, Any]
    status: str = "submitted"  # submitted, approved, needs_fix (with fix_fields) or rejected
    reason: str = ""
    fix_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExampleAgency:
    registration: Registration
    display_name: str  # the coordinator's LINE name
    approved: bool
    reports: tuple[ExampleReport, ...] = field(default=())


def _qty(value: str, unit: str) -> dict[str, str]:
    return {"value": value, "unit": unit}


def _agency(name: str, kind: str, province: str, district: str | None, person: Person) -> Registration:
    return Registration(name, kind, province, district, person, show_name_publicly=True, news_opt_in=True)


EXAMPLE_AGENCIES: tuple[ExampleAgency, ...] = (
    ExampleAgency(
        _agency(
            "เทศบาลตำบลแม่ริม",
            "local_admin",
            "50",
            "5007",
            Person("สมศรี ใจงาม", "นักวิชาการสิ่งแวดล้อม", "+66812345601"),
        ),
        "สมศรี (แม่ริม)",
        approved=True,
        reports=(
            ExampleReport(
                "tree_planting",
                {
                    "species": "teak",
                    "site_suitability": "high",
                    "area": _qty("3", "rai"),
                    "years": _qty("5", "year"),
                },
                status="approved",
            ),
            ExampleReport(
                "electricity_saving",
                {
                    "baseline_electricity": _qty("12000", "kWh"),
                    "actual_electricity": _qty("9500", "kWh"),
                },
                status="needs_fix",
                reason="ขอใบแจ้งค่าไฟฟ้าของเดือนก่อนหน้าเพิ่มเติม",
                fix_fields=("baseline_electricity",),
            ),
            ExampleReport("composting", {"organic_waste": _qty("1500", "kg")}),
        ),
    ),
    ExampleAgency(
        _agency(
            "โรงเรียนบ้านหนองบัว",
            "education",
            "40",
            None,
            Person("วิชัย รักษ์ป่า", "ครูชำนาญการ", "+66812345602"),
        ),
        "ครูวิชัย",
        approved=True,
        reports=(
            ExampleReport("composting", {"organic_waste": _qty("300", "kg")}),
            ExampleReport(
                "tree_planting",
                {
                    "species": "eucalyptus",
                    "site_suitability": "moderate",
                    "area": _qty("2", "rai"),
                    "years": _qty("3", "year"),
                },
                status="rejected",
                reason="ภาพถ่ายไม่ใช่พื้นที่ปลูกที่รายงาน",
            ),
        ),
    ),
    # Approved and nothing reported yet: the agency the report deadline's reminders are for.
    ExampleAgency(
        _agency(
            "เทศบาลเมืองน่าน",
            "local_admin",
            "55",
            "5501",
            Person("ประเสริฐ ทองดี", "นักวิชาการสิ่งแวดล้อมชำนาญการ", "+66812345604"),
        ),
        "ประเสริฐ (น่าน)",
        approved=True,
    ),
    ExampleAgency(
        _agency(
            "องค์การบริหารส่วนตำบลบางพลีใหญ่",
            "local_admin",
            "11",
            "1103",
            Person("มานี มีสุข", "ปลัด อบต.", "+66812345603"),
        ),
        "มานี",
        approved=False,
    ),
)


def coordinator_id(agency: ExampleAgency) -> str:
    """A fixed LINE user id per example coordinator (U + 32 hex digits, as LINE's)."""
    digest = hashlib.sha256(f"ruamjai-demo:{agency.registration.agency_name}".encode()).hexdigest()
    return "U" + digest[:32]


def last_month(now: datetime) -> tuple[date, date]:
    """The whole calendar month before `now` (Bangkok time): a period every report can use."""
    first_this_month = now.astimezone(BANGKOK).date().replace(day=1)
    end = first_this_month - timedelta(days=1)
    return end.replace(day=1), end


def _report(session: Session, user_id: str, key: str, example: ExampleReport, now: datetime) -> None:
    start, end = last_month(now)
    report, _created = submit_report(
        session, user_id, Draft(key, example.activity_key, example.inputs, start, end), now
    )
    if report.status != "submitted" or example.status == "submitted":
        return
    ref = reference(report)
    if example.status == "approved":
        approve_report(session, ref, STAFF, now)
    elif example.status == "rejected":
        reject_report(session, ref, example.reason, STAFF, now)
    else:
        needs_fix(session, ref, example.fix_fields, example.reason, STAFF, now)


def load_example_agencies(
    session: Session,
    now: datetime,
    users: Users | None = None,
    examples: tuple[ExampleAgency, ...] = EXAMPLE_AGENCIES,
) -> None:
    """Register the example agencies (approving some) and their reports; `users` gets each
    coordinator as a simulated user who has added the account as a friend."""
    for example in examples:
        user_id = coordinator_id(example)
        if users is not None:
            users.add_friend(user_id, example.display_name)
        membership = current_membership(session, user_id)
        if membership is None:
            agency = register_agency(session, user_id, example.registration, now)
        else:
            agency = membership[1]
        if example.approved:
            approve_agency(session, agency.id, STAFF, now)
        for index, report in enumerate(example.reports):
            _report(session, user_id, f"demo:{user_id}:{index}", report, now)


# The demo's staff member: a simulated user registered as staff, who can sign in to /staff.
EXAMPLE_STAFF_USER = "U" + hashlib.sha256(b"ruamjai-demo:staff").hexdigest()[:32]
EXAMPLE_STAFF_NAME = "เจ้าหน้าที่ตัวอย่าง"


def load_example_staff(session: Session, now: datetime, users: Users | None = None) -> None:
    """Register the example staff member (as `ruamjai staff add` would); `users` gets them as a
    simulated user who has added the account as a friend."""
    if users is not None:
        users.add_friend(EXAMPLE_STAFF_USER, EXAMPLE_STAFF_NAME)
    add_staff(session, EXAMPLE_STAFF_USER, EXAMPLE_STAFF_NAME, now, actor=STAFF)
