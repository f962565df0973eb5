"""A scripted conversation through signed webhooks and the fake LINE platform, checking what the
user sees at each step: menu, choices, paging, help, back, cancel, stale and double taps, wrong
kinds of input, idle timeout with a kept draft, and an app restart in the middle. Settings (one
setting changed directly) and registration (a long flow that keeps drafts) carry the script."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.pages.privacy import notice_text
from storage.models import LineUser
from tests.helpers import Chat, FakeClock


def th(key: str, **params) -> str:
    return t(key, "th", **params)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def chat_app(make_app, settings, clock):
    return make_app(settings, clock=clock)


def saved_user(app, user_id: str) -> LineUser:
    with runtime(app).session_factory() as session:
        return session.scalars(select(LineUser).where(LineUser.line_user_id == user_id)).one()


def test_settings_conversation_end_to_end(chat_app, make_app, settings, clock, fake_line):
    chat = Chat(chat_app.test_client(), fake_line)

    # Anything no flow handles: a polite answer and the menu.
    chat.say("สวัสดีค่ะ")
    assert th("help.capabilities") in chat.text and th("prefs.title") in chat.buttons

    # Start from the menu button: what is saved, and which setting to change.
    chat.tap(th("prefs.title"))
    assert chat.text == th(
        "prefs.ask_which",
        language=th("prefs.language_th"),
        province=th("prefs.not_set"),
        reminder=th("prefs.reminder_default"),
        news=th("prefs.news_no"),
    )
    assert chat.buttons == [
        th("prefs.which_language"),
        th("prefs.which_province"),
        th("prefs.which_reminder"),
        th("prefs.which_news"),
        th("command.cancel.label"),
    ]
    which_buttons = chat.last

    # Back on the first question: nothing to go back to, same question again.
    chat.say("ย้อนกลับ")
    assert chat.texts[0].startswith(th("conv.first_question")) and th("prefs.which_language") in chat.buttons

    chat.tap(th("prefs.which_province"))
    assert (
        th("prefs.ask_province") in chat.text and th("prefs.current", value=th("prefs.not_set")) in chat.text
    )
    # 77 provinces do not fit LINE's 13 quick replies: a page of them, "more", back and cancel.
    assert len(chat.buttons) == 13
    assert chat.buttons[-3:] == [
        th("conv.more", page=2),
        th("command.back.label"),
        th("command.cancel.label"),
    ]
    first_page = chat.buttons[:10]
    chat.tap(th("conv.more", page=2))
    assert th("prefs.ask_province") in chat.text and chat.buttons[:10] != first_page

    # Help explains the question, then asks it again.
    chat.say("ช่วยเหลือ")
    assert chat.texts[0].startswith(th("prefs.help_province")) and th("prefs.ask_province") in chat.text

    # Wrong kinds of input: explained, and the same question again.
    chat.send_sticker()
    assert th("conv.got.sticker") in chat.text and th("prefs.ask_province") in chat.text
    chat.send_location()
    assert th("conv.got.location") in chat.text and th("prefs.ask_province") in chat.text
    chat.say("ก" * 3000)
    assert th("conv.too_long", limit=1000) in chat.text and th("prefs.ask_province") in chat.text
    chat.say("จังหวัดที่ไม่มีอยู่จริง")
    assert th("common.province_unknown") in chat.text

    # A typed province is said back before it is kept; kept, it is said back and the flow ends.
    chat.say("เชียงใหม่")
    assert chat.text == th("common.province_check", name="เชียงใหม่")
    chat.say("ใช่ค่ะ")
    assert chat.texts[0].startswith(
        th("prefs.saved_one", setting=th("prefs.which_province"), value="เชียงใหม่")
    )
    assert th("prefs.title") in chat.buttons

    # A stale button: the "which setting" buttons belong to a finished conversation.
    chat.tap_data(chat.button_data(th("prefs.which_reminder"), which_buttons))
    assert chat.texts[0].startswith(th("conv.expired"))

    # The saved province is the default next time: it leads the buttons.
    chat.say("ตั้งค่า")
    assert "• จังหวัด: เชียงใหม่" in chat.text
    chat.say("จังหวัด")
    assert chat.buttons[0] == "เชียงใหม่" and th("prefs.current", value="เชียงใหม่") in chat.text
    chat.say("ย้อนกลับ")
    chat.tap(th("prefs.which_reminder"))
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text

    # A photo when a number is expected.
    chat.send_image()
    assert th("conv.got.image") in chat.text and th("conv.expect.text") in chat.text
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text

    # Numbers: Thai digits accepted, nonsense and out of range refused with the reason.
    chat.say("👍")
    assert th("parse.input.empty") in chat.text
    chat.say("เจ็ด")
    assert th("prefs.reminder_days_range", low=1, high=30, example=7) in chat.text
    chat.say("๔๕")
    assert th("prefs.reminder_days_range", low=1, high=30, example=7) in chat.text

    # The app restarts in the middle of the conversation: nothing is lost.
    runtime(chat_app).close()
    restarted = make_app(settings, clock=clock)
    chat.client = restarted.test_client()
    days_buttons = chat.last
    chat.say("๗")
    assert chat.texts[0].startswith(
        th("prefs.saved_one", setting=th("prefs.which_reminder"), value=th("prefs.days", days=7))
    )

    # The same button tapped again after the answer: acted on once.
    chat.tap_data(chat.button_data(th("prefs.days", days=14), days_buttons))
    assert chat.texts[0].startswith(th("conv.expired"))
    user = saved_user(restarted, chat.user)
    assert (user.language, user.province_code, user.reminder_days, user.news_opt_in) == ("th", "50", 7, False)


def test_cancelling_settings_keeps_the_language(chat_app, fake_line):
    chat = Chat(chat_app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.tap(th("prefs.which_language"))
    assert th("prefs.ask_language") in chat.text
    chat.say("ยกเลิก")
    assert chat.texts[0].startswith(th("conv.cancelled")) and th("prefs.title") in chat.buttons
    chat.say("สวัสดี")
    assert th("help.capabilities") in chat.text  # still Thai
    chat.say("ตั้งค่า")
    assert th("prefs.ask_which", **_thai_defaults()) == chat.text  # no draft to resume
    assert saved_user(chat_app, chat.user).language == "th"


def _thai_defaults() -> dict[str, str]:
    return {
        "language": th("prefs.language_th"),
        "province": th("prefs.not_set"),
        "reminder": th("prefs.reminder_default"),
        "news": th("prefs.news_no"),
    }


def test_choosing_english_saves_it_and_says_so_in_english(chat_app, fake_line):
    chat = Chat(chat_app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.say("ภาษา")
    chat.tap(th("prefs.language_en"))
    en = t(
        "prefs.saved_one", "en", setting=t("prefs.which_language", "en"), value=t("prefs.language_en", "en")
    )
    assert chat.texts[0].startswith(en) and t("prefs.title", "en") in chat.buttons
    assert saved_user(chat_app, chat.user).language == "en"


def test_cancel_keeps_a_draft_that_is_offered_back(chat_app, fake_line):
    chat = Chat(chat_app.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("เทศบาลตำบลทดสอบ")
    assert th("register.ask_type") in chat.text
    chat.say("ยกเลิก")
    assert chat.texts[0].startswith(th("conv.cancelled_kept")) and th("register.title") in chat.buttons
    chat.say("ยกเลิก")
    assert chat.texts[0].startswith(th("conv.nothing_to_cancel"))
    chat.say("ลงทะเบียนหน่วยงาน")
    assert chat.text == th("conv.resume_offer", flow=th("register.title"))
    chat.tap(th("conv.resume_continue"))
    assert chat.texts[0].startswith(th("conv.resumed")) and th("register.ask_type") in chat.text
    chat.say("ย้อนกลับ")
    assert th("conv.previous_answer", answer="เทศบาลตำบลทดสอบ") in chat.text


def test_menu_in_the_middle_asks_before_leaving(chat_app, fake_line):
    chat = Chat(chat_app.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("เทศบาลตำบลทดสอบ")
    chat.say("เมนู")
    assert chat.text == th("conv.confirm_leave", flow=th("register.title"))
    chat.tap(th("conv.leave_no"))
    assert th("register.ask_type") in chat.text
    chat.say("menu")
    chat.tap(th("conv.leave_yes"))
    assert chat.texts[0].startswith(th("conv.left_kept")) and th("register.title") in chat.buttons
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.tap(th("conv.resume_restart"))
    assert chat.text == th("register.ask_name")


def test_idle_timeout_closes_politely_and_keeps_the_draft(chat_app, clock, fake_line):
    chat = Chat(chat_app.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("เทศบาลตำบลทดสอบ")
    chat.say("องค์กรปกครองท้องถิ่น")
    assert th("register.ask_province") in chat.text
    province_buttons = chat.last
    clock.advance(hours=25)
    chat.say("ลำปาง")
    assert chat.texts[0].startswith(th("conv.timed_out_kept"))
    assert th("register.title") in chat.buttons
    # A button from before the timeout has expired.
    first_province = province_buttons[-1]["quickReply"]["items"][0]["action"]["label"]
    chat.tap_data(chat.button_data(first_province, province_buttons))
    assert chat.texts[0].startswith(th("conv.expired"))
    chat.say("ลงทะเบียนหน่วยงาน")
    assert chat.text == th("conv.resume_offer", flow=th("register.title"))
    chat.say("ใช่")
    assert th("register.ask_province") in chat.text


def test_english_speaker_is_answered_in_english(chat_app, fake_line):
    from bot.fakeline.events import follow_event

    chat = Chat(chat_app.test_client(), fake_line)
    fake_line.register_profile(chat.user, "Jane", language="en")
    chat._send(lambda **kw: follow_event(chat.user, **kw))
    assert chat.texts == [t("welcome.greeting", "en"), notice_text("en")]
    chat.say("settings")
    assert chat.text == t(
        "prefs.ask_which",
        "en",
        language=t("prefs.language_en", "en"),
        province=t("prefs.not_set", "en"),
        reminder=t("prefs.reminder_default", "en"),
        news=t("prefs.news_no", "en"),
    )
    assert t("prefs.which_province", "en") in chat.buttons
    chat.say("province")
    assert t("prefs.ask_province", "en") in chat.text
    assert "Bangkok" in chat.buttons  # choices in the user's language too
    assert t("command.cancel.label", "en") in chat.buttons


@pytest.mark.parametrize("typed", ["ทำต่อ", "ทำต่อค่ะ", "เริ่มใหม่"])
def test_the_resume_offer_takes_its_words_typed(chat_app, fake_line, typed):
    chat = Chat(chat_app.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("เทศบาลตำบลทดสอบ")
    chat.say("ยกเลิก")
    chat.say("ลงทะเบียนหน่วยงาน")
    assert chat.text == th("conv.resume_offer", flow=th("register.title"))
    chat.say(typed)
    if typed.startswith("ทำต่อ"):
        assert chat.texts[0].startswith(th("conv.resumed")) and th("register.ask_type") in chat.text
    else:
        assert chat.text == th("register.ask_name")
