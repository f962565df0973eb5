"""A campaign calendar for the reminder tests: 30 agencies in mixed states, reports and photos
seeded as the report flow stores them, a clock the test sets, and what each person received."""

from __future__ import annotations

import itertools
import json
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest

from bot.fakeline.events import new_user_id
from bot.runtime import runtime
from handlers.services.agencies import reject_agency
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.reports import reference
from handlers.services.thaitime import BANGKOK
from storage.models import Photo
from storage.models.program import Coordinator
from storage.models.reports import Report
from storage.repositories import UserRepository
from tests.handlers.domain_helpers import NOW, approved, registered

# What each agency has done, cycling over the 30 agencies.
STATES = ("done", "nothing", "needs_fix", "some_types", "pending", "rejected")
_sequence = itertools.count(1)


class SetClock:
    """The clock boundary, set by the test to the exact moment it wants."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        pass

    def bangkok(self, day: date, hour: int = 9, minute: int = 0) -> None:
        self.at = datetime.combine(day, time(hour, minute), BANGKOK).astimezone(UTC)


@pytest.fixture(name="clock")
def clock_fixture() -> SetClock:
    return SetClock(NOW)


@pytest.fixture(name="calendar_app")
def calendar_app_fixture(make_app, settings, clock):
    app = make_app(settings, clock=clock)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    return app


def add_report(session, agency_id: int, user: str, status: str, photos: int, period=(6, 1)) -> str:
    """A report as the report flow stores it (figures beside the point here), with `photos`."""
    start = date(2024, *period)
    report = Report(
        submit_key=uuid.uuid4().hex,
        year_be=2567,
        sequence=next(_sequence),
        agency_id=agency_id,
        reporter_line_user_id=user,
        activity_key="composting",
        period_start=start,
        period_end=start.replace(day=28),
        inputs=json.dumps({"waste": {"value": "500", "unit": "kg"}}),
        result="{}",
        calc_status="ok",
        kg_co2e="100",
        warnings="[]",
        flags="[]",
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(report)
    session.flush()
    for index in range(photos):
        session.add(
            Photo(
                line_user_id=user,
                line_message_id=uuid.uuid4().hex,
                display_key=f"d/{report.id}/{index}",
                thumb_key=f"t/{report.id}/{index}",
                sha256=uuid.uuid4().hex + uuid.uuid4().hex,
                phash="0" * 16,
                width=800,
                height=600,
                status="attached",
                report_id=report.id,
                created_at=NOW,
            )
        )
    return reference(report)


@dataclass
class Agency:
    state: str
    id: int
    coordinators: list[str]
    refs: dict[str, list[str]] = field(default_factory=dict)  # "needs_fix" / "without_photos"


def seed(db, count: int = 30) -> list[Agency]:
    """`count` agencies cycling through STATES; one needs-fix agency has a second (English) coordinator."""
    agencies = []
    for index in range(count):
        state = STATES[index % len(STATES)]
        if state in ("pending", "rejected"):
            user, agency_id = registered(db, name=f"โรงเรียนบ้านทดสอบ {index}")
        else:
            user, agency_id = approved(db, name=f"เทศบาลตำบลทดสอบ {index}")
        agency = Agency(state, agency_id, [user])
        with db.begin() as session:
            if state == "rejected":
                reject_agency(session, agency_id, "ข้อมูลไม่ครบ", "cli", NOW)
            if state == "done":
                add_report(session, agency_id, user, "approved", photos=2)
                add_report(session, agency_id, user, "withdrawn", photos=0)
            elif state == "nothing":
                add_report(session, agency_id, user, "submitted", photos=1, period=(1, 1))  # before 2567's
                add_report(session, agency_id, user, "rejected", photos=1)
            elif state == "needs_fix":
                add_report(session, agency_id, user, "submitted", photos=1)
                agency.refs["needs_fix"] = [add_report(session, agency_id, user, "needs_fix", photos=1)]
            elif state == "some_types":
                add_report(session, agency_id, user, "approved", photos=1)
                agency.refs["without_photos"] = [add_report(session, agency_id, user, "submitted", photos=0)]
            elif state in ("pending", "rejected"):
                add_report(session, agency_id, user, "submitted", photos=0)
            if state == "needs_fix" and index < len(STATES):
                second = new_user_id()
                UserRepository(session).get_or_create(second, NOW).language = "en"
                session.add(
                    Coordinator(agency_id=agency_id, line_user_id=second, status="active", joined_at=NOW)
                )
                agency.coordinators.append(second)
        agencies.append(agency)
    return agencies


def subscribers(db) -> dict[str, list[str]]:
    """People who are no coordinators: opted in to news, opted out, and opted in but blocked."""
    people = {"news": [new_user_id(), new_user_id()], "no_news": [new_user_id()], "blocked": [new_user_id()]}
    with db.begin() as session:
        users = UserRepository(session)
        for kind, ids in people.items():
            for user in ids:
                users.mark_followed(user, NOW).news_opt_in = kind != "no_news"
                if kind == "blocked":
                    users.mark_blocked(user, NOW)
    return people


LABELS = {d["label_th"]: d["kind"] for d in tomllib.loads(EXAMPLE_CAMPAIGN.read_text("utf-8"))["deadlines"]}
LABELS |= {d["label_en"]: d["kind"] for d in tomllib.loads(EXAMPLE_CAMPAIGN.read_text("utf-8"))["deadlines"]}


def reminders_to(fake_line, user: str) -> list[tuple[str, dict]]:
    """(deadline kind, message) of each reminder push `user` received, approval notices left out."""
    found = []
    for delivery in fake_line.delivered_to(user):
        for message in delivery.messages:
            kinds = [kind for label, kind in LABELS.items() if f'"{label}"' in message.get("text", "")]
            if delivery.kind == "push" and kinds:
                found.append((kinds[0], message))
    return found


def buttons(message: dict) -> list[str]:
    return [item["action"]["data"] for item in message.get("quickReply", {}).get("items", [])]
