"""When and what photos arrive: a photo sent after a long break is kept and offered back with the
report it belongs to; a photo that says where it was taken gives the place (said back, changeable)."""

from __future__ import annotations

import pytest

from bot.fakeline.events import unsend_event
from handlers.catalog import t
from tests.handlers.report_chat import ReportChat, gps_photo, photo
from tests.helpers import FakeClock, post_events, wait_for
from tests.scenarios.test_report import start


def th(key: str, **params) -> str:
    return t(key, "th", **params)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def clock_app(make_app, settings, clock):
    return make_app(settings, clock=clock)


def at_photo_question(chat: ReportChat, seeds: tuple[int, ...] = ()) -> None:
    start(chat, "composting")
    chat.say("500 กก.")
    chat.say("มิ.ย. 2567")
    for seed in seeds:
        chat.send_photo(photo(seed))


def held_question(count: int, held: int = 1) -> str:
    return th("photos.held.ask", activity="การทำปุ๋ยหมัก", held=held, total=count + held)


def test_a_photo_sent_a_day_later_is_kept_and_goes_into_the_report_after_yes(clock_app, clock, fake_line):
    chat = ReportChat(clock_app, fake_line)
    at_photo_question(chat, (61,))
    clock.advance(hours=25)
    chat.send_photo(photo(62))
    assert held_question(count=1) in chat.text  # says back what will happen
    assert th("conv.timed_out_kept") not in chat.text and th("conv.got.image") not in chat.text
    assert chat.buttons[:2] == [th("photos.held.continue"), th("photos.held.drop")]
    chat.send_sticker()  # a sticker mid-question: the same question again
    assert held_question(count=1) in chat.text
    chat.say("โอเคค่ะ")  # typed yes
    assert th("reporting.photos_so_far", count=2, most=10) in chat.text
    chat.tap(th("reporting.done"))
    chat.tap(th("reporting.skip"))
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert sorted(p.report_id for p in chat.photos()) == [report.id, report.id]


@pytest.mark.parametrize(("typed", "attached"), [("ทำต่อ", True), ("ทำต่อค่ะ", True), ("ไม่ใช้", False)])
def test_the_offer_after_a_break_takes_its_buttons_words_typed(clock_app, clock, fake_line, typed, attached):
    chat = ReportChat(clock_app, fake_line)
    at_photo_question(chat, (71,))
    clock.advance(hours=25)
    chat.send_photo(photo(72))
    assert held_question(count=1) in chat.text
    chat.say(typed)
    if attached:
        assert th("reporting.photos_so_far", count=2, most=10) in chat.text
    else:
        assert th("photos.held.dropped", held=1) in chat.text
        assert th("reporting.photos_so_far", count=1, most=10) in chat.text


def test_photos_sent_together_after_a_break_are_all_offered(clock_app, clock, fake_line):
    chat = ReportChat(clock_app, fake_line)
    at_photo_question(chat)
    clock.advance(hours=30)
    chat.send_photos_together([photo(63), photo(64)])
    chat.tap(th("photos.held.continue"))
    assert th("reporting.photos_so_far", count=2, most=10) in chat.text


def test_no_leaves_the_photo_out_and_the_report_waits(clock_app, clock, fake_line):
    chat = ReportChat(clock_app, fake_line)
    at_photo_question(chat, (65,))
    clock.advance(hours=25)
    chat.send_photo(photo(66))
    chat.say("ไม่")
    assert th("photos.held.dropped", held=1) in chat.text
    assert th("reporting.photos_so_far", count=1, most=10) in chat.text  # still at the photos, one photo
    chat.say("ยกเลิก")
    assert th("conv.cancelled_kept") in chat.text
    chat.say("รายงานกิจกรรม")  # coming back: the kept draft is offered, with its one photo
    chat.tap(th("conv.resume_continue"))
    assert th("reporting.photos_so_far", count=1, most=10) in chat.text


def test_a_photo_at_another_question_after_a_break_still_closes_politely(clock_app, clock, fake_line):
    chat = ReportChat(clock_app, fake_line)
    start(chat, "composting")
    clock.advance(hours=25)
    chat.send_photo(photo(67))
    assert chat.texts[0].startswith(th("conv.timed_out_kept"))


def test_the_place_comes_from_a_photo_with_gps_and_can_be_changed(app, fake_line):
    chat = ReportChat(app, fake_line)
    at_photo_question(chat)
    chat.send_photo(gps_photo(68))
    chat.tap(th("reporting.done"))
    said = th("photos.place_from_photo", where="18.78830, 98.98530", change=th("reporting.change"),
              place=th("reporting.place_label"))  # fmt: skip
    assert said in chat.text and th("reporting.ask_place") not in chat.text
    assert chat.flex is not None and "18.78830, 98.98530" in chat.flex_text  # straight to the summary
    chat.tap(th("reporting.change"))
    chat.tap(th("reporting.place_label"))
    assert th("reporting.ask_place") in chat.text
    chat.send_location()
    assert chat.flex is not None and "18.78830" not in chat.flex_text
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert (round(report.place_lat, 4), round(report.place_lon, 4)) == (13.7563, 100.5018)


def test_without_gps_the_place_is_asked(app, fake_line):
    chat = ReportChat(app, fake_line)
    at_photo_question(chat, (69,))
    chat.tap(th("reporting.done"))
    assert th("reporting.ask_place") in chat.text


def test_a_photo_unsent_in_line_no_longer_counts(app, fake_line):
    chat = ReportChat(app, fake_line)
    at_photo_question(chat, (70, 71))
    [first, _] = chat.photos()
    assert post_events(
        chat.client, [unsend_event(chat.user, first.line_message_id, timestamp_ms=chat.clock_ms)]
    )
    wait_for(lambda: chat.photos()[0].status == "removed")
    chat.say("เสร็จแล้ว")
    chat.tap(th("reporting.skip"))
    one_photo = th("reporting.summary.photos_count", count=1)
    assert f"{th('reporting.photos_label')}\n{one_photo}\n" in chat.flex_text  # the summary counts one photo
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert [(p.status, p.report_id) for p in chat.photos()] == [("removed", None), ("attached", report.id)]
