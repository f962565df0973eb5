"""Acceptance for registration in the chat, through signed webhooks and the fake LINE platform: a whole
registration (misspelt province, malformed phone, sticker, back, leave and resume, edit from the
summary), approval reaching the user, a duplicate agency becoming a join request, rejection and
resubmission, and a subscriber asking to report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import approve_agency, reject_agency
from storage.models.program import Agency, Coordinator, JoinRequest
from tests.handlers.domain_helpers import registered
from tests.helpers import Chat


def th(key: str, **params) -> str:
    return t(key, "th", **params)


@pytest.fixture
def db(app):
    return runtime(app).session_factory


def now() -> datetime:
    return datetime.now(UTC)


def pushed(app, fake_line, user: str) -> list[str]:
    """Send what the outbox holds, then everything `user` received (replies and pushes)."""
    runtime(app).outbox.send_due()
    return [m.get("text", "") for d in fake_line.delivered_to(user) for m in d.messages]


def agency_of(db, user: str) -> Agency:
    with db() as session:
        coordinator = session.scalars(
            select(Coordinator).where(Coordinator.line_user_id == user, Coordinator.status == "active")
        ).one()
        agency = session.get(Agency, coordinator.agency_id)
        session.expunge(agency)
        return agency


def register_by_chat(
    chat: Chat,
    name: str = "อบต.บ้านใหม่",
    province: str = "เชียงใหม่",
    district: str = "ไม่ระบุ",
    phone: str = "081-234-5678",
) -> None:
    """A straight registration by typing, up to the summary."""
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say(name)
    chat.say("อบต.")  # a kind typed the way people say it
    chat.say(province)
    chat.say("ใช่")
    chat.say(district)
    if district != "ไม่ระบุ":
        chat.say("ใช่")
    chat.say("สมหญิง ใจดี")
    chat.say("นักวิชาการสิ่งแวดล้อม")
    chat.say(phone)
    chat.say("ได้")
    chat.say("ไม่รับ")
    assert th("register.confirm") in chat.buttons, chat.text


def test_a_whole_registration_then_approval_reaches_the_coordinator(app, db, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    assert chat.text == th("register.ask_name")
    chat.say("  อบต.   บ้านใหม่ ")
    assert th("register.ask_type") in chat.text
    assert th("register.type_local_admin") in chat.buttons
    chat.send_sticker()  # a sticker mid-question: explained, same question
    assert th("conv.got.sticker") in chat.text and th("register.ask_type") in chat.text
    chat.say("องค์กรปกครองท้องถิ่น")
    assert th("register.ask_province") in chat.text

    # A misspelt province is said back; "yes" keeps it.
    chat.say("เชียงใม่")
    assert chat.text == th("common.province_check", name="เชียงใหม่")
    chat.say("ใช่ค่ะ")
    assert th("register.ask_district", province="จังหวัดเชียงใหม่", district_word="อำเภอ") in chat.text
    assert th("common.skip") == chat.buttons[0]
    chat.say("สันทราย")
    assert chat.text == th("common.district_check", name="สันทราย")
    chat.tap(th("conv.confirm_yes"))
    assert chat.text == th("register.ask_person_name")

    chat.say("สมหญิง ใจดี")
    assert chat.text == th("register.ask_position")
    chat.say("ย้อนกลับ")  # back: the earlier answer is shown
    assert th("conv.previous_answer", answer="สมหญิง ใจดี") in chat.text
    chat.say("สมหญิง ใจงาม")
    chat.say("นักวิชาการสิ่งแวดล้อม")
    assert chat.text == th("register.ask_phone")

    # Malformed phones: a clear sentence with an example, same place.
    chat.say("02-123-4567")
    assert th("parse.phone.not_mobile") in chat.text and th("register.ask_phone") in chat.text
    chat.say("081234")
    assert th("parse.phone.unrecognised") in chat.text and th("register.ask_phone") in chat.text
    chat.say("๐๘๑-๒๓๔-๕๖๗๘")
    assert th("register.ask_public") in chat.text
    chat.say("ได้ค่ะ")
    assert th("register.ask_news") in chat.text

    # Leaving in the middle keeps a draft, offered back later.
    chat.say("ยกเลิก")
    assert chat.texts[0].startswith(th("conv.cancelled_kept"))
    chat.say("ลงทะเบียนหน่วยงาน")
    assert chat.text == th("conv.resume_offer", flow=th("register.title"))
    chat.tap(th("conv.resume_continue"))
    assert th("register.ask_news") in chat.text

    chat.tap(th("register.news_yes"))
    summary = chat.text
    for shown in ("อบต. บ้านใหม่", "เชียงใหม่", "สันทราย", "สมหญิง ใจงาม", "081 234 5678"):
        assert shown in summary
    assert th("register.edit_position") in chat.buttons

    # Edit one answer from the summary: only that question, then the summary again.
    chat.tap(th("register.edit_position"))
    assert th("conv.previous_answer", answer="นักวิชาการสิ่งแวดล้อม") not in chat.text  # asked afresh
    assert th("register.ask_position") in chat.text
    chat.say("ปลัด อบต.")
    assert "ปลัด อบต." in chat.text and th("register.confirm") in chat.buttons

    chat.say("ยืนยัน")
    assert chat.texts[0].startswith(th("register.done", agency="อบต. บ้านใหม่"))
    assert th("register.next_campaign") in chat.text  # no campaign loaded: joins the next one

    agency = agency_of(db, chat.user)
    assert (agency.status, agency.province_code, agency.district_code) == ("pending", "50", "5014")
    with db() as session:
        coordinator = session.scalars(select(Coordinator).where(Coordinator.line_user_id == chat.user)).one()
        assert (coordinator.name, coordinator.position, coordinator.phone_e164) == (
            "สมหญิง ใจงาม",
            "ปลัด อบต.",
            "+66812345678",
        )

    chat.say("หน่วยงานของฉัน")
    assert "อบต. บ้านใหม่" in chat.text and th("myagency.status_pending") in chat.text
    assert th("myagency.coordinator", name="สมหญิง ใจงาม", position="ปลัด อบต.") in chat.text

    # Registering again while pending: told where things stand.
    chat.say("ลงทะเบียน")
    assert chat.texts[0].startswith(th("register.already_pending", agency="อบต. บ้านใหม่"))

    with db.begin() as session:
        approve_agency(session, agency.id, "cli", now())
    assert th("agency.outcome.approved", agency="อบต. บ้านใหม่") in pushed(app, fake_line, chat.user)


def test_an_existing_agency_becomes_a_join_request(app, db, fake_line):
    _, existing = registered(db, name="องค์การบริหารส่วนตำบลบางพลี", province="11")
    chat = Chat(app.test_client(), fake_line)
    register_by_chat(chat, name="อบต. บางพลี", province="สมุทรปราการ")
    chat.tap(th("register.confirm"))
    assert th("register.duplicate", agency="องค์การบริหารส่วนตำบลบางพลี", province="สมุทรปราการ") in chat.text
    assert th("register.not_that_one") not in chat.buttons  # the same name: joining is the only way
    chat.tap(th("register.ask_to_join"))
    assert chat.texts[0].startswith(th("register.join_sent", agency="องค์การบริหารส่วนตำบลบางพลี"))
    with db() as session:
        request = session.scalars(select(JoinRequest).where(JoinRequest.line_user_id == chat.user)).one()
        assert (request.agency_id, request.status) == (existing, "pending")
        assert session.scalars(select(Agency).where(Agency.province_code == "11")).all() == [
            session.get(Agency, existing)
        ]


def test_a_similar_name_offers_joining_or_registering_anyway(app, db, fake_line):
    registered(db, name="องค์การบริหารส่วนตำบลบางพลี", province="11")
    chat = Chat(app.test_client(), fake_line)
    register_by_chat(chat, name="อบต. บางพลีย์", province="samut prakan")
    chat.tap(th("register.confirm"))
    assert th("register.similar", agency="องค์การบริหารส่วนตำบลบางพลี", province="สมุทรปราการ") in chat.text
    chat.tap(th("register.not_that_one"))
    assert chat.texts[0].startswith(th("register.done", agency="อบต. บางพลีย์"))
    assert agency_of(db, chat.user).status == "pending"


def test_rejection_with_a_reason_then_a_corrected_resubmission(app, db, fake_line):
    chat = Chat(app.test_client(), fake_line)
    register_by_chat(chat, name="บ้านใหม่", province="ลำปาง")
    chat.tap(th("register.confirm"))
    agency = agency_of(db, chat.user)
    reason = "กรุณาใช้ชื่อเต็มของหน่วยงาน"
    with db.begin() as session:
        reject_agency(session, agency.id, reason, "cli", now())
    # No campaign names a contact here: the next step is to correct and resubmit.
    told = th("agency.outcome.rejected", agency="บ้านใหม่", reason=reason, contact="")
    assert told in pushed(app, fake_line, chat.user) and "ลงทะเบียนหน่วยงาน" in told

    chat.say("ลงทะเบียนหน่วยงาน")
    assert th("register.resubmit_intro", reason=reason) in chat.text
    assert "ลำปาง" in chat.text and "สมหญิง ใจดี" in chat.text  # prefilled
    chat.tap(th("register.edit_name"))
    chat.say("องค์การบริหารส่วนตำบลบ้านใหม่")
    assert "องค์การบริหารส่วนตำบลบ้านใหม่" in chat.text and th("register.confirm") in chat.buttons
    chat.tap(th("register.confirm"))
    assert chat.texts[0].startswith(th("register.resubmitted", agency="องค์การบริหารส่วนตำบลบ้านใหม่"))
    again = agency_of(db, chat.user)
    assert (again.id, again.status, again.name) == (agency.id, "pending", "องค์การบริหารส่วนตำบลบ้านใหม่")


def test_a_subscriber_asking_to_report_or_invite_is_told_how_to_register(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("รายงานกิจกรรม")
    assert chat.texts[0].startswith(th("agency.refused.not_registered"))
    chat.tap_data("a=start&f=report")  # the rich-menu area
    assert chat.texts[0].startswith(th("agency.refused.not_registered"))
    chat.say("เชิญเพื่อนร่วมงาน")
    assert chat.texts[0].startswith(th("agency.refused.not_registered"))
    chat.say("ออกจากหน่วยงาน")
    assert chat.texts[0].startswith(th("agency.refused.not_registered"))


def test_a_pending_coordinator_asking_to_report_is_told_to_wait(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    register_by_chat(chat)
    chat.tap(th("register.confirm"))
    chat.say("รายงาน")
    assert chat.texts[0].startswith(th("agency.refused.pending"))


FLOW_NAMES = "register join invite requests report myagency mydata prefs leave erase consent news_off".split()


@pytest.mark.parametrize("flow", FLOW_NAMES)
def test_every_flow_starts_from_a_rich_menu_postback(app, fake_line, flow):
    chat = Chat(app.test_client(), fake_line)
    chat.tap_data(f"a=start&f={flow}")
    assert not chat.texts[0].startswith(th("conv.expired"))
    assert th("help.capabilities") not in chat.text


def test_free_text_is_cleaned_and_length_checked_and_english_works_throughout(app, db, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.say("ภาษา")
    chat.say("English")
    en = lambda key, **params: t(key, "en", **params)  # noqa: E731
    chat.say("register")
    assert chat.text == en("register.ask_name")
    chat.say("ก" * 201)
    assert en("parse.input.too_long", limit=200) in chat.text and en("register.ask_name") in chat.text
    chat.say("\u200b \u200b")
    assert en("parse.input.empty") in chat.text
    chat.say("Green\u200b  Office\tCo.")
    chat.say("company")
    chat.say("Chiangmai")
    assert chat.text == en("common.province_check", name="Chiang Mai")
    chat.say("yes")
    assert en("register.ask_district", province="Chiang Mai province", district_word="district") in chat.text
    chat.say("mueang")
    assert chat.text == en("common.district_check", name="Mueang Chiang Mai")
    chat.say("yes")
    chat.say("Jane Doe")
    chat.say("Manager")
    chat.say("+66 81 234 5678")
    chat.say("no")
    chat.say("no")
    assert "Green Office Co." in chat.text and "Mueang Chiang Mai" in chat.text
    chat.say("confirm")
    assert chat.texts[0].startswith(en("register.done", agency="Green Office Co."))
    agency = agency_of(db, chat.user)
    assert (agency.name, agency.agency_type, agency.district_code) == ("Green Office Co.", "company", "5001")


def test_with_a_campaign_loaded_the_coordinator_is_told_which_one_they_join(app, db, fake_line):
    from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
    from handlers.services.campaigns import active_campaign

    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now())
        name = active_campaign(session, now()).name_th
    chat = Chat(app.test_client(), fake_line)
    register_by_chat(chat)
    chat.say("ยืนยัน")
    assert th("register.campaign", campaign=name) in chat.text
    assert th("register.next_campaign") not in chat.text
