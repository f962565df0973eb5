"""Signing in to the staff web through LINE, over real HTTP (the Flask test client) on the real
database: only a confirmed code, collected by the browser that showed it, opens a session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.staff_sign_in import CODES_PER_ADDRESS, WRONG_CODES_PER_USER, normalise_code
from storage.models import AuditEntry, StaffMember, StaffWebSession
from tests.bot.cli.test_program import cli  # noqa: F401 (the fixture)
from tests.helpers import Chat, FakeClock
from tests.staffweb.helpers import STAFF_USER, Browser, add_staff_member, card_data, card_text, signed_in


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def app(make_app, settings, clock):
    return make_app(settings.with_(line_basic_id="@ruamjai"), clock=clock)


@pytest.fixture
def staff_phone(app, fake_line):
    add_staff_member(app)
    return Chat(app.test_client(), fake_line, STAFF_USER)


def sessions(app) -> int:
    with runtime(app).session_factory() as session:
        return session.scalar(select(func.count(StaffWebSession.id))) or 0


def audit_actions(app) -> list[str]:
    with runtime(app).session_factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_sign_in_page_shows_a_code_and_a_qr_code_for_the_line_chat(app):
    browser = Browser(app)
    response = browser.open_sign_in()
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert browser.code and normalise_code(browser.code) == browser.code.replace("-", "")
    assert "<svg" in page and "https://line.me/R/oaMessage/%40ruamjai/?" + browser.code in page
    assert t("staffweb.sign_in.title", "th") in page
    cookie = response.headers.getlist("Set-Cookie")
    assert any("ruamjai_staff_sign_in=" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookie)
    # Reloading shows the same code (no new one per reload).
    again = Browser.__new__(Browser)
    again.__dict__ = dict(browser.__dict__)
    browser.open_sign_in()
    assert browser.code == again.code


def test_without_a_basic_id_the_page_says_to_send_the_code(make_app, settings):
    app = make_app(settings)
    browser = Browser(app)
    page = browser.open_sign_in().get_data(as_text=True)
    assert "<svg" not in page and browser.code in page
    assert t("staffweb.sign_in.step_send_no_id", "th") in page


def test_a_confirmed_code_signs_the_staff_member_in_and_it_is_announced(app, fake_line, staff_phone):
    browser = Browser(app)
    browser.open_sign_in()
    assert browser.state() == "waiting"
    staff_phone.say(browser.code.lower().replace("-", " "))  # any case, any separator
    card = card_text(staff_phone)
    assert "Chrome บน Windows" in card and "203.0.113.x" in card and "256" in card  # Buddhist era
    assert t("staffweb.chat.card_warning", "th") in card
    assert browser.state() == "waiting"
    staff_phone.tap_data(card_data(staff_phone, 0))
    assert staff_phone.text == t("staffweb.chat.confirmed", "th")
    assert browser.state() == "confirmed"
    response = browser.collect()
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    assert any(
        "ruamjai_staff_session=" in c and "HttpOnly" in c for c in response.headers.getlist("Set-Cookie")
    )
    dashboard = browser.get("/staff/")
    assert dashboard.status_code == 200
    assert "สมศรี ทดสอบ" in dashboard.get_data(as_text=True)
    assert audit_actions(app)[-2:] == ["staff_sign_in_confirmed", "staff_sign_in"]
    # The announcement goes through the outbox to the staff member's LINE.
    runtime(app).outbox.send_due()
    pushed = [
        m.get("text", "") for d in fake_line.delivered_to(STAFF_USER) if d.kind == "push" for m in d.messages
    ]
    assert any("Chrome บน Windows" in text and "203.0.113.x" in text for text in pushed), pushed
    # The code is used up: collecting again or sending it again opens nothing.
    other = Browser(app)
    other.open_sign_in()
    assert other.collect().headers["Location"].endswith("m=not_yet")
    staff_phone.say(browser.code)
    assert staff_phone.text == t("staffweb.chat.used", "th")
    assert sessions(app) == 1


def test_a_code_from_someone_not_staff_signs_nobody_in(app, fake_line):
    browser = Browser(app)
    browser.open_sign_in()
    stranger = Chat(app.test_client(), fake_line)
    stranger.say(browser.code)
    assert stranger.text == t("staffweb.chat.not_staff", "th")
    stranger.tap_data("a=staff_sign_in&do=confirm&id=1")  # a forged tap
    assert stranger.text == t("staffweb.chat.not_staff", "th")
    assert browser.state() == "waiting"
    assert browser.collect().headers["Location"].endswith("/staff/sign-in?m=not_yet")
    assert sessions(app) == 0


def test_a_code_word_from_someone_not_staff_is_an_ordinary_message(app, fake_line):
    """Eight characters that merely look like a code reach the rest of the chat."""
    stranger = Chat(app.test_client(), fake_line)
    stranger.say("ABCD2345")
    assert stranger.text != t("staffweb.chat.unknown", "th")
    assert stranger.last[-1]["type"] == "text"


def test_a_code_not_confirmed_on_the_card_signs_nobody_in(app, staff_phone):
    browser = Browser(app)
    browser.open_sign_in()
    staff_phone.say(browser.code)
    assert browser.collect().headers["Location"].endswith("m=not_yet")
    staff_phone.tap_data(card_data(staff_phone, 1))  # cancel
    assert staff_phone.text == t("staffweb.chat.cancelled", "th")
    assert browser.state() == "cancelled"
    staff_phone.tap_data(staff_phone.history[-2][-1]["contents"]["footer"]["contents"][0]["action"]["data"])
    assert staff_phone.text == t("staffweb.chat.stale", "th")
    assert browser.collect().headers["Location"].endswith("m=not_yet")
    assert sessions(app) == 0
    page = browser.open_sign_in().get_data(as_text=True)  # a new code, saying why
    assert t("staffweb.sign_in.cancelled", "th") in page


def test_an_expired_code_is_refused(app, staff_phone, clock):
    browser = Browser(app)
    browser.open_sign_in()
    clock.advance(minutes=5, seconds=1)
    assert browser.state() == "expired"
    staff_phone.say(browser.code)
    assert staff_phone.text == t("staffweb.chat.expired", "th")
    assert sessions(app) == 0


def test_a_card_tapped_after_the_code_expired_is_refused(app, staff_phone, clock):
    browser = Browser(app)
    browser.open_sign_in()
    staff_phone.say(browser.code)
    clock.advance(minutes=6)
    staff_phone.tap_data(card_data(staff_phone, 0))
    assert staff_phone.text == t("staffweb.chat.stale", "th")
    assert browser.collect().headers["Location"].endswith("m=not_yet")


def test_a_confirmed_code_not_collected_in_time_opens_nothing(app, staff_phone, clock):
    browser = Browser(app)
    browser.open_sign_in()
    staff_phone.say(browser.code)
    staff_phone.tap_data(card_data(staff_phone, 0))
    clock.advance(minutes=6)
    assert browser.collect().headers["Location"].endswith("m=not_yet")
    assert sessions(app) == 0


def test_another_browser_cannot_collect_a_confirmed_code(app, staff_phone):
    browser = Browser(app)
    browser.open_sign_in()
    staff_phone.say(browser.code)
    staff_phone.tap_data(card_data(staff_phone, 0))
    thief = Browser(app, ip="198.51.100.9")
    thief.open_sign_in()  # its own page and CSRF token, without the first browser's secret
    code_id = browser.client.get_cookie("ruamjai_staff_sign_in", path="/staff").value.split(".")[0]
    forged = f"{code_id}.{browser.code.replace('-', '')}.{'x' * 43}"
    thief.client.set_cookie("ruamjai_staff_sign_in", forged, path="/staff")
    assert thief.state() == "none"
    assert thief.collect().headers["Location"].endswith("m=not_yet")
    assert sessions(app) == 0
    assert browser.collect().headers["Location"].endswith("/staff/")
    assert sessions(app) == 1


def test_wrong_codes_are_limited_per_line_user(app, staff_phone):
    for _ in range(WRONG_CODES_PER_USER):
        staff_phone.say("ZZZZ-2222")
        assert staff_phone.text == t("staffweb.chat.unknown", "th")
    browser = Browser(app)
    browser.open_sign_in()
    staff_phone.say(browser.code)  # even a right code, until the window has passed
    assert staff_phone.text == t("staffweb.chat.too_many", "th")
    assert browser.state() == "waiting"


def test_code_creation_is_limited_per_address(app):
    for _ in range(CODES_PER_ADDRESS):
        assert Browser(app).open_sign_in().status_code == 200
    refused = Browser(app).open_sign_in()
    assert refused.status_code == 429
    assert t("staffweb.sign_in.too_many", "th") in refused.get_data(as_text=True)
    assert Browser(app, ip="198.51.100.1").open_sign_in().status_code == 200


def test_sign_out_ends_the_session_server_side(app, fake_line, staff_phone):
    browser = Browser(app)
    signed_in(app, fake_line, browser, staff_phone)
    kept = browser.client.get_cookie("ruamjai_staff_session", path="/staff").value
    response = browser.sign_out()
    assert response.status_code == 302 and "m=signed_out" in response.headers["Location"]
    assert browser.get("/staff/").status_code == 302
    # The old cookie, replayed, opens nothing: the session ended on the server.
    browser.client.set_cookie("ruamjai_staff_session", kept, path="/staff")
    assert browser.get("/staff/").status_code == 302
    assert audit_actions(app)[-1] == "staff_sign_out"


def test_a_session_ends_after_inactivity(app, fake_line, staff_phone, clock):
    browser = Browser(app)
    signed_in(app, fake_line, browser, staff_phone)
    clock.advance(minutes=29)
    assert browser.get("/staff/").status_code == 200  # use keeps it alive
    clock.advance(minutes=29)
    assert browser.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    response = browser.get("/staff/")
    assert response.status_code == 302 and "m=session_ended" in response.headers["Location"]


def test_a_staff_member_removed_loses_access_at_the_next_request(app, fake_line, staff_phone, cli):  # noqa: F811
    browser = Browser(app)
    signed_in(app, fake_line, browser, staff_phone)
    assert cli("staff", "remove", "--line-user", "not-a-line-id")[0] == 2
    assert browser.get("/staff/").status_code == 200
    code, out, _ = cli("staff", "remove", "--line-user", STAFF_USER)
    assert code == 0 and "removed" in out
    assert browser.get("/staff/").status_code == 302
    assert sessions(app) == 0  # the rows went with the member
    assert audit_actions(app)[-1] == "remove_staff"
    code, _, err = cli("staff", "remove", "--line-user", STAFF_USER)
    assert code == 1 and "no staff member" in err
    with runtime(app).session_factory() as session:
        assert session.scalars(select(StaffMember)).all() == []


def test_erasing_the_staff_member_ends_their_sessions(app, fake_line, staff_phone):
    from datetime import UTC, datetime

    from handlers.services.people import erase_person

    browser = Browser(app)
    signed_in(app, fake_line, browser, staff_phone)
    with runtime(app).session_factory.begin() as session:
        erase_person(session, STAFF_USER, datetime.now(UTC))
    assert browser.get("/staff/").status_code == 302
    assert sessions(app) == 0


def test_the_demo_staff_member_can_sign_in(app, fake_line):
    from datetime import UTC, datetime

    from bot.demo_data import EXAMPLE_STAFF_USER, load_example_staff

    with runtime(app).session_factory.begin() as session:
        load_example_staff(session, datetime.now(UTC))
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, EXAMPLE_STAFF_USER))
    assert "เจ้าหน้าที่ตัวอย่าง" in browser.get("/staff/").get_data(as_text=True)


def test_a_sticker_sent_while_the_code_card_waits_is_answered_and_the_card_still_signs_in(app, staff_phone):
    browser = Browser(app)
    browser.open_sign_in()
    staff_phone.say(browser.code)
    card = card_data(staff_phone, 0)
    staff_phone.send_sticker()  # no general help: the card above is pointed at, by its button's words
    assert staff_phone.texts == [t("staffweb.chat.card_waiting", "th")]
    assert f'"{t("staffweb.chat.confirm", "th")}"' in staff_phone.text
    staff_phone.tap_data(card)
    assert staff_phone.text == t("staffweb.chat.confirmed", "th")
    assert browser.collect().headers["Location"].endswith("/staff/")
    assert sessions(app) == 1
    staff_phone.send_sticker()  # no card waits any more: the ordinary answer
    assert t("staffweb.chat.card_waiting", "th") not in staff_phone.text
