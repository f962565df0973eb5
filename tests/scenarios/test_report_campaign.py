"""Report flow and the campaign, photos reused, and the place: what staff get flagged and what the
coordinator is told."""

from __future__ import annotations

import json

from sqlalchemy import select

import calc
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from storage.models import Photo
from storage.models.program import Campaign
from tests.handlers.report_chat import NOW, ReportChat, photo
from tests.scenarios.test_report import start


def with_campaign(app, types: list[str]) -> None:
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
        session.scalars(select(Campaign)).one().activity_types = json.dumps(types)


def test_only_the_campaigns_types_are_offered_and_a_period_outside_it_is_noted_and_flagged(app, fake_line):
    with_campaign(app, ["composting", "renewable_electricity"])
    chat = ReportChat(app, fake_line)
    chat.say("รายงานกิจกรรม")
    assert chat.buttons[:2] == [
        calc.activity_type(k).button("th") for k in ("composting", "renewable_electricity")
    ]
    assert "การปลูกต้นไม้" not in chat.buttons
    chat.tap("การทำปุ๋ยหมัก")
    chat.say("500 กก.")
    chat.say("มี.ค. 2567")  # the 2567 campaign runs from May
    assert t("reporting.outside_campaign", "th") in chat.text
    assert t("reporting.ask_photos", "th", most=10) in chat.text  # accepted all the same
    chat.send_photo()
    chat.tap(t("reporting.done", "th"))
    chat.send_location()
    assert chat.flex is not None and t("reporting.place_label", "th") in chat.flex_text
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    assert json.loads(report.flags) == ["outside_campaign_period"]
    assert (round(report.place_lat, 4), round(report.place_lon, 4)) == (13.7563, 100.5018)


def test_a_photo_already_used_in_a_report_is_not_added_and_the_coordinator_told_once(app, fake_line):
    first = ReportChat(app, fake_line)
    start(first, "composting")
    first.say("500 กก.")
    first.say("มิ.ย. 2567")
    first.send_photo(photo(7))
    first.tap(t("reporting.done", "th"))
    first.tap(t("reporting.skip", "th"))
    first.tap(t("reporting.confirm", "th"))
    [used] = first.reports()
    ref = f"R-{used.year_be}-{used.sequence:05d}"
    second = ReportChat(app, fake_line)
    start(second, "composting")
    second.say("700 กก.")
    second.say("ก.ค. 2567")
    second.send_photo(photo(7))
    said = t("photos.reused_in", "th", ref=ref)
    # Said once, then the question again.
    assert second.texts[0] == f"{said}\n\n{t('reporting.ask_photos', 'th', most=10)}"
    assert t("photos.received", "th") not in second.text and "ยกเลิกข้อความ" not in second.text
    assert t("reporting.done", "th") not in second.buttons  # not counted: no photo yet
    second.send_photo(photo(8))
    assert t("reporting.photos_so_far", "th", count=1, most=10) in second.text
    second.tap(t("reporting.done", "th"))
    second.tap(t("reporting.skip", "th"))
    second.tap(t("reporting.confirm", "th"))
    [report] = second.reports()
    assert json.loads(report.flags) == []
    with runtime(app).session_factory() as session:
        [kept] = session.scalars(select(Photo).where(Photo.report_id == report.id)).all()
        assert kept.status == "attached" and kept.flagged_duplicate_of is None


def test_a_photo_of_a_withdrawn_report_may_be_used_again(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "composting")
    chat.say("500 กก.")
    chat.say("มิ.ย. 2567")
    chat.send_photo(photo(9))
    chat.tap(t("reporting.done", "th"))
    chat.tap(t("reporting.skip", "th"))
    chat.tap(t("reporting.confirm", "th"))
    [withdrawn] = chat.reports()
    chat.say("รายงานของฉัน")
    chat.tap(f"R-{withdrawn.year_be}-{withdrawn.sequence:05d}")
    chat.tap(t("reporting.mine.withdraw", "th"))
    chat.say("ใช่ค่ะ")
    start(chat, "composting")
    chat.say("500 กก.")
    chat.say("มิ.ย. 2567")
    chat.send_photo(photo(9))
    assert t("reporting.photos_so_far", "th", count=1, most=10) in chat.text


def test_a_campaign_asking_for_two_to_three_photos_asks_for_one_more_and_refuses_a_fourth(app, fake_line):
    text = EXAMPLE_CAMPAIGN.read_text(encoding="utf-8")
    with runtime(app).session_factory.begin() as session:
        limited = text.replace("target_agencies = 30", "target_agencies = 30\nphotos_min = 2\nphotos_max = 3")
        assert load_campaign(session, limited, NOW).ok
    chat = ReportChat(app, fake_line)
    start(chat, "composting")
    chat.say("500 กก.")
    chat.say("มิ.ย. 2567")
    assert t("reporting.ask_photos_range", "th", least=2, most=3) in chat.text
    chat.send_photo(photo(1))
    one_more = t("reporting.photos_more", "th", count=1, more=1, most=3)
    assert one_more in chat.text and t("reporting.done", "th") not in chat.buttons
    chat.say(t("reporting.done", "th"))  # typed "done" with one photo: one more, please
    assert one_more in chat.text and t("reporting.ask_place", "th") not in chat.text
    chat.send_photo(photo(2))
    chat.send_photo(photo(3))
    assert t("reporting.photos_so_far", "th", count=3, most=3) in chat.text
    chat.send_photo(photo(4))
    assert t("reporting.photos_full", "th", most=3) in chat.text  # refused politely; the draft stays
    chat.tap(t("reporting.done", "th"))
    chat.tap(t("reporting.skip", "th"))
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    with runtime(app).session_factory() as session:
        kept = session.scalars(select(Photo).where(Photo.report_id == report.id)).all()
    assert len(kept) == 3


def test_photos_sent_together_are_all_counted_each_stored_once_and_a_redelivery_adds_nothing(app, fake_line):
    chat = ReportChat(app, fake_line)
    start(chat, "composting")
    chat.say("500 กก.")
    chat.say("มิ.ย. 2567")
    events = chat.send_photos_together([photo(11), photo(12), photo(13)])
    said = "\n".join(m.get("text", "") for answer in chat.history[-3:] for m in answer)
    assert t("reporting.photos_so_far", "th", count=3, most=10) in said
    assert t("reporting.photos_so_far", "th", count=4, most=10) not in said
    chat.redeliver(events)
    chat.tap(t("reporting.done", "th"))  # answered after the redelivered events were handled
    assert t("reporting.ask_place", "th") in chat.text
    stored = chat.photos()
    assert len(stored) == 3 and len({p.sha256 for p in stored}) == 3
    assert sorted((p.image_set_index, p.image_set_total) for p in stored) == [(1, 3), (2, 3), (3, 3)]
    chat.tap(t("reporting.skip", "th"))
    chat.tap(t("reporting.confirm", "th"))
    [report] = chat.reports()
    assert {p.report_id for p in chat.photos()} == {report.id}
    assert len(chat.photos()) == 3
