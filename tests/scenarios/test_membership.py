"""Invitations, joining with a code, leaving, and forged postbacks, through signed webhooks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import Person
from handlers.services.invitations import accept_invitation, create_invitation, revoke_invitation
from storage.models.program import Agency, Coordinator, JoinRequest
from tests.handlers.domain_helpers import approved, registered
from tests.helpers import Chat
from tests.scenarios.test_registration import register_by_chat


def th(key: str, **params) -> str:
    return t(key, "th", **params)


AGENCY = "องค์การบริหารส่วนตำบลบางพลี"


@pytest.fixture
def db(app):
    return runtime(app).session_factory


def now() -> datetime:
    return datetime.now(UTC)


def members(db, agency_id: int) -> list[str]:
    with db() as session:
        return list(
            session.scalars(
                select(Coordinator.line_user_id).where(
                    Coordinator.agency_id == agency_id, Coordinator.status == "active"
                )
            )
        )


def code_from(text: str) -> str:
    found = re.search(r"\b[2-9A-HJ-NP-Z]{8}\b", text)
    assert found, text
    return found.group(0)


def join_with(chat: Chat, code: str) -> None:
    chat.say("ใส่รหัสเชิญ")
    assert chat.text == th("join.ask_code")
    chat.say(code)


def test_an_invitation_used_by_a_second_coordinator(app, db, fake_line):
    first, agency_id = approved(db)
    inviter = Chat(app.test_client(), fake_line, user_id=first)
    inviter.say("เชิญเพื่อนร่วมงาน")
    code = code_from(inviter.texts[0])
    assert th("invite.title") in inviter.buttons  # back at the menu

    colleague = Chat(app.test_client(), fake_line)
    join_with(colleague, code.lower()[:4] + " " + code.lower()[4:])  # typed loosely
    assert colleague.text == th("join.ask_confirm", agency=AGENCY)
    colleague.say("ใช่ค่ะ")
    assert colleague.text == th("register.ask_person_name")
    colleague.say("สมศรี ขยัน")
    colleague.say("เจ้าหน้าที่")
    colleague.say("0898765432x")
    assert th("parse.phone.unrecognised") in colleague.text
    colleague.say("089-876-5432")
    assert colleague.texts[0].startswith(th("join.done", agency=AGENCY))
    assert set(members(db, agency_id)) == {first, colleague.user}

    # Now a coordinator too: may invite, and may leave (not the last one).
    colleague.say("invite")
    assert code_from(colleague.texts[0]) != code
    colleague.say("ออกจากหน่วยงาน")
    assert colleague.text == th("leave.ask", agency=AGENCY)
    colleague.say("ไม่")
    assert colleague.texts[0].startswith(th("leave.kept"))
    colleague.say("ออกจากหน่วยงาน")
    colleague.tap(th("leave.yes"))
    assert colleague.texts[0].startswith(th("leave.done", agency=AGENCY))
    assert members(db, agency_id) == [first]

    # The last coordinator of an approved agency cannot leave it alone.
    inviter.say("ออกจากหน่วยงาน")
    inviter.tap(th("leave.yes"))
    assert inviter.texts[0].startswith(th("agency.refused.last_coordinator"))
    assert members(db, agency_id) == [first]


def test_expired_revoked_used_up_and_unknown_codes_are_each_refused(app, db, fake_line):
    coordinator, agency_id = approved(db)
    with db.begin() as session:
        expired = create_invitation(session, coordinator, now() - timedelta(days=8)).code
        revoked = create_invitation(session, coordinator, now()).code
        used_up = create_invitation(session, coordinator, now(), max_uses=1).code
    with db.begin() as session:
        revoke_invitation(session, revoked, "cli", now())
        accept_invitation(session, "U" + "1" * 32, used_up, Person("ก ข", "ค", "+66811111111"), now())

    chat = Chat(app.test_client(), fake_line)
    chat.say("ใส่รหัสเชิญ")
    for code, reason in (
        (expired, "expired"),
        (revoked, "revoked"),
        (used_up, "used_up"),
        ("ABCDEFGH", "unknown"),
    ):
        chat.say(code)
        assert chat.texts[0].startswith(th(f"agency.refused.{reason}")), reason
        assert th("join.ask_code") in chat.text  # the same question again
    assert chat.user not in members(db, agency_id)


def test_a_forged_postback_naming_another_agency_changes_nothing(app, db, fake_line):
    _, target = approved(db)
    _, offered = registered(
        db, name="เทศบาลเมืองลำปาง", province="52", district=None, agency_type="local_admin"
    )
    chat = Chat(app.test_client(), fake_line)

    def state():
        people = sorted(members(db, target))
        with db() as session:
            agency = session.get(Agency, target)
            requests = session.scalars(select(JoinRequest.agency_id)).all()
            return agency.status, agency.show_name_publicly, people, sorted(requests)

    before = state()
    for data, answer in (
        (f"a=start&f=leave&agency={target}", "agency.refused.not_registered"),
        (f"a=start&f=invite&agency={target}", "agency.refused.not_registered"),
        (f"a=join&agency={target}", "conv.expired"),
        (f"a=approve&agency={target}", "conv.expired"),
        (f"c=deadbeef&s=register:similar&v=join&similar_id={target}", "conv.expired"),
    ):
        chat.tap_data(data)
        assert chat.texts[0].startswith(th(answer)), data
    assert state() == before

    # At "ask to join that agency?", the button's postback edited to name another agency: the
    # request still goes to the agency the bot offered (kept server-side), never to the forged one.
    register_similar(chat)
    button = chat.button_data(th("register.ask_to_join"))
    chat.tap_data(f"{button}&agency={target}&similar_id={target}&agency_id={target}")
    assert chat.texts[0].startswith(th("register.join_sent", agency="เทศบาลเมืองลำปาง"))
    status, public, people, requests = state()
    assert (status, public, people) == before[:3] and requests == sorted([*before[3], offered])


def register_similar(chat: Chat) -> None:
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("ทม.ลำปาง")
    chat.say("องค์กรปกครองท้องถิ่น")
    chat.say("lampang")
    chat.say("ใช่")
    chat.say("ไม่ระบุ")
    chat.say("สมปอง ดีงาม")
    chat.say("ปลัดเทศบาล")
    chat.say("0812223333")
    chat.say("ไม่")
    chat.say("ไม่")
    chat.say("ยืนยัน")
    assert th("register.ask_to_join") in chat.buttons, chat.text


def test_a_pending_registration_cannot_invite(app, db, fake_line):
    user, _ = registered(db)
    chat = Chat(app.test_client(), fake_line, user_id=user)
    chat.say("เชิญเพื่อนร่วมงาน")
    assert chat.texts[0].startswith(th("agency.refused.pending"))
    chat.say("ใส่รหัสเชิญ")
    assert chat.texts[0].startswith(th("agency.refused.already_member"))


def test_a_coordinator_answers_a_request_to_join_in_the_chat(app, db, fake_line):
    owner, agency_id = approved(db)
    newcomer = Chat(app.test_client(), fake_line)
    register_by_chat(newcomer, name="อบต.บางพลี", province="สมุทรปราการ")
    newcomer.tap(th("register.confirm"))
    newcomer.tap(th("register.ask_to_join"))
    assert newcomer.texts[0].startswith(th("register.join_sent", agency=AGENCY))
    runtime(app).outbox.send_due()
    told = [m.get("text", "") for d in fake_line.delivered_to(owner) for m in d.messages]
    assert any("สมหญิง ใจดี" in text for text in told)  # the coordinators hear of it

    outsider = Chat(app.test_client(), fake_line)
    outsider.say("คำขอเข้าร่วม")
    assert outsider.texts[0].startswith(th("agency.refused.not_registered"))

    coordinator = Chat(app.test_client(), fake_line, user_id=owner)
    coordinator.say("คำขอเข้าร่วม")
    assert coordinator.text == th("requests.ask", name="สมหญิง ใจดี", position="นักวิชาการสิ่งแวดล้อม")
    coordinator.say("ตอบรับ")
    assert coordinator.texts[0].startswith(th("requests.accepted"))
    assert set(members(db, agency_id)) == {owner, newcomer.user}
    runtime(app).outbox.send_due()
    heard = [m.get("text", "") for d in fake_line.delivered_to(newcomer.user) for m in d.messages]
    assert th("agency.join.approved", agency=AGENCY) in heard
    coordinator.say("คำขอเข้าร่วม")
    assert coordinator.texts[0].startswith(th("requests.none"))
