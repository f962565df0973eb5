"""The results page in real headless Chromium at phone, tablet and laptop sizes, JavaScript off:
the figures and the map are on the page, nothing spills sideways (full-page screenshots in the
test's tmp folder, and in $RUAMJAI_SCREENSHOT_DIR when set)."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.publicweb.open_data_helpers import NAMED, seed
from tests.staffweb.test_browser import SIZES, viewport
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


def full_page(driver, path) -> None:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))


def test_the_results_page_at_three_sizes(line_app, browser, live_server, shots):  # noqa: F811
    seed(line_app)
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    shots.mkdir(parents=True, exist_ok=True)
    for path in ("/", "/en"):
        browser.get(live_server + path)
        for name in SIZES:
            viewport(browser, name)
            WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".rs-number"))
            assert browser.find_element(By.CSS_SELECTOR, ".rs-number").text.strip()
            assert NAMED in browser.find_element(By.ID, "rs-named").find_element(By.XPATH, "..").text
            assert browser.find_elements(By.CSS_SELECTOR, ".rs-map svg path")
            assert browser.find_elements(By.CSS_SELECTOR, ".rs-qr svg")
            width = browser.find_element(By.TAG_NAME, "html").get_property("scrollWidth")
            assert width <= SIZES[name][0], f"{path} at {name} is {width}px wide"
            lang = "en" if path == "/en" else "th"
            full_page(browser, shots / f"results-{lang}-{name}.png")
