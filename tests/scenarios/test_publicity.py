"""Public consent in the chat, through signed webhooks: a coordinator of an approved agency chooses
whether the agency is named and its photos shown publicly; the choice is said back before it is
kept, audited, and can be withdrawn; cancel, back, typed answers, a sticker and English work as
everywhere; nobody else can change it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.agencies import register_agency
from storage.models.program import Agency, AuditEntry
from storage.repositories import UserRepository
from tests.handlers.domain_helpers import registration
from tests.handlers.report_chat import NOW, ReportChat
from tests.helpers import Chat


def th(key: str, **params) -> str:
    return t(key, "th", **params)


@pytest.fixture
def chat(app, fake_line) -> ReportChat:
    """A coordinator of an approved agency that said "do not show our name" at registration."""
    chat = ReportChat(app, fake_line)
    with runtime(app).session_factory.begin() as session:
        session.get(Agency, chat.agency_id).show_name_publicly = False
    return chat


def saved(app, agency_id: int) -> tuple[bool, bool]:
    with runtime(app).session_factory() as session:
        agency = session.get(Agency, agency_id)
        return agency.show_name_publicly, agency.show_photos_publicly


def consent_audit(app) -> list[tuple[str, str, str, dict]]:
    with runtime(app).session_factory() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "public_consent").order_by(AuditEntry.id)
        )
        return [(r.actor, r.action, r.subject, json.loads(r.detail)) for r in rows]


def test_granting_the_name_is_said_back_before_it_is_kept_and_audited(app, chat):
    assert saved(app, chat.agency_id) == (False, False)  # default: nothing shown
    chat.say("การเผยแพร่")
    assert (
        th("publicity.saved_lines", name=th("publicity.name_no"), photos=th("publicity.photos_no"))
        in chat.text
    )
    assert chat.buttons[:2] == [th("publicity.which_name"), th("publicity.which_photos")]
    chat.tap(th("publicity.which_name"))
    assert th("publicity.now", value=th("publicity.name_no")) in chat.text
    assert chat.buttons[:2] == [th("publicity.name_no_button"), th("publicity.name_yes_button")]
    chat.tap(th("publicity.name_yes_button"))
    # Said back with what it means; nothing is saved yet.
    assert "ขอทวนนะคะ ชื่อหน่วยงาน: แสดงต่อสาธารณะ" in chat.text
    assert "หน้าผลของโครงการ ป้ายนิทรรศการ และข้อมูลเปิด" in chat.text
    assert saved(app, chat.agency_id) == (False, False)
    chat.tap(th("publicity.keep"))
    assert th("publicity.saved", what=th("publicity.which_name"), value=th("publicity.name_yes")) in chat.text
    assert saved(app, chat.agency_id) == (True, False)
    [(actor, _action, subject, detail)] = consent_audit(app)
    assert actor.startswith("coordinator:") and subject == f"agency:{chat.agency_id}"
    assert detail == {"choice": "name", "allowed": True}
    assert chat.user not in actor  # the audit log never holds a LINE user id


def test_withdrawing_by_typed_words_and_the_same_answer_twice_writes_once(app, chat):
    chat.say("เผยแพร่")
    chat.say("ภาพ")
    chat.say("ได้ค่ะ")
    chat.say("บันทึก")
    assert saved(app, chat.agency_id) == (False, True)
    chat.say("เผยแพร่")
    assert "ภาพกิจกรรม: แสดงต่อสาธารณะ" in chat.text
    chat.say("รูป")
    assert th("publicity.now", value=th("publicity.photos_yes")) in chat.text
    chat.say("ไม่")
    assert "ขอทวนนะคะ ภาพกิจกรรม: ไม่แสดง" in chat.text
    chat.say("ตกลง")
    assert (
        th("publicity.saved", what=th("publicity.which_photos"), value=th("publicity.photos_no")) in chat.text
    )
    assert saved(app, chat.agency_id) == (False, False)
    # Choosing what is already saved says it back and writes nothing.
    chat.say("เผยแพร่")
    chat.say("รูป")
    chat.say("ไม่")
    chat.say("บันทึก")
    assert saved(app, chat.agency_id) == (False, False)
    assert [d for *_, d in consent_audit(app)] == [
        {"choice": "photos", "allowed": True},
        {"choice": "photos", "allowed": False},
    ]


def test_cancel_keeps_nothing_back_and_change_return_to_the_question(app, chat):
    chat.say("การเผยแพร่")
    chat.tap(th("publicity.which_name"))
    chat.tap(th("publicity.name_yes_button"))
    chat.say("ย้อนกลับ")
    assert th("publicity.ask_name", agency=f"เทศบาล {chat.user[-6:]}") in chat.text
    chat.tap(th("publicity.name_yes_button"))
    chat.tap(th("publicity.change"))
    assert th("publicity.ask_name", agency=f"เทศบาล {chat.user[-6:]}") in chat.text
    chat.tap(th("publicity.name_yes_button"))
    chat.say("ยกเลิก")
    assert th("conv.cancelled") in chat.text
    assert saved(app, chat.agency_id) == (False, False)
    assert consent_audit(app) == []


def test_a_sticker_mid_question_is_answered_and_the_question_stays(app, chat):
    chat.say("การเผยแพร่")
    chat.tap(th("publicity.which_photos"))
    chat.send_sticker()
    assert th("conv.got.sticker") in chat.text
    assert th("publicity.ask_photos", agency=f"เทศบาล {chat.user[-6:]}") in chat.text
    chat.tap(th("publicity.photos_yes_button"))
    chat.tap(th("publicity.keep"))
    assert saved(app, chat.agency_id) == (False, True)


def test_in_english(app, chat):
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, NOW).language = "en"
    chat.say("public display")
    assert "• Agency name: not shown" in chat.text
    chat.say("name")
    assert t("publicity.now", "en", value="not shown") in chat.text
    chat.tap(t("publicity.name_yes_button", "en"))
    assert "Let me check: Agency name: shown publicly" in chat.text
    chat.say("save")
    assert "Saved. Agency name: shown publicly" in chat.text
    assert saved(app, chat.agency_id) == (True, False)


def test_the_agency_card_and_settings_lead_to_it(app, chat):
    chat.say("ผลของหน่วยงาน")
    assert (
        th("publicity.card_line", name=th("publicity.name_no"), photos=th("publicity.photos_no"))
        in chat.flex_text
    )
    footer = chat.flex["contents"]["footer"]["contents"]
    [button] = [b["action"] for b in footer if b["action"]["label"] == th("publicity.title")]
    chat.tap_data(button["data"])
    assert chat.buttons[:2] == [th("publicity.which_name"), th("publicity.which_photos")]
    chat.say("ยกเลิก")
    chat.say("ตั้งค่า")
    assert th("publicity.title") in chat.buttons
    chat.tap(th("publicity.title"))
    chat.tap(th("publicity.which_name"))
    chat.tap(th("publicity.name_yes_button"))
    chat.tap(th("publicity.keep"))
    assert saved(app, chat.agency_id) == (True, False)


def test_only_a_coordinator_of_an_approved_agency_can_change_it(app, fake_line):
    stranger = Chat(app.test_client(), fake_line)
    stranger.say("การเผยแพร่")
    assert th("agency.refused.not_registered") in stranger.text
    stranger.say("ตั้งค่า")
    assert th("publicity.title") not in stranger.buttons

    waiting = Chat(app.test_client(), fake_line)
    with runtime(app).session_factory.begin() as session:
        agency = register_agency(session, waiting.user, registration(name="อบต.รออนุมัติ"), NOW)
        agency_id = agency.id
    before = saved(app, agency_id)
    waiting.say("การเผยแพร่")
    assert th("agency.refused.pending") in waiting.text
    assert saved(app, agency_id) == before
    assert consent_audit(app) == []


def test_sara_e_typed_twice_reads_as_sara_ae_in_its_words_and_answers(app, chat):
    chat.say("การเผยเเพร่")  # เเ (two SARA E) where แ is meant: a common habit on phone keyboards
    assert chat.text.startswith("การเผยแพร่ของหน่วยงาน")
    chat.say("รูป")
    chat.say("เเสดงภาพได้")
    assert chat.text.startswith("ขอทวนนะคะ")
    chat.tap(th("publicity.keep"))
    assert saved(app, chat.agency_id) == (False, True)
