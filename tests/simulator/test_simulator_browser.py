"""The LINE simulator in real headless Chromium: a tester adds the bot as a friend, changes their
preferences by tapping and typing, travels in time, sees a pushed Flex card and a rich menu, sends
a photo, and the page works at phone and at laptop width.

Screenshots go to the test's tmp folder, and also to $RUAMJAI_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from sqlalchemy import select

from bot.demo import ClockThreads, clock_jobs
from bot.runtime import runtime
from bot.timeutil import ShiftableClock
from handlers.catalog import t
from handlers.chat.pages.privacy import notice_text
from storage.models import InboxEvent
from storage.models.reports import Report
from storage.repositories import OutboxRepository
from tests.simulator.line_setup import give_rich_menu
from tests.simulator.page import SimulatorPage, quit_chromium, start_chromium

pytestmark = pytest.mark.slow


def th(key: str, **values) -> str:
    return t(key, "th", **values)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module (starting one costs seconds)."""
    driver, profile = start_chromium()
    yield driver
    quit_chromium(driver, profile)


@pytest.fixture
def clock():
    return ShiftableClock()


@pytest.fixture
def app(make_app, settings, clock):
    """The app on a shiftable clock, with the clock process's jobs as threads (as in the demo)."""
    app = make_app(settings, clock=clock)
    threads = ClockThreads(clock_jobs(runtime(app))).start()
    clock.on_advance(lambda _seconds: threads.wake())
    yield app
    threads.stop()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go; copied to $RUAMJAI_SCREENSHOT_DIR at the end when it is set."""
    folder = tmp_path / "screenshots"
    yield folder
    target = os.environ.get("RUAMJAI_SCREENSHOT_DIR")
    if target and folder.exists():
        shutil.copytree(folder, target, dirs_exist_ok=True)


@pytest.fixture
def page(browser, live_server):
    page = SimulatorPage(browser, live_server)
    page.phone()
    page.open()
    return page


def push_flex_card(app, user_id: str) -> None:
    """A Flex bubble pushed the way the bot pushes anything: through the outbox."""
    bubble = {
        "type": "bubble",
        "header": {
            "type": "box",
            "layout": "vertical",
            "backgroundColor": "#06c755",
            "contents": [{"type": "text", "text": "สรุปรายงานกิจกรรม", "weight": "bold", "color": "#ffffff"}],
        },
        "body": {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": [
                {"type": "text", "text": "การปลูกต้นไม้ 120 ต้น", "weight": "bold", "size": "lg", "wrap": True},
                {
                    "type": "box",
                    "layout": "baseline",
                    "contents": [
                        {"type": "text", "text": "ลดได้", "color": "#888888", "size": "sm", "flex": 2},
                        {"type": "text", "text": "1.23 tCO2e", "size": "sm", "flex": 3, "align": "end"},
                    ],
                },
                {"type": "separator", "margin": "md"},
                {"type": "text", "text": "ผู้ใหญ่บ้านช่วยปลูกที่ป่าชุมชนค่ะ", "wrap": True, "size": "sm"},
            ],
        },
        "footer": {
            "type": "box",
            "layout": "horizontal",
            "spacing": "sm",
            "contents": [
                {
                    "type": "button",
                    "style": "primary",
                    "action": {"type": "message", "label": "ยืนยัน", "text": "เมนู"},
                },
                {
                    "type": "button",
                    "style": "secondary",
                    "action": {"type": "postback", "label": "แก้ไข", "data": "a=noop", "displayText": "แก้ไข"},
                },
            ],
        },
    }
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(
            to=user_id,
            messages=[{"type": "flex", "altText": "สรุปรายงานกิจกรรม", "contents": bubble}],
            dedupe_key=f"simulator-test:{user_id}",
            now=rt.clock.now(),
        )


def current_user(page: SimulatorPage) -> str:
    return page.driver.execute_script("return document.getElementById('user').value")


def test_a_tester_talks_to_the_bot_in_chromium(page, app, fake_line, clock, shots, tmp_path):
    page.create_user("สมใจ ใจดี")
    welcome = page.follow()
    assert welcome == [th("welcome.greeting"), notice_text("th")]
    page.screenshot(shots / "01-phone-welcome.png")

    # Settings: tap the quick replies, type the answers a button would not hold.
    page.say("ตั้งค่า")
    which = [th(f"prefs.which_{name}") for name in ("language", "province", "reminder", "news")]
    assert page.quick_replies[:4] == which
    assert th("prefs.ask_province") in page.tap(th("prefs.which_province"))[0]
    assert len(page.quick_replies) > 5  # provinces, paged
    assert page.user_texts() == ["ตั้งค่า", th("prefs.which_province")]  # a postback's displayText
    page.screenshot(shots / "02-phone-quick-replies.png")
    assert "เชียงใหม่" in page.say("เชียงใม่")[0]  # a typo, said back before it is kept
    said = th("prefs.saved_one", setting=th("prefs.which_province"), value="เชียงใหม่")
    assert page.say("ใช่")[0].startswith(said)
    page.say("ตั้งค่า")
    page.tap(th("prefs.which_reminder"))
    said = th("prefs.saved_one", setting=th("prefs.which_reminder"), value=th("prefs.days", days=7))
    assert page.say("๗")[0].startswith(said)  # Thai digits

    # Time travel: a question left unanswered for a day closes politely.
    page.say("ลงทะเบียนหน่วยงาน")
    before = clock.now()
    page.travel(25 * 3600)
    assert (clock.now() - before).total_seconds() >= 25 * 3600
    assert page.say("ลำปาง")[0].startswith(th("conv.timed_out_kept"))

    # A pushed Flex message is drawn as a card whose buttons work.
    user_id = current_user(page)
    push_flex_card(app, user_id)
    card = page.wait_for_text("สรุปรายงานกิจกรรม")
    assert "1.23 tCO2e" in card and "{" not in card  # a card, not JSON
    assert page.driver.find_elements("css selector", "#chat .fx-bubble .fx-button-primary")
    page.screenshot(shots / "03-phone-flex-card.png")
    assert th("conv.menu") in page.tap("ยืนยัน")

    # The user's rich menu, as the fake platform holds it: its image with tappable areas.
    give_rich_menu(fake_line, user_id, ["ตั้งค่า", "ช่วยเหลือ", "เมนู"])
    page.wait(lambda d: d.find_elements("css selector", "#rich-menu .area"), "no rich menu shown")
    page.screenshot(shots / "04-phone-rich-menu.png")
    # The settings, from the menu: what is saved now, and which to change.
    assert "• จังหวัด: เชียงใหม่" in page.tap("ตั้งค่า")[-1]

    # A photo from the file picker reaches the bot as LINE content.
    photo = tmp_path / "tree.jpg"
    Image.new("RGB", (640, 480), "#2e7d32").save(photo, "JPEG")
    assert page.send_photo(photo)
    shown = page.driver.execute_script(
        "const i = document.querySelector('#chat .msg.user .msg-image img');"
        "return i && [i.naturalWidth, i.getAttribute('src')]"
    )
    assert shown[0] == 640
    message_id = shown[1].rsplit("/", 1)[-1]
    assert fake_line.content(message_id) == (photo.read_bytes(), "image/jpeg")

    # Thai is drawn in Sarabun, the font the page serves.
    assert page.driver.execute_script("return document.fonts.check('16px Sarabun', 'ก่อน')")
    page.laptop()
    page.screenshot(shots / "05-laptop.png")
    page.phone()

    page.block()
    assert fake_line.calls("GET", f"/v2/bot/profile/{user_id}")  # the bot looked the profile up


def push(app, user_id: str, messages: list[dict], key: str) -> None:
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(
            to=user_id, messages=messages, dedupe_key=f"{key}:{user_id}", now=rt.clock.now()
        )


def inbox_events(app) -> list[dict]:
    with runtime(app).session_factory() as session:
        return [json.loads(e.payload) for e in session.scalars(select(InboxEvent).order_by(InboxEvent.id))]


def test_every_kind_of_message_and_button_works(page, app, shots):
    page.create_user("ลุงมี")
    page.follow()
    user_id = current_user(page)
    bubble = {
        "type": "bubble",
        "size": "micro",
        "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "ป่าชุมชน"}]},
    }
    push(
        app,
        user_id,
        [
            {
                "type": "image",
                "originalContentUrl": "https://example.org/tree.jpg",
                "previewImageUrl": "https://example.org/tree-small.jpg",
            },
            {
                "type": "template",
                "altText": "เลือกกิจกรรม",
                "template": {
                    "type": "buttons",
                    "title": "กิจกรรม",
                    "text": "เลือกกิจกรรมที่จะรายงานค่ะ",
                    "actions": [{"type": "message", "label": "ปลูกต้นไม้", "text": "ปลูกต้นไม้"}],
                },
            },
            {
                "type": "flex",
                "altText": "สองใบ",
                "contents": {"type": "carousel", "contents": [bubble, bubble]},
            },
            {
                "type": "text",
                "text": "เลือกได้เลยค่ะ",
                "quickReply": quick(
                    {"type": "postback", "label": "กดส่ง", "data": "a=x", "displayText": "ส่งแล้ว"},
                    {"type": "message", "label": "พิมพ์ให้", "text": "สวัสดีค่ะ"},
                    DATE,
                    LOCATION,
                    {"type": "camera", "label": "ถ่ายรูป"},
                ),
            },
        ],
        "kinds",
    )
    page.wait_for_text("เลือกได้เลยค่ะ")
    assert page.quick_replies == ["กดส่ง", "พิมพ์ให้", "วันที่", "ตำแหน่ง", "ถ่ายรูป"]
    types = page.driver.execute_script(
        "return [...document.querySelectorAll('#chat .msg.bot')].map(n => n.dataset.type)"
    )
    assert types[-4:] == ["image", "template", "flex", "text"]
    assert len(page.driver.find_elements(By.CSS_SELECTOR, "#chat .fx-carousel .fx-bubble")) == 2
    page.screenshot(shots / "06-phone-all-kinds.png")

    page.tap("กดส่ง")
    assert page.user_texts()[-1] == "ส่งแล้ว"  # LINE shows a postback's displayText as sent
    page.tap("ปลูกต้นไม้")  # the template's button sends its text as a message
    # The quick replies went with the bot's answer: ask again for the picker and the location.
    push(app, user_id, [{"type": "text", "text": "ขอวันที่ค่ะ", "quickReply": quick(DATE)}], "date")
    page.wait_for_text("ขอวันที่ค่ะ")
    page.pick("วันที่", "2027-01-31")
    push(app, user_id, [{"type": "text", "text": "ขอตำแหน่งค่ะ", "quickReply": quick(LOCATION)}], "where")
    page.wait_for_text("ขอตำแหน่งค่ะ")
    page.share_location("ตำแหน่ง")

    events = inbox_events(app)
    postbacks = [e["postback"] for e in events if e["type"] == "postback"]
    messages = [e["message"] for e in events if e["type"] == "message"]
    assert postbacks == [{"data": "a=x"}, {"data": "a=d", "params": {"date": "2027-01-31"}}]
    assert [m["text"] for m in messages if m["type"] == "text"] == ["ปลูกต้นไม้"]
    assert [(m["latitude"], m["longitude"]) for m in messages if m["type"] == "location"] == [
        (13.7563, 100.5018)
    ]


DATE = {"type": "datetimepicker", "label": "วันที่", "data": "a=d", "mode": "date"}
LOCATION = {"type": "location", "label": "ตำแหน่ง"}


def quick(*actions: dict) -> dict:
    return {"items": [{"type": "action", "action": action} for action in actions]}


def test_a_new_coordinator_registers_is_approved_and_reports_a_tree_planting(
    page, app, fake_line, shots, tmp_path
):
    from handlers.services.agencies import approve_agency
    from handlers.services.authz import current_membership

    page.create_user("สมหญิง ใจดี")
    page.follow()
    user_id = current_user(page)

    # Registration by chat: typed answers, quick replies where the bot offers them.
    assert page.say("ลงทะเบียนหน่วยงาน")[-1] == th("register.ask_name")
    assert th("register.ask_type") in page.say("อบต.บ้านใหม่")[-1]
    page.screenshot(shots / "10-phone-register-quick-replies.png")
    for answer in ("อบต.", "เชียงใหม่", "ใช่", "ไม่ระบุ", "สมหญิง ใจดี", "นักวิชาการสิ่งแวดล้อม", "081-234-5678"):
        page.say(answer)
    page.say("ได้")
    page.say("ไม่รับ")
    page.tap(th("register.confirm"))

    # Staff approve it (as `ruamjai agency approve` does); the coordinator reads it in the chat.
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        _coordinator, agency = current_membership(session, user_id)
        assert agency.status == "pending" and agency.name == "อบต.บ้านใหม่"
        approve_agency(session, agency.id, "cli", rt.clock.now())
    page.wait_for_text(th("agency.outcome.approved", agency="อบต.บ้านใหม่").splitlines()[0])

    # A tree planting report, with a photo from the phone's file picker.
    page.say("รายงานกิจกรรม")
    page.tap("การปลูกต้นไม้")
    page.tap("สัก")
    page.tap("ความเหมาะสมสูง")
    page.say("3 ไร่")
    page.tap(th("reporting.skip"))  # no tree count: the area is enough
    page.say("5 ปี")
    assert th("reporting.ask_photos", most=5).split("(")[0] in page.say("มิ.ย. 2567")[-1]
    photo = tmp_path / "planting.jpg"
    Image.new("RGB", (800, 600), "#4caf50").save(photo, "JPEG", quality=80)
    page.send_photo(photo)
    page.tap(th("reporting.done"))
    page.tap(th("reporting.skip"))  # no place

    # The summary is drawn as a Flex card (not JSON), with the result and the way it was computed.
    card = page.wait_for_text(th("reporting.summary.title"))
    assert "×" in card and "{" not in card
    # 3 rai × 2.16 tCO2e/rai/year (teak, high suitability) × 5 years = 32.4 tCO2e
    assert th("reporting.summary.result", tonnes="32.4", kg="32,400") in card
    assert page.driver.find_elements(By.CSS_SELECTOR, "#chat .fx-bubble")
    page.screenshot(shots / "11-phone-report-summary.png")
    stored = page.tap(th("reporting.confirm"))[-1]
    with rt.session_factory() as session:
        [report] = session.scalars(select(Report).where(Report.reporter_line_user_id == user_id)).all()
        assert report.status == "submitted" and report.activity_key == "tree_planting"
    assert f"R-{report.year_be}-{report.sequence:05d}" in stored
    page.screenshot(shots / "12-phone-report-stored.png")

    give_rich_menu(fake_line, user_id, ["รายงานกิจกรรม", "ผลของฉัน", "ช่วยเหลือ"])
    page.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#rich-menu .area"), "no rich menu shown")
    page.screenshot(shots / "13-phone-rich-menu.png")
