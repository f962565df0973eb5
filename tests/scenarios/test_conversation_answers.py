"""People answer in their own words. Through signed webhooks on the
settings flow: a typed answer naming a button is that button, a number may carry its unit word,
the error example fits the question, a typed province is said back (typos forgiven; several
matches become buttons), and once English is saved settings speak English."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.runtime import runtime
from handlers.catalog import t
from storage.models import LineUser
from tests.helpers import Chat


def th(key: str, **params) -> str:
    return t(key, "th", **params)


def en(key: str, **params) -> str:
    return t(key, "en", **params)


def saved(app, user_id: str) -> LineUser:
    with runtime(app).session_factory() as session:
        return session.scalars(select(LineUser).where(LineUser.line_user_id == user_id)).one()


@pytest.fixture
def app(make_app, settings):
    return make_app(settings)


def to_province(chat: Chat) -> None:
    chat.say("ตั้งค่า")
    chat.say("จังหวัด")
    assert th("prefs.ask_province") in chat.text


def to_days(chat: Chat) -> None:
    chat.say("ตั้งค่า")
    chat.say("เตือนล่วงหน้า")
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text


def said_back(setting: str, value: str, language: str = "th") -> str:
    return t("prefs.saved_one", language, setting=t(f"prefs.which_{setting}", language), value=value)


@pytest.mark.parametrize("typed", ["ไทย", "thai", "ภาษาไทย", "Thai ", "ภาษา ไทย ค่ะ", "TH"])
def test_a_typed_language_names_its_button(app, fake_line, typed):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.say("ภาษา")
    chat.say(typed)
    assert chat.texts[0].startswith(said_back("language", th("prefs.language_th")))


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("เปลี่ยนจังหวัด", "prefs.ask_province"),
        ("จังหวัด ค่ะ", "prefs.ask_province"),
        ("เตือน", "prefs.ask_reminder_days"),
        ("language", "prefs.ask_language"),
        ("รับข่าวสาร", "prefs.ask_news"),
    ],
)
def test_the_setting_to_change_is_named_in_everyday_words(app, fake_line, typed, question):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.say(typed)
    assert th(question, low=1, high=30) in chat.text


def test_yes_no_in_everyday_words(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.say("การรับข่าวสาร")
    chat.say("ได้ค่ะ")
    assert chat.texts[0].startswith(said_back("news", th("prefs.news_yes")))
    assert saved(app, chat.user).news_opt_in is True
    chat.say("ตั้งค่า")
    chat.say("รับข่าวสาร")
    assert chat.buttons[0] == th("prefs.news_yes")  # the saved answer leads
    chat.say("ไม่ค่ะ")
    assert chat.texts[0].startswith(said_back("news", th("prefs.news_no")))
    assert saved(app, chat.user).news_opt_in is False


def test_a_number_with_its_unit_word_and_an_error_example_that_fits(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_days(chat)
    chat.say("สัปดาห์หน้า")
    assert th("prefs.reminder_days_range", low=1, high=30, example=7) in chat.text
    assert "1,250" not in chat.text
    chat.say("7 กก.")  # a unit that is not days is named
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text and "กก" in chat.texts[0]
    chat.say("40 วัน")
    assert th("prefs.reminder_days_range", low=1, high=30, example=7) in chat.text
    chat.say("๑๐ วัน")
    assert chat.texts[0].startswith(said_back("reminder", th("prefs.days", days=10)))
    to_days(chat)
    assert th("prefs.current", value=th("prefs.days", days=10)) in chat.text
    assert chat.buttons[0] == th("prefs.days", days=10)  # the saved lead time leads
    chat.say("7 days")
    assert chat.texts[0].startswith(said_back("reminder", th("prefs.days", days=7)))
    assert saved(app, chat.user).reminder_days == 7


@pytest.mark.parametrize("typed", ["เชียงใม่", "chiang mai", "Chiangmai", "จังหวัดเชียงใหม่", "เชียงใหม"])
def test_a_typed_province_is_said_back_before_it_is_kept(app, fake_line, typed):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say(typed)
    assert chat.text == th("common.province_check", name="เชียงใหม่")
    assert chat.buttons[:2] == [th("conv.confirm_yes"), th("conv.confirm_no")]
    chat.tap(th("conv.confirm_yes"))
    assert chat.texts[0].startswith(said_back("province", "เชียงใหม่"))
    assert saved(app, chat.user).province_code == "50"


def test_no_asks_again_and_another_name_replaces_the_guess(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say("เชียงใม่")
    chat.say("ไม่ใช่")
    assert chat.texts[0].startswith(th("conv.confirm_again")) and th("prefs.ask_province") in chat.text
    chat.say("ลำปาง")
    assert chat.text == th("common.province_check", name="ลำปาง")
    chat.say("ขอนแก่น")  # not yes or no: a new answer to the same question
    assert chat.text == th("common.province_check", name="ขอนแก่น")
    chat.say("ใช่")
    assert chat.texts[0].startswith(said_back("province", "ขอนแก่น"))


def test_several_matching_provinces_become_the_buttons(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say("นคร")
    assert th("common.province_several") in chat.text
    assert {"นครราชสีมา", "นครปฐม", "นครพนม", "นครสวรรค์", "นครนายก", "นครศรีธรรมราช"} <= set(chat.buttons)
    assert "เชียงใหม่" not in chat.buttons
    chat.tap("นครพนม")  # tapped, not typed: kept at once
    assert chat.texts[0].startswith(said_back("province", "นครพนม"))
    to_province(chat)
    chat.say("ไม่มีจังหวัดนี้แน่ ๆ")
    chat.say("ย้อนกลับ")
    chat.say("จังหวัด")
    chat.say("zzzzqqq")
    assert th("common.province_unknown") in chat.text
    assert chat.buttons[0] == "นครพนม"  # the saved province still leads the buttons


def test_once_english_is_saved_settings_speak_english(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    assert chat.text.startswith(th("prefs.ask_which", **thai_defaults()))
    chat.say("ภาษา")
    chat.say("อังกฤษ")
    assert chat.texts[0].startswith(said_back("language", "English", "en"))
    chat.say("settings")
    chat.say("province")
    assert en("prefs.ask_province") in chat.text and "Bangkok" in chat.buttons
    assert en("command.back.label") in chat.buttons
    chat.say("chiang mai")
    assert chat.text == en("common.province_check", name="Chiang Mai")
    chat.say("yes")
    assert chat.texts[0].startswith(said_back("province", "Chiang Mai", "en"))
    assert en("prefs.title") in chat.buttons
    user = saved(app, chat.user)
    assert (user.language, user.province_code) == ("en", "50")


def thai_defaults() -> dict[str, str]:
    return {
        "language": th("prefs.language_th"),
        "province": th("prefs.not_set"),
        "reminder": th("prefs.reminder_default"),
        "news": th("prefs.news_no"),
    }


def test_a_yes_under_an_earlier_guess_is_stale(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say("เชียงใม่")
    first_guess = chat.last
    chat.say("ลำปาง")
    assert chat.text == th("common.province_check", name="ลำปาง")
    chat.tap_data(chat.button_data(th("conv.confirm_yes"), first_guess))
    assert chat.texts[0].startswith(th("conv.expired"))
    assert th("common.province_check", name="ลำปาง") in chat.text
    chat.tap(th("conv.confirm_yes"))
    assert chat.texts[0].startswith(said_back("province", "ลำปาง"))


def test_the_engines_own_questions_take_their_button_words_typed(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say("เมนู")
    assert chat.text == th("conv.confirm_leave", flow=th("prefs.title"))
    chat.say("ทำต่อ")
    assert th("prefs.ask_province") in chat.text
    chat.say("ยกเลิก")
    chat.say("ลงทะเบียนหน่วยงาน")
    chat.say("เทศบาลตำบลทดสอบ")
    chat.say("เมนู")
    chat.say("ออก")
    assert chat.texts[0].startswith(th("conv.left_kept"))
    chat.say("ลงทะเบียนหน่วยงาน")
    assert chat.text == th("conv.resume_offer", flow=th("register.title"))
    chat.say("ทำต่อจากเดิม")
    assert th("register.ask_type") in chat.text
