"""Item 0 of issue #11: people answer in their own words. Through signed webhooks on the
preferences flow: a typed answer naming a button is that button, a number may carry its unit word,
the error example fits the question, a typed province is said back (typos forgiven; several
matches become buttons), and once English is chosen the rest of the flow is in English."""

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
    chat.say("ไทย")
    assert th("prefs.ask_province") in chat.text


def to_days(chat: Chat) -> None:
    to_province(chat)
    chat.say("ลำปาง")
    chat.say("ใช่")
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text


@pytest.mark.parametrize("typed", ["ไทย", "thai", "ภาษาไทย", "Thai ", "ภาษา ไทย ค่ะ", "TH"])
def test_a_typed_language_names_its_button(app, fake_line, typed):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    chat.say(typed)
    assert th("prefs.ask_province") in chat.text


def test_yes_no_and_confirm_in_everyday_words(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_days(chat)
    chat.say("7")
    assert chat.text == th("prefs.ask_news")
    chat.say("ได้ค่ะ")
    assert th("prefs.news_yes") in chat.text  # the summary says news: yes
    chat.say("ย้อนกลับ")
    chat.say("ไม่ค่ะ")
    assert th("prefs.news_no") in chat.text and th("prefs.save") in chat.buttons
    chat.say("ยืนยัน")
    assert chat.texts[0].startswith(th("prefs.saved"))
    user = saved(app, chat.user)
    assert (user.province_code, user.reminder_days, user.news_opt_in) == ("52", 7, False)


@pytest.mark.parametrize("word", ["ตกลง", "บันทึก", "OK"])
def test_confirm_words_save(app, fake_line, word):
    chat = Chat(app.test_client(), fake_line)
    to_days(chat)
    chat.say("14")
    chat.say("ครับ")
    chat.say(word)
    assert chat.texts[0].startswith(th("prefs.saved"))
    assert saved(app, chat.user).news_opt_in is True


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
    assert chat.text == th("prefs.ask_news")
    chat.say("ย้อนกลับ")
    chat.say("7 days")
    assert chat.text == th("prefs.ask_news")
    chat.say("no")
    assert th("prefs.days", days=7) in chat.text


@pytest.mark.parametrize("typed", ["เชียงใม่", "chiang mai", "Chiangmai", "จังหวัดเชียงใหม่", "เชียงใหม"])
def test_a_typed_province_is_said_back_before_it_is_kept(app, fake_line, typed):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say(typed)
    assert chat.text == th("common.province_check", name="เชียงใหม่")
    assert chat.buttons[:2] == [th("conv.confirm_yes"), th("conv.confirm_no")]
    chat.tap(th("conv.confirm_yes"))
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text
    chat.say("ย้อนกลับ")
    assert th("conv.previous_answer", answer="เชียงใหม่") in chat.text


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
    chat.say("3")
    chat.say("ไม่")
    assert "ขอนแก่น" in chat.text


def test_several_matching_provinces_become_the_buttons(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say("นคร")
    assert th("common.province_several") in chat.text
    assert {"นครราชสีมา", "นครปฐม", "นครพนม", "นครสวรรค์", "นครนายก", "นครศรีธรรมราช"} <= set(chat.buttons)
    assert "เชียงใหม่" not in chat.buttons
    chat.tap("นครพนม")  # tapped, not typed: kept at once
    assert th("prefs.ask_reminder_days", low=1, high=30) in chat.text
    chat.say("ไม่มีจังหวัดนี้แน่ ๆ")
    chat.say("ย้อนกลับ")
    chat.say("zzzzqqq")
    assert th("common.province_unknown") in chat.text


def test_after_english_is_chosen_the_rest_of_the_flow_is_in_english(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    chat.say("ตั้งค่า")
    assert chat.text == th("prefs.ask_language")
    chat.say("อังกฤษ")
    assert en("prefs.ask_province") in chat.text and "Bangkok" in chat.buttons
    assert en("command.back.label") in chat.buttons
    chat.say("chiang mai")
    assert chat.text == en("common.province_check", name="Chiang Mai")
    chat.say("yes")
    assert en("prefs.ask_reminder_days", low=1, high=30) in chat.text
    chat.say("5 days")
    assert chat.text == en("prefs.ask_news")
    chat.say("sure")
    assert (
        en(
            "prefs.summary",
            language="English",
            province="Chiang Mai",
            reminder=en("prefs.days", days=5),
            news=en("prefs.news_yes"),
        )
        in chat.text
    )
    chat.say("save")
    assert chat.texts[0].startswith(en("prefs.saved")) and en("prefs.title") in chat.buttons
    assert saved(app, chat.user).language == "en"


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
    chat.say("ย้อนกลับ")
    assert th("conv.previous_answer", answer="ลำปาง") in chat.text


def test_the_engines_own_questions_take_their_button_words_typed(app, fake_line):
    chat = Chat(app.test_client(), fake_line)
    to_province(chat)
    chat.say("เมนู")
    assert chat.text == th("conv.confirm_leave", flow=th("prefs.title"))
    chat.say("ทำต่อ")
    assert th("prefs.ask_province") in chat.text
    chat.say("เมนู")
    chat.say("ออก")
    assert chat.texts[0].startswith(th("conv.left_kept"))
    chat.say("ตั้งค่า")
    assert chat.text == th("conv.resume_offer", flow=th("prefs.title"))
    chat.say("ทำต่อจากเดิม")
    assert th("prefs.ask_province") in chat.text
