"""The LOR pages in real headless Chromium: the list, then one agency's case walked from ready to
issued with a certificate upload, at laptop, tablet and phone sizes (screenshots in the test's tmp
folder, and in $RUAMJAI_SCREENSHOT_DIR when set)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.demo import example_round_shift
from bot.demo_data import load_example_agencies
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from tests.handlers.domain_helpers import approved, pushed_texts
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, add_staff_member
from tests.staffweb.test_browser import viewport
from tests.staffweb.test_registrations_browser import browser, screenshots, shots, sign_in  # noqa: F401

pytestmark = pytest.mark.slow


def test_walking_an_agencys_lor_to_issued(app, fake_line, browser, live_server, shots, tmp_path):  # noqa: F811
    db = runtime(app).session_factory
    now = datetime.now(UTC)
    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        load_example_agencies(session, now)
    user, agency_id = approved(db, name="เทศบาลตำบลทดสอบใบประกาศ", district="1103")
    add_staff_member(app)
    sign_in(browser, live_server, Chat(app.test_client(), fake_line, STAFF_USER))

    browser.find_element(By.LINK_TEXT, t("lor.page.nav", "th")).click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/staff/lor"))
    screenshots(browser, shots, "lor-list")
    browser.find_element(By.CSS_SELECTOR, f'a[href="/staff/lor/{agency_id}"]').click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "ready"))
    browser.find_element(By.ID, "ready").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "submitted"))
    browser.find_element(By.ID, "submitted").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "issued"))
    screenshots(browser, shots, "lor-submitted")
    certificate = tmp_path / "lor.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% certificate\n" + b"0" * 100)
    viewport(browser, "laptop")
    browser.find_element(By.ID, "lor_number").send_keys("LOR-2567-042")
    browser.find_element(By.ID, "certificate_file").send_keys(str(certificate))
    browser.find_element(By.ID, "issued").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "certificate"))
    assert "LOR-2567-042" in browser.find_element(By.ID, "case").text
    screenshots(browser, shots, "lor-issued")
    texts = [text for text in pushed_texts(app, fake_line, user) if "LOR" in text]
    assert len(texts) == 3 and "LOR-2567-042" in texts[-1]
