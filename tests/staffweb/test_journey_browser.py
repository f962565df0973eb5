"""A staff member's round in real headless Chromium, with the LINE simulator in a second tab as
the phones: sign in with the code typed in the simulator, approve a coordinator's agency, review
their report and send it back, see the coordinator asked in the simulator, approve the fix, and
schedule a post to everyone that reaches the simulator when its time comes.

Screenshots go to the test's tmp folder, and also to $RUAMJAI_SCREENSHOT_DIR when set.
"""

# ruff: noqa: F811 (the simulator test's fixtures, imported)
from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.runtime import runtime
from handlers.catalog import t
from handlers.content import posts
from handlers.services.agencies import register_agency
from handlers.services.authz import add_staff
from handlers.services.thaitime import BANGKOK, format_bangkok
from storage.models.program import Agency
from storage.models.reports import Report
from tests.handlers.domain_helpers import registration
from tests.simulator.page import SimulatorPage
from tests.simulator.test_photo_fix_browser import photo_file
from tests.simulator.test_simulator_browser import (  # noqa: F401 (fixtures)
    app,
    browser,
    clock,
    current_user,
    shots,
)

pytestmark = pytest.mark.slow

REASON = "รูปที่ 1 ไม่เห็นกองปุ๋ย ขอรูปใหม่ค่ะ"


def th(key: str, **values) -> str:
    return t(key, "th", **values)


def staff_sees(driver, element_id: str, timeout: float = 15):
    return WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.ID, element_id))[0]


def test_a_staff_members_round_from_sign_in_to_an_approved_fix(app, browser, live_server, shots, tmp_path):
    rt = runtime(app)
    browser.delete_all_cookies()
    browser.set_window_size(1366, 900)
    browser.get(f"{live_server}/staff/sign-in?lang=th")
    staff_tab = browser.current_window_handle
    code = browser.find_element(By.ID, "code").text

    # The phones: the staff member's first.
    browser.switch_to.new_window("tab")
    phones_tab = browser.current_window_handle
    phone = SimulatorPage(browser, live_server)
    phone.phone()
    phone.open()
    phone.create_user("เจ้าหน้าที่ทดสอบ")
    phone.follow()
    with rt.session_factory.begin() as session:
        add_staff(session, current_user(phone), "เจ้าหน้าที่ทดสอบ", rt.clock.now())
    phone.say(code)
    phone.tap(th("staffweb.chat.confirm"))
    phone.wait_for_text(th("staffweb.chat.confirmed"))

    browser.switch_to.window(staff_tab)
    WebDriverWait(browser, 15).until(lambda d: d.current_url.endswith("/staff/"))

    # A coordinator registers (the registration conversation has its own tests).
    browser.switch_to.window(phones_tab)
    phone.create_user("สมศรี รักษ์ดิน")
    phone.follow()
    coordinator = current_user(phone)
    with rt.session_factory.begin() as session:
        agency = register_agency(session, coordinator, registration(name="เทศบาลตำบลร่วมใจ"), rt.clock.now())
        agency_id = agency.id

    # Staff approve it from the registrations page; the coordinator hears it.
    browser.switch_to.window(staff_tab)
    browser.get(f"{live_server}/staff/registrations")
    browser.find_element(By.LINK_TEXT, "เทศบาลตำบลร่วมใจ").click()
    staff_sees(browser, "approve").click()
    WebDriverWait(browser, 15).until(
        lambda d: "/staff/registrations" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".note")
    )
    with rt.session_factory() as session:
        assert session.get(Agency, agency_id).status == "approved"
    browser.switch_to.window(phones_tab)
    phone.wait_for_text(th("agency.outcome.approved", agency="เทศบาลตำบลร่วมใจ").splitlines()[0])

    # The coordinator reports composting with one photo.
    phone.say("รายงานกิจกรรม")
    phone.say("การทำปุ๋ยหมัก")
    phone.say("500 กก.")
    phone.say("มิ.ย. 2567")
    phone.send_photo(photo_file(tmp_path, "heap.jpg", 91, gps=False))
    phone.tap(th("reporting.done"))
    phone.tap(th("reporting.skip"))
    phone.wait_for_text(th("reporting.summary.title"))
    phone.tap(th("reporting.confirm"))
    with rt.session_factory() as session:
        report = session.query(Report).filter(Report.reporter_line_user_id == coordinator).one()
        ref = f"R-{report.year_be}-{report.sequence:05d}"

    # Staff send it back for photo 1 from the review page.
    browser.switch_to.window(staff_tab)
    browser.get(f"{live_server}/staff/reviews")
    browser.find_element(By.LINK_TEXT, ref).click()
    fix_form = staff_sees(browser, "fix-form")
    fix_form.find_element(By.CSS_SELECTOR, "input[name=photo][value='1']").click()
    browser.find_element(By.ID, "fix-reason").send_keys(REASON)
    shots.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(shots / "journey-1-needs-fix.png"))
    browser.find_element(By.ID, "needs-fix").click()
    WebDriverWait(browser, 15).until(lambda d: "done=needs_fix" in d.current_url)

    # The coordinator is asked in the simulator, replaces the photo and sends the report again.
    browser.switch_to.window(phones_tab)
    phone.wait_for_text(REASON)
    phone.screenshot(shots / "journey-2-coordinator-asked.png")
    phone.say("รายงานของฉัน")
    phone.tap(ref)
    phone.tap(th("reporting.mine.fix"))
    phone.send_photo(photo_file(tmp_path, "new-heap.jpg", 92, gps=False))
    phone.tap(th("reporting.done"))
    phone.wait_for_text(th("reporting.summary.title"))
    phone.tap(th("reporting.confirm"))

    # Back in the queue, marked corrected; staff approve it and the coordinator hears it.
    browser.switch_to.window(staff_tab)
    browser.get(f"{live_server}/staff/reviews/{ref}")
    assert staff_sees(browser, "changes").text
    browser.save_screenshot(str(shots / "journey-3-corrected.png"))
    for looked_at in browser.find_elements(By.CSS_SELECTOR, "#approve-form input[name=despite]"):
        looked_at.click()  # the warnings above were read
    browser.find_element(By.ID, "approve").click()
    WebDriverWait(browser, 15).until(lambda d: "done=approved" in d.current_url)
    with rt.session_factory() as session:
        assert session.get(Report, report.id).status == "approved"
    browser.switch_to.window(phones_tab)
    phone.wait_for_text(ref)
    phone.screenshot(shots / "journey-4-approved.png")

    # A post to everyone, tomorrow at 10:00 Bangkok, arrives in the simulator then.
    browser.switch_to.window(staff_tab)
    browser.find_element(By.LINK_TEXT, th("staffweb_posts.nav")).click()
    Select(browser.find_element(By.ID, "post")).select_by_value("how-to-join")
    Select(browser.find_element(By.ID, "segment")).select_by_value("everyone")
    now = rt.clock.now()
    at = (now.astimezone(BANGKOK) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    field = browser.find_element(By.ID, "at")
    field.clear()
    field.send_keys(format_bangkok(at))
    browser.find_element(By.ID, "preview-button").click()
    staff_sees(browser, "schedule-button").click()
    WebDriverWait(browser, 15).until(lambda d: "m=scheduled" in d.current_url)
    browser.switch_to.window(phones_tab)
    phone.travel((at - now).total_seconds() + 300)
    phone.wait_for_text(posts()["how-to-join"].title["th"], timeout=30)
    phone.screenshot(shots / "journey-5-post-arrived.png")
    browser.close()
    browser.switch_to.window(staff_tab)
