"""Smaller things people meet, through signed webhooks: the "my agency" card comes before the menu
prompt, districts are อำเภอ outside Bangkok and เขต in it, a returning follower is welcomed back,
a rejected agency is told its next step, "ติดต่อเจ้าหน้าที่" answers with the campaign's contact,
and staff are offered staff things, not a coordinator's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.fakeline.events import follow_event, unfollow_event
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.pages.privacy import PRIVACY_NOTICE_VERSION, notice_text
from handlers.services.agencies import reject_agency
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from richmenus.definitions import load_menus
from storage.models import LineUser
from tests.handlers.domain_helpers import approved, db_fixture, pushed_texts, registered, staff  # noqa: F401
from tests.helpers import Chat, post_events, wait_for

NOW = datetime(2024, 6, 10, 3, 0, tzinfo=UTC)
EMAIL = "ruamjai@example.org"  # the example campaign's [contact]


def th(key: str, **params) -> str:
    return t(key, "th", **params)


@pytest.fixture(name="campaign")
def campaign_fixture(db):
    with db.begin() as session:
        assert load_campaign(session, EXAMPLE_CAMPAIGN, NOW).ok


def test_my_agency_shows_the_card_before_the_menu_prompt(app, db, fake_line, campaign):
    user, _ = approved(db)
    chat = Chat(app.test_client(), fake_line, user)
    chat.say("หน่วยงานของฉัน")
    assert [m["type"] for m in chat.last] == ["flex", "text"]
    assert chat.last[1]["text"] == th("conv.menu") and chat.buttons  # the menu's buttons come last


@pytest.mark.parametrize(
    ("province", "district", "place"),
    [("50", "5007", "จังหวัดเชียงใหม่ อำเภอแม่ริม"), ("10", "1003", "กรุงเทพมหานคร เขตหนองจอก")],
)
def test_where_an_agency_is_says_amphoe_or_khet(app, db, fake_line, province, district, place):
    user, _ = registered(db, province=province, district=district)
    chat = Chat(app.test_client(), fake_line, user)
    chat.say("หน่วยงานของฉัน")
    assert f"ที่ตั้ง: {place}" in chat.text and "อำเภอ/เขต" not in chat.text


def test_a_registration_outside_bangkok_asks_for_the_amphoe_and_in_bangkok_for_the_khet(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("เทศบาลตำบลสันทราย")
    chat.say("องค์กรปกครองท้องถิ่น")
    chat.say("เชียงใหม่")
    chat.say("ใช่")
    assert "อำเภอไหนของจังหวัดเชียงใหม่" in chat.text and "อำเภอ/เขต" not in chat.text
    chat.say("ไม่มีอำเภอนี้แน่นอน")
    assert "ไม่พบอำเภอนี้ในจังหวัดเชียงใหม่" in chat.text
    chat.say("ย้อนกลับ")
    chat.say("กรุงเทพ")
    chat.say("ใช่")
    assert "เขตไหนของกรุงเทพมหานคร" in chat.text and "จังหวัดกรุงเทพ" not in chat.text


def test_a_returning_follower_is_welcomed_back_without_the_notice_again(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    assert chat._send(lambda **kw: follow_event(chat.user, **kw)) == [
        th("welcome.greeting"),
        notice_text("th"),
    ]
    post_events(app.test_client(), [unfollow_event(chat.user, timestamp_ms=chat.clock_ms + 500)])

    def blocked():
        with runtime(app).session_factory() as session:
            return session.scalars(select(LineUser.blocked).where(LineUser.line_user_id == chat.user)).one()

    wait_for(blocked)
    texts = chat._send(lambda **kw: follow_event(chat.user, **kw))
    assert texts == [th("comeback.greeting", version=PRIVACY_NOTICE_VERSION)]


def test_a_returning_follower_shown_an_older_notice_gets_the_current_one(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat._send(lambda **kw: follow_event(chat.user, **kw))
    with runtime(app).session_factory.begin() as session:
        user = session.scalars(select(LineUser).where(LineUser.line_user_id == chat.user)).one()
        user.privacy_notice_version = "0"
    texts = chat._send(lambda **kw: follow_event(chat.user, **kw))
    assert texts == [th("comeback.greeting_new_notice"), notice_text("th")]
    with runtime(app).session_factory() as session:
        user = session.scalars(select(LineUser).where(LineUser.line_user_id == chat.user)).one()
        assert user.privacy_notice_version == PRIVACY_NOTICE_VERSION


def test_contact_staff_answers_with_the_campaigns_contact(app, fake_line, campaign):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ติดต่อเจ้าหน้าที่ค่ะ")
    assert EMAIL in chat.text and "08:30–16:30" in chat.text
    assert chat.texts[0].startswith("ติดต่อเจ้าหน้าที่โครงการได้ค่ะ")
    chat.say("contact staff")
    assert EMAIL in chat.text


def test_contact_without_a_campaign_says_so_honestly(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ติดต่อเจ้าหน้าที่")
    assert chat.text == th("info.contact_none")


def test_a_rejected_agency_is_told_what_to_do_next(app, db, fake_line, campaign):
    user, agency_id = registered(db)
    with db.begin() as session:
        reject_agency(session, agency_id, "ชื่อหน่วยงานไม่ครบ", "cli", NOW)
    [told] = pushed_texts(app, fake_line, user)
    assert "ชื่อหน่วยงานไม่ครบ" in told and '"ลงทะเบียนหน่วยงาน"' in told and EMAIL in told
    chat = Chat(app.test_client(), fake_line, user)
    chat.say("หน่วยงานของฉัน")
    assert '"ลงทะเบียนหน่วยงาน"' in chat.text and EMAIL in chat.text


def test_staff_are_not_offered_a_coordinators_actions(app, db, fake_line):
    menus = load_menus()
    staff_cells = {cell.key for page in menus.pages_of_role("staff") for cell in page.cells}
    assert not staff_cells & {"report", "myagency", "invite"}
    assert {"review", "results", "deadlines"} <= staff_cells
    chat = Chat(app.test_client(), fake_line, staff(db))
    chat.say("สวัสดี")
    for flow in ("report.title", "myagency.title", "invite.title", "reporting.mine.title"):
        assert th(flow) not in chat.buttons
