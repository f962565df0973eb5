"""Report flow: bad input gets a clear Thai sentence and keeps the draft; confirming twice, a
redelivered confirm or another user's confirm button never make a second (or a foreign) report."""

from __future__ import annotations

import json

from bot.fakeline.events import _message_event, postback_event
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.engine import parse_error_text
from handlers.parsing import ParseError, parse_quantity
from tests.handlers.report_chat import ReportChat, photo
from tests.helpers import post_events, wait_for
from tests.scenarios.test_report import finish_to_summary, start

ASK_KWH = t(
    "reporting.ask_quantity",
    "th",
    label="ปริมาณไฟฟ้าที่ผลิตได้",
    units="กิโลวัตต์ชั่วโมง (หน่วย)",
    optional="",
    hint=t("reporting.hint.kWh", "th"),
)


def refusal(text: str, unit: str = "kWh") -> str:
    try:
        parse_quantity(text, unit)
    except ParseError as error:
        return parse_error_text(error, "th")
    raise AssertionError(f"{text!r} was accepted")


def at_kwh_question(app, fake_line) -> ReportChat:
    chat = ReportChat(app, fake_line)
    start(chat, "renewable_electricity")
    assert ASK_KWH in chat.text
    return chat


def test_bad_figures_each_get_their_own_thai_sentence_and_the_question_again(app, fake_line):
    chat = at_kwh_question(app, fake_line)
    for typed, sentence in (
        ("เยอะมาก", t("parse.number.not_a_number", "th")),
        ("-5 kWh", t("parse.number.negative", "th")),
        ("1,250 ลิตร", refusal("1,250 ลิตร")),
    ):
        chat.say(typed)
        assert sentence in chat.text, (typed, chat.text)
        assert ASK_KWH in chat.text  # still the same question: the draft is kept
    chat.send_sticker()
    assert t("conv.got.sticker", "th") in chat.text and ASK_KWH in chat.text
    chat.say("1250")  # no unit: said back in the field's unit before it is kept
    assert t("reporting.unit_check", "th", value="1,250 กิโลวัตต์ชั่วโมง (หน่วย)") in chat.text
    chat.tap(t("conv.confirm_yes", "th"))
    assert t("reporting.ask_period", "th") in chat.text


def test_a_future_period_is_refused_and_the_answers_so_far_stay(app, fake_line):
    chat = at_kwh_question(app, fake_line)
    chat.say("1,250 kWh")
    today = runtime(app).clock.now()
    chat.say(f"มิ.ย. {today.year + 544}")
    assert "ยังมาไม่ถึง" in chat.text and t("reporting.ask_period", "th") in chat.text
    chat.say("มิ.ย. 2567")
    assert t("reporting.ask_photos", "th", most=10) in chat.text


def test_a_video_where_a_photo_is_asked_for_is_refused_and_photos_are_counted(app, fake_line):
    chat = at_kwh_question(app, fake_line)
    chat.say("1,250 kWh")
    chat.say("มิ.ย. 2567")
    video = {"type": "video", "duration": 3000, "contentProvider": {"type": "line"}}
    chat._send(
        lambda **kw: _message_event(
            chat.user, dict(video), webhook_event_id=None, redelivery=False, mode="active", **kw
        )
    )
    assert t("conv.expect.image", "th") in chat.text
    chat.tap_data("c=x&s=report:photos&v=_done")  # a stale "done": nothing happens
    chat.say("เสร็จแล้ว")  # typed "done" before any photo
    assert t("reporting.photos_needed", "th", least=1) in chat.text
    chat.send_photo(photo(1))
    chat.send_photo(photo(2))
    assert t("reporting.photos_so_far", "th", count=2, most=10) in chat.text


def test_confirming_twice_at_once_creates_one_report_and_a_photo_after_confirming_is_not_taken(
    app, fake_line
):
    chat = at_kwh_question(app, fake_line)
    chat.say("1,250 kWh")
    finish_to_summary(chat)
    data = chat.button_data(t("reporting.confirm", "th"))
    before = len(fake_line.delivered_to(chat.user))
    events = [
        postback_event(
            chat.user,
            data,
            timestamp_ms=chat.clock_ms + n,
            reply_token=fake_line.issue_reply_token(chat.user),
        )
        for n in (1, 2)
    ]
    assert post_events(chat.client, events).status_code == 200
    wait_for(lambda: len(fake_line.delivered_to(chat.user)) >= before + 2)
    [report] = chat.reports()
    # A redelivery of the confirm changes nothing either.
    redelivered = postback_event(
        chat.user,
        data,
        timestamp_ms=chat.clock_ms + 1,
        webhook_event_id=events[0]["webhookEventId"],
        redelivery=True,
    )
    assert post_events(chat.client, [redelivered]).status_code == 200
    chat.send_photo(photo(3))
    assert t("conv.got.image", "th") in chat.text
    assert [r.id for r in chat.reports()] == [report.id]
    assert len(fake_line.calls("GET", "/v2/bot/message/")) == 1  # only the photo asked for was fetched


def test_another_users_confirm_button_does_nothing(app, fake_line):
    owner = at_kwh_question(app, fake_line)
    owner.say("1,250 kWh")
    finish_to_summary(owner)
    forged = owner.button_data(t("reporting.confirm", "th"))
    intruder = ReportChat(app, fake_line)
    intruder.say("รายงานกิจกรรม")
    intruder.tap_data(forged)
    assert t("conv.expired", "th") in intruder.text
    assert owner.reports() == [] and intruder.reports() == []
    owner.tap(t("reporting.confirm", "th"))  # the owner's draft is untouched
    assert len(owner.reports()) == 1


def test_changing_one_answer_reasks_only_it_and_recomputes(app, fake_line):
    chat = at_kwh_question(app, fake_line)
    chat.say("1,250 kWh")
    finish_to_summary(chat)
    first = chat.flex_text
    chat.tap(t("reporting.change", "th"))
    chat.tap_starting("ปริมาณไฟฟ้าที่ผลิตได้")
    assert ASK_KWH in chat.text
    chat.say("2,500 kWh")
    assert chat.flex is not None and chat.flex_text != first and "2,500" in chat.flex_text
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    assert json.loads(report.inputs)["electricity_generated"] == {"value": "2500", "unit": "kWh"}


def test_a_subscriber_is_told_how_to_register(app, fake_line):
    chat = ReportChat(app, fake_line, coordinator=False)
    chat.say("รายงานกิจกรรม")
    assert t("agency.refused.not_registered", "th") in chat.text
