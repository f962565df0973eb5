"""The staff dashboard's figures, read from the example round the demo loads."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import calc
from bot.demo import example_round_shift
from bot.demo_data import load_example_agencies
from bot.runtime import runtime
from handlers.catalog import label, t
from handlers.services.agency_results import campaign_results
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.staff_dashboard import dashboard
from storage.models import OutboxMessage
from storage.repositories import OutboxRepository
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, Browser, add_staff_member, signed_in


@pytest.fixture
def example_round(app):
    now = datetime.now(UTC)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        load_example_agencies(session, now)
        outbox = OutboxRepository(session)
        message = [{"type": "text", "text": "x"}]
        outbox.enqueue_push(to=STAFF_USER, messages=message, dedupe_key="dead:1", now=now)
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "dead:1")).one()
        outbox.finish(row.id, "dead", now, error="test")
    return now


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def test_the_dashboard_shows_the_round_in_figures(app, example_round, browser):
    with runtime(app).session_factory() as session:
        board = dashboard(session, example_round)
        results = campaign_results(session, example_round)
    assert results is not None and board.deadlines and board.dead_messages == 1
    page = browser.get("/staff/").get_data(as_text=True)
    target = results.campaign.target_agencies
    assert t("staffweb.dashboard.agencies_of_target", "th", count=results.agencies, target=target) in page
    for status in board.reports_by_status:
        assert t(f"staffweb.status.{status}", "th") in page
    for key in results.by_type:
        assert label(calc.activity_type(key), "th") in page
    for ahead in board.deadlines:
        assert ahead.deadline.label_th in page
    assert str(ahead.deadline.due_at.year + 543) in page  # Buddhist era
    owed = board.deadlines[0]
    if owed.no_report:
        assert t("staffweb.dashboard.owe_no_report", "th", count=owed.no_report) in page
    assert "สมศรี ทดสอบ" in page and t("staffweb.page.sign_out", "th") in page
    # The dead message is one click away from its replay.
    dead_list = re.search(r'href="([^"]+)" id="dead-link"', page).group(1)
    assert dead_list == "/staff/outbox?status=dead"
    assert 'class="button' in browser.get(dead_list).get_data(as_text=True)
    english = browser.get("/staff/?lang=en").get_data(as_text=True)
    assert t("staffweb.dashboard.title", "en") in english
    assert results.campaign.name_en in english and str(ahead.deadline.due_at.year) in english


def test_the_dashboard_without_a_campaign(app, browser):
    page = browser.get("/staff/").get_data(as_text=True)
    assert t("staffweb.dashboard.no_campaign", "th") in page
