"""The posts and outbox pages in real headless Chromium: a post chosen, previewed as LINE draws
it (the simulator's Flex renderer), scheduled, then the outbox with a dead letter replayed.
Screenshots at laptop, tablet and phone sizes go to /tmp/staff-shots/posts-*.png and
outbox-*.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.thaitime import format_bangkok
from storage.models import OutboxMessage, ScheduledPost
from storage.repositories import OutboxRepository
from tests.bot.test_posts import add_users
from tests.helpers import Chat
from tests.simulator.page import quit_chromium, start_chromium
from tests.staffweb.helpers import STAFF_USER, add_staff_member, card_data
from tests.staffweb.test_browser import screenshots, viewport

pytestmark = pytest.mark.slow

SHOTS = Path("/tmp/staff-shots")


@pytest.fixture(scope="module")
def browser():
    driver, profile = start_chromium()
    yield driver
    quit_chromium(driver, profile)


# Records what the page's Content-Security-Policy blocked (CDP's injected script runs outside it).
RECORD_CSP = (
    "window.__blocked = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def sign_in(app, fake_line, browser, live_server) -> None:
    add_staff_member(app)
    phone = Chat(app.test_client(), fake_line, STAFF_USER)
    browser.delete_all_cookies()
    viewport(browser, "laptop")
    browser.get(f"{live_server}/staff/sign-in")
    phone.say(browser.find_element(By.ID, "code").text)
    phone.tap_data(card_data(phone, 0))
    WebDriverWait(browser, 15).until(lambda d: d.current_url.endswith("/staff/"))


def test_a_post_previewed_scheduled_and_a_dead_letter_replayed(
    app, fake_line, browser, live_server, tmp_path
):
    rt = runtime(app)
    add_users(rt, 40, "a", news_opt_in=True)
    add_users(rt, 12, "e", news_opt_in=True, language="en")
    fake_line.set_quota(1000, used=120)
    sign_in(app, fake_line, browser, live_server)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP})
    browser.find_element(By.LINK_TEXT, t("staffweb_posts.nav", "th")).click()
    Select(browser.find_element(By.ID, "post")).select_by_value("how-to-join")
    Select(browser.find_element(By.ID, "segment")).select_by_value("news")
    at = browser.find_element(By.ID, "at")
    at.clear()
    at.send_keys(format_bangkok(rt.clock.now() + timedelta(days=2)))
    browser.find_element(By.ID, "preview-button").click()
    WebDriverWait(browser, 10).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".line-chat.rendered")) == 2
    )
    bubble = browser.find_element(By.CSS_SELECTOR, ".line-chat .fx-bubble")
    assert "ภาคีเครือข่าย" in bubble.text
    assert "52" in browser.find_element(By.ID, "quota").text
    assert browser.execute_script("return window.__blocked") == []  # flex.js draws within the CSP
    screenshots(browser, SHOTS, "posts-preview")
    viewport(browser, "laptop")
    browser.find_element(By.ID, "schedule-button").click()
    WebDriverWait(browser, 10).until(lambda d: "m=scheduled" in d.current_url)
    assert t("staffweb_posts.notice.scheduled", "th") in browser.page_source
    screenshots(browser, SHOTS, "posts")
    with rt.session_factory() as session:
        assert [p.post_key for p in session.scalars(select(ScheduledPost))] == ["how-to-join"]

    viewport(browser, "laptop")
    browser.find_element(By.CSS_SELECTOR, "#write summary").click()
    browser.find_element(By.ID, "w-title-th").send_keys("ชวนร่วมกิจกรรมปลูกต้นไม้วันเสาร์")
    browser.find_element(By.ID, "w-body-th").send_keys("ชวนทุกหน่วยงานร่วมปลูกต้นไม้ที่สวนสาธารณะใกล้บ้าน")
    picture = tmp_path / "trees.png"
    Image.new("RGB", (800, 520), (30, 130, 70)).save(picture)
    browser.find_element(By.ID, "w-image").send_keys(str(picture))
    browser.find_element(By.ID, "label-1").send_keys("ลงทะเบียน")
    browser.find_element(By.ID, "target-1").send_keys("ลงทะเบียนหน่วยงาน")
    browser.find_element(By.ID, "label-2").send_keys("อ่านเพิ่มเติม")
    browser.find_element(By.ID, "target-2").send_keys("https://example.org/trees")
    browser.execute_script("document.getElementById('write').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "posts-write-laptop.png"))
    browser.find_element(By.ID, "write-button").click()
    WebDriverWait(browser, 10).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".line-chat.rendered")) == 2
    )
    buttons = browser.find_elements(By.CSS_SELECTOR, ".line-chat .fx-button")
    assert [b.text for b in buttons[:2]] == ["ลงทะเบียน", "อ่านเพิ่มเติม"]
    hero = browser.find_element(By.CSS_SELECTOR, ".line-chat .fx-bubble img")
    assert browser.execute_script("return arguments[0].naturalWidth", hero) > 0  # served by /media
    assert browser.execute_script("return window.__blocked") == []
    screenshots(browser, SHOTS, "posts-written-preview")

    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        outbox = OutboxRepository(session)
        message = [{"type": "text", "text": "แจ้งเตือนผู้ประสานงาน: ส่งรายงานภายในสัปดาห์นี้"}]
        outbox.enqueue_push(to=STAFF_USER, messages=message, dedupe_key="shot:dead", now=now)
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "shot:dead")).one()
        outbox.finish(row.id, "dead", now, error="LINE answered 500 three times")
    viewport(browser, "laptop")
    browser.find_element(By.LINK_TEXT, t("staffweb_posts.outbox.nav", "th")).click()
    screenshots(browser, SHOTS, "outbox")
    browser.get(f"{live_server}/staff/outbox?status=dead")
    screenshots(browser, SHOTS, "outbox-dead")
    viewport(browser, "laptop")
    browser.find_element(By.CSS_SELECTOR, f"#row-{row.id} button").click()
    WebDriverWait(browser, 10).until(lambda d: "m=replayed" in d.current_url)
    assert t("staffweb_posts.outbox.notice.replayed", "th") in browser.page_source
    browser.get(f"{live_server}/staff/posts?lang=en")
    screenshots(browser, SHOTS, "posts-en")
