"""Signing in to the staff web in real headless Chromium: the page shows a code, the staff
member's phone sends it and confirms, and the page moves on to the dashboard by itself.

Screenshots of both pages at laptop, tablet and phone sizes go to the test's tmp folder, and
also to $RUAMJAI_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.demo import example_round_shift
from bot.demo_data import load_example_agencies
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from tests.helpers import Chat
from tests.simulator.page import quit_chromium, start_chromium
from tests.staffweb.helpers import STAFF_USER, add_staff_member, card_data

pytestmark = pytest.mark.slow

FONTS_LOADED = "return document.fonts.status === 'loaded'"
SIZES = {"laptop": (1366, 768), "tablet": (768, 1024), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser():
    driver, profile = start_chromium()
    yield driver
    quit_chromium(driver, profile)


@pytest.fixture
def app(make_app, settings):
    return make_app(settings.with_(line_basic_id="@ruamjai"))


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "screenshots"
    yield folder
    target = os.environ.get("RUAMJAI_SCREENSHOT_DIR")
    if target and folder.exists():
        shutil.copytree(folder, target, dirs_exist_ok=True)


def viewport(driver, name: str) -> None:
    width, height = SIZES[name]
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": name == "phone"},
    )


def screenshots(driver, shots, page: str) -> None:
    """The page at each size, after checking nothing spills sideways."""
    shots.mkdir(parents=True, exist_ok=True)
    for name in SIZES:
        viewport(driver, name)
        driver.refresh()
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(FONTS_LOADED))
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page} at {name} is wider than the screen by {overflow}px"
        driver.save_screenshot(str(shots / f"{page}-{name}.png"))
        if driver.execute_script("return document.documentElement.scrollHeight > window.innerHeight"):
            driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
            driver.save_screenshot(str(shots / f"{page}-{name}-end.png"))


def test_signing_in_with_line_moves_on_to_the_dashboard(app, fake_line, browser, live_server, shots):
    now = datetime.now(UTC)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        load_example_agencies(session, now)
    add_staff_member(app)
    phone = Chat(app.test_client(), fake_line, STAFF_USER)
    browser.delete_all_cookies()
    viewport(browser, "laptop")
    browser.get(f"{live_server}/staff/sign-in")
    code = browser.find_element(By.ID, "code").text
    assert browser.find_element(By.CSS_SELECTOR, ".qr svg")
    screenshots(browser, shots, "sign-in")
    assert browser.find_element(By.ID, "code").text == code  # reloads keep the code
    phone.say(code)
    phone.tap_data(card_data(phone, 0))
    assert phone.text == t("staffweb.chat.confirmed", "th")
    WebDriverWait(browser, 15).until(lambda d: d.current_url.endswith("/staff/"))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert t("staffweb.dashboard.title", "th") in heading
    screenshots(browser, shots, "dashboard")
    browser.get(f"{live_server}/staff/?lang=en")
    screenshots(browser, shots, "dashboard-en")


def test_the_simulators_staff_member_signs_in_from_the_card(app, browser, live_server, shots):
    """The demo's way: the code typed in the LINE simulator, confirmed on the card it shows."""
    from handlers.services.authz import add_staff
    from tests.simulator.page import SimulatorPage

    browser.delete_all_cookies()
    viewport(browser, "laptop")
    browser.get(f"{live_server}/staff/sign-in?lang=th")
    staff_tab = browser.current_window_handle
    code = browser.find_element(By.ID, "code").text
    browser.switch_to.new_window("tab")
    phone = SimulatorPage(browser, live_server)
    phone.phone()
    phone.open()
    phone.create_user("เจ้าหน้าที่ทดสอบ")
    phone.follow()
    user = next(u for u in app.extensions["simulator"].users() if u.display_name == "เจ้าหน้าที่ทดสอบ")
    with runtime(app).session_factory.begin() as session:
        add_staff(session, user.user_id, "เจ้าหน้าที่ทดสอบ", datetime.now(UTC))
    phone.say(code.lower())
    phone.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#chat .fx-button"), "no confirm card")
    shots.mkdir(parents=True, exist_ok=True)
    phone.screenshot(shots / "line-card-phone.png")
    phone.tap(t("staffweb.chat.confirm", "th"))
    phone.wait_for_text(t("staffweb.chat.confirmed", "th"))
    browser.close()
    browser.switch_to.window(staff_tab)
    WebDriverWait(browser, 15).until(lambda d: d.current_url.endswith("/staff/"))
    assert "เจ้าหน้าที่ทดสอบ" in browser.find_element(By.CLASS_NAME, "who").text
