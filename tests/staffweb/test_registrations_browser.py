"""Approving an agency in real headless Chromium, and the registrations, agency, people and
factors pages at laptop, tablet and phone sizes (screenshots in the test's tmp folder, and in
$RUAMJAI_SCREENSHOT_DIR when set)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.demo import example_round_shift
from bot.demo_data import load_example_agencies
from bot.fakeline.events import new_user_id
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import request_to_join
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from storage.models.program import Agency
from tests.handlers.domain_helpers import person, pushed_texts, registered
from tests.helpers import Chat
from tests.simulator.page import quit_chromium, start_chromium
from tests.staffweb.helpers import STAFF_USER, add_staff_member, card_data
from tests.staffweb.test_browser import FONTS_LOADED, SIZES, viewport

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    driver, profile = start_chromium()
    yield driver
    quit_chromium(driver, profile)


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "screenshots"
    yield folder
    target = os.environ.get("RUAMJAI_SCREENSHOT_DIR")
    if target and folder.exists():
        shutil.copytree(folder, target, dirs_exist_ok=True)


def screenshots(driver, shots, page: str) -> None:
    """The page at each size, after checking nothing spills sideways (wide tables scroll inside
    their own box)."""
    shots.mkdir(parents=True, exist_ok=True)
    for name in SIZES:
        viewport(driver, name)
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(FONTS_LOADED))
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page} at {name} is wider than the screen by {overflow}px"
        driver.save_screenshot(str(shots / f"{page}-{name}.png"))


def sign_in(browser, live_server, phone) -> None:
    browser.delete_all_cookies()
    viewport(browser, "laptop")
    browser.get(f"{live_server}/staff/sign-in")
    phone.say(browser.find_element(By.ID, "code").text)
    phone.tap_data(card_data(phone, 0))
    WebDriverWait(browser, 15).until(lambda d: d.current_url.endswith("/staff/"))


def test_approving_an_agency_in_the_browser(app, fake_line, browser, live_server, shots):
    db = runtime(app).session_factory
    now = datetime.now(UTC)
    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        load_example_agencies(session, now)
    user, agency_id = registered(db, name="องค์การบริหารส่วนตำบลบางพลีใหญ", district="1103")
    with db.begin() as session:
        request_to_join(session, new_user_id(), agency_id, person(name="มานี มีนา"), now)
    add_staff_member(app)
    sign_in(browser, live_server, Chat(app.test_client(), fake_line, STAFF_USER))

    browser.find_element(By.LINK_TEXT, t("staffweb.registrations.title", "th")).click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/staff/registrations"))
    screenshots(browser, shots, "registrations")
    browser.find_element(By.CSS_SELECTOR, f'#waiting a[href="/staff/agencies/{agency_id}"]').click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "approve"))
    assert "สมชาย ใจดี" in browser.find_element(By.ID, "coordinators").text
    screenshots(browser, shots, "registrations-agency")
    viewport(browser, "tablet")
    browser.find_element(By.ID, "approve").click()
    WebDriverWait(browser, 10).until(lambda d: "done=approved" in d.current_url)
    assert t("staffweb.registrations.done_approved", "th") in browser.find_element(By.ID, "main").text
    with db() as session:
        assert session.get(Agency, agency_id).status == "approved"
    assert pushed_texts(app, fake_line, user) == [
        t("agency.outcome.approved", "th", agency="องค์การบริหารส่วนตำบลบางพลีใหญ")
    ]

    browser.get(f"{live_server}/staff/people")
    browser.find_element(By.ID, "line_user_id").send_keys(user)
    browser.find_element(By.CSS_SELECTOR, "#erase form button").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "erase-now"))
    screenshots(browser, shots, "people")
    browser.get(f"{live_server}/staff/factors?from=2025-12&to=2026-01")
    screenshots(browser, shots, "factors")
    browser.get(f"{live_server}/staff/factors?from=2025-12&to=2026-01&lang=en")
    screenshots(browser, shots, "factors-en")
