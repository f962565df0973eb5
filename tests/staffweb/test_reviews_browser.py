"""The review queue in real headless Chromium: the queue, a report's page with its photos, the
`f` shortcut to the fix request and a needs-fix sent from it, then `a` approving the next report.

Screenshots at laptop, tablet and phone sizes go to /tmp/staff-shots/reviews-*.png (and
$RUAMJAI_SCREENSHOT_DIR when set)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import update

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.report_queue import open_report
from storage.models.reports import Report, ReportReviewClaim
from tests.handlers.report_chat import ReportChat
from tests.helpers import Chat
from tests.scenarios.test_report_fix_photos import composting_report, open_fix
from tests.simulator.page import quit_chromium, start_chromium
from tests.staffweb.helpers import STAFF_USER, add_staff_member, card_data
from tests.staffweb.test_browser import screenshots, viewport
from tests.staffweb.test_reviews import report_row, set_flags

pytestmark = pytest.mark.slow

SHOTS = Path("/tmp/staff-shots")


@pytest.fixture(scope="module")
def browser():
    driver, profile = start_chromium()
    yield driver
    quit_chromium(driver, profile)


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "screenshots"
    yield folder
    for target in (str(SHOTS), os.environ.get("RUAMJAI_SCREENSHOT_DIR")):
        if target and folder.exists():
            shutil.copytree(folder, target, dirs_exist_ok=True)


def sign_in(browser, live_server, app, fake_line) -> None:
    add_staff_member(app)
    phone = Chat(app.test_client(), fake_line, STAFF_USER)
    browser.delete_all_cookies()
    viewport(browser, "laptop")
    browser.get(f"{live_server}/staff/sign-in")
    phone.say(browser.find_element(By.ID, "code").text)
    phone.tap_data(card_data(phone, 0))
    WebDriverWait(browser, 15).until(lambda d: d.current_url.endswith("/staff/"))


def test_reviewing_reports_in_the_browser(app, fake_line, browser, live_server, shots):
    chat = ReportChat(app, fake_line)
    first = composting_report(chat, [201, 202, 203])
    second = composting_report(chat, [204])
    plain = composting_report(chat, [205])
    set_flags(app, plain, [])
    sign_in(browser, live_server, app, fake_line)

    browser.get(f"{live_server}/staff/reviews")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert [r.find_element(By.CLASS_NAME, "ref").text for r in rows] == [first, second, plain]
    screenshots(browser, shots, "reviews-queue")
    browser.get(f"{live_server}/staff/reviews?lang=en")
    screenshots(browser, shots, "reviews-queue-en")

    browser.get(f"{live_server}/staff/reviews/{first}?lang=th")
    WebDriverWait(browser, 10).until(
        lambda d: all(d.execute_script("return arguments[0].naturalWidth", img) > 0
                      for img in d.find_elements(By.CSS_SELECTOR, ".photos img"))
    )  # fmt: skip
    assert len(browser.find_elements(By.CSS_SELECTOR, ".photos img")) == 3
    screenshots(browser, shots, "reviews-report")

    viewport(browser, "laptop")
    browser.find_element(By.TAG_NAME, "body").send_keys("f")
    focused = browser.switch_to.active_element
    assert focused.get_attribute("name") == "field"
    browser.find_element(By.CSS_SELECTOR, "#fix-form input[name=photo][value='2']").click()
    browser.find_element(By.ID, "fix-reason").send_keys("รูปที่ 2 ไม่ชัด")
    browser.find_element(By.ID, "needs-fix").click()
    WebDriverWait(browser, 10).until(lambda d: f"/staff/reviews/{second}" in d.current_url)
    assert (
        t("staffweb_review.done.needs_fix", "th", ref=first)
        in browser.find_element(By.CSS_SELECTOR, ".note").text
    )
    assert report_row(app, first).status == "needs_fix"

    browser.find_element(By.TAG_NAME, "body").send_keys("n")  # on to the third
    WebDriverWait(browser, 10).until(lambda d: f"/staff/reviews/{plain}" in d.current_url)
    browser.find_element(By.TAG_NAME, "body").send_keys("a")  # no warnings: approved at once
    WebDriverWait(browser, 10).until(
        lambda d: "done=approved" in d.current_url or "/staff/reviews/" in d.current_url
    )
    WebDriverWait(browser, 10).until(lambda d: report_row(app, plain).status == "approved")

    # The coordinator replaces photo 2 in LINE: the report is back, marked corrected.
    open_fix(chat, first)
    chat.send_photo()
    chat.tap(t("reporting.done", "th"))
    chat.tap(t("reporting.confirm", "th"))
    browser.get(f"{live_server}/staff/reviews?warning=corrected")
    assert first in browser.find_element(By.CSS_SELECTOR, "table.queue").text
    screenshots(browser, shots, "reviews-corrected")
    browser.get(f"{live_server}/staff/reviews/{first}")
    assert browser.find_element(By.ID, "changes").text
    screenshots(browser, shots, "reviews-corrected-report")

    # Our claim on the second report lapses and someone else opens it: who, and the buttons off.
    other, second_id = add_staff_member(app, "U" + "7" * 32, "วิชัย ตรวจดี"), report_row(app, second).id
    with runtime(app).session_factory.begin() as session:
        session.execute(update(ReportReviewClaim).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        open_report(session, session.get(Report, second_id), other, datetime.now(UTC))
    browser.get(f"{live_server}/staff/reviews/{second}")
    assert "วิชัย ตรวจดี" in browser.find_element(By.ID, "held").text
    assert not browser.find_element(By.ID, "approve").is_enabled()
    screenshots(browser, shots, "reviews-held")
