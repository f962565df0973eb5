"""The program report in real headless Chromium: the page at laptop, tablet and phone sizes, and as
printed on A4 (print styles: no navigation, no buttons), with the print button working by script.

Screenshots go to /tmp/staff-shots/program-report-*.png (and $RUAMJAI_SCREENSHOT_DIR when set); the
printed PDF to /tmp/staff-shots/program-report.pdf."""

from __future__ import annotations

import base64

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from handlers.catalog import t
from tests.handlers.program_report_helpers import seed_round
from tests.staffweb.test_browser import FONTS_LOADED, screenshots
from tests.staffweb.test_reviews_browser import SHOTS, browser, shots, sign_in  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

A4 = (794, 1123)  # CSS pixels at 96 dpi


def test_the_report_on_screen_and_printed(app, fake_line, browser, live_server, shots):  # noqa: F811
    seed_round(app)
    sign_in(browser, live_server, app, fake_line)
    browser.find_element(By.LINK_TEXT, t("program_report.nav", "th")).click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/staff/program-report"))
    assert browser.find_element(By.ID, "print-report").is_displayed()  # the script showed it
    assert "เชียงใหม่" in browser.find_element(By.ID, "by-province").text
    screenshots(browser, shots, "program-report")
    browser.get(f"{live_server}/staff/program-report?lang=en")
    screenshots(browser, shots, "program-report-en")
    browser.get(f"{live_server}/staff/program-report?lang=th")

    width, height = A4
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(FONTS_LOADED))
    assert not browser.find_element(By.CSS_SELECTOR, "nav.pages").is_displayed()
    assert not browser.find_element(By.CSS_SELECTOR, ".actions").is_displayed()
    browser.save_screenshot(str(shots / "program-report-a4.png"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page>") <= 3
    (shots / "program-report.pdf").write_bytes(data)
