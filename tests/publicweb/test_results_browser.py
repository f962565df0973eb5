"""The results page in real headless Chromium at phone, tablet and laptop sizes, with JavaScript on
and off: the figures and the map are on the page, nothing spills sideways (full-page screenshots in the
test's tmp folder, and in $RUAMJAI_SCREENSHOT_DIR when set)."""

from __future__ import annotations

import base64
import dataclasses
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot.runtime import runtime
from handlers.services.public_results import refresh
from storage.models.reports import Report
from tests.publicweb.open_data_helpers import NAMED, seed
from tests.staffweb.test_browser import FONTS_LOADED, SIZES
from tests.staffweb.test_registrations_browser import browser, shots  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture
def line_app(make_app, settings):
    return make_app(dataclasses.replace(settings, line_basic_id="@ruamjai"))


@pytest.fixture
def live_server(line_app):
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, line_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# The staff web's three sizes and the TCAC booth's big screen.
PAGE_SIZES = {**SIZES, "full-hd": (1920, 1080)}


def full_page(driver, path) -> None:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))


def spread_over_months(app) -> None:
    """The approved reports' periods end in different months, so the timeline has several bars."""
    with runtime(app).session_factory.begin() as session:
        approved = session.scalars(select(Report).where(Report.status == "approved").order_by(Report.id))
        for months_back, report in enumerate(approved):
            report.period_start -= timedelta(days=31 * months_back)
            report.period_end -= timedelta(days=31 * months_back)
        refresh(session, runtime(app).clock.now())


def test_the_results_page_at_phone_tablet_laptop_and_booth_sizes(line_app, browser, live_server, shots):  # noqa: F811
    seed(line_app)
    spread_over_months(line_app)
    shots.mkdir(parents=True, exist_ok=True)
    for scripts in (False, True):
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": not scripts})
        for path in ("/", "/en"):
            for name in PAGE_SIZES:
                width, height = PAGE_SIZES[name]
                browser.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": name == "phone"},
                )
                browser.get(live_server + path)
                if scripts:  # the served Sarabun is in use before the picture is taken
                    WebDriverWait(browser, 10).until(lambda d: d.execute_script(FONTS_LOADED))
                WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".rs-number"))
                assert browser.find_element(By.CSS_SELECTOR, ".rs-number").text.strip()
                assert NAMED in browser.find_element(By.ID, "rs-named").find_element(By.XPATH, "..").text
                assert browser.find_elements(By.CSS_SELECTOR, ".rs-map svg path")
                assert browser.find_elements(By.CSS_SELECTOR, ".rs-qr svg")
                assert len(browser.find_elements(By.CSS_SELECTOR, ".timeline rect")) >= 2
                width = browser.find_element(By.TAG_NAME, "html").get_property("scrollWidth")
                assert width <= PAGE_SIZES[name][0], f"{path} at {name} is {width}px wide"
                lang = "en" if path == "/en" else "th"
                full_page(browser, shots / f"results-{lang}-{name}-{'js' if scripts else 'nojs'}.png")
