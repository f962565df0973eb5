"""The staff menu's "waiting for review" button, tapped through signed webhooks: staff get live
counts of what waits for them, anyone else a polite refusal."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from bot.fakeline.events import new_user_id
from handlers.catalog import t
from handlers.services.agencies import approve_agency, request_to_join
from handlers.services.reports import (
    Draft,
    approve_report,
    needs_fix,
    reference,
    resubmit_report,
    submit_report,
)
from storage.photo_repository import PhotoRepository
from storage.repositories import UserRepository
from tests.handlers.domain_helpers import (  # noqa: F401
    NOW,
    approved,
    db_fixture,
    person,
    registered,
    staff,
)
from tests.helpers import Chat

REVIEW = "a=info&k=review"
INPUTS = {"electricity_generated": {"value": "1250", "unit": "kWh"}}
JUNE = (date(2024, 6, 1), date(2024, 6, 30))


def report_by(db, user: str) -> tuple[int, str]:
    with db.begin() as session:
        draft = Draft(uuid.uuid4().hex, "renewable_electricity", INPUTS, *JUNE)
        report, _ = submit_report(session, user, draft, NOW)
        return report.id, reference(report)


def counts(language: str = "th", **numbers) -> str:
    return t("review.counts", language, **numbers)


@pytest.fixture
def queue(db):
    """Two agencies pending, one join request, and reports in every state staff may meet."""
    _, first_pending = registered(db, name="เทศบาลตำบลบางพลีใหญ่")
    registered(db, name="องค์การบริหารส่วนตำบลบางเสาธง", district=None)
    coordinator, agency_id = approved(db, name="องค์การบริหารส่วนตำบลบางโฉลง")
    with db.begin() as session:
        request_to_join(session, new_user_id(), agency_id, person(name="มานี มีนา"), NOW)
    _, waiting = report_by(db, coordinator)
    fixed_id, fixed = report_by(db, coordinator)
    _, decided = report_by(db, coordinator)
    with db.begin() as session:
        needs_fix(session, fixed, ["electricity_generated"], "ตัวเลขไม่ตรงกับใบแจ้งหนี้", "cli", NOW)
        approve_report(session, decided, "cli", NOW)
    with db.begin() as session:  # corrected, with the evidence photo the campaign asks for
        evidence, _ = PhotoRepository(session).add(
            line_user_id=coordinator, line_message_id=uuid.uuid4().hex, display_key="d", thumb_key="t",
            sha256="0" * 64, phash="0" * 16, width=800, height=600, created_at=NOW,
        )  # fmt: skip
        corrected = Draft(uuid.uuid4().hex, "renewable_electricity", INPUTS, *JUNE, photo_ids=(evidence.id,))
        resubmit_report(session, coordinator, fixed_id, corrected, NOW)
    return {"coordinator": coordinator, "first_pending": first_pending, "waiting": waiting}


def test_staff_see_live_counts_that_change_after_a_decision(app, client, fake_line, db, queue):
    chat = Chat(client, fake_line, staff(db))
    chat.tap_data(REVIEW)
    # Reports: the one never reviewed and the one corrected after a fix request (the approved one
    # is done); the commands to review them come with the counts.
    assert chat.text == counts(agencies=2, join_requests=1, reports=2, resubmitted=1)
    assert "ruamjai agency list" in chat.text and "ruamjai report list" in chat.text

    with db.begin() as session:
        approve_agency(session, queue["first_pending"], "cli", NOW)
        approve_report(session, queue["waiting"], "cli", NOW)
    chat.tap_data(REVIEW)
    assert chat.text == counts(agencies=1, join_requests=1, reports=1, resubmitted=1)


def test_staff_read_the_counts_in_their_language(app, client, fake_line, db, queue):
    officer = staff(db)
    with db.begin() as session:
        UserRepository(session).get_or_create(officer, NOW).language = "en"
    chat = Chat(client, fake_line, officer)
    chat.tap_data(REVIEW)
    assert chat.text == counts("en", agencies=2, join_requests=1, reports=2, resubmitted=1)


def test_anyone_else_with_a_stale_staff_menu_is_refused_politely(app, client, fake_line, db, queue):
    for user in (queue["coordinator"], new_user_id()):
        chat = Chat(client, fake_line, user)
        chat.tap_data(REVIEW)
        assert chat.text == t("review.not_staff", "th")
