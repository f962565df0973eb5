"""Photos in a fix: staff ask for new or replacement photos from the CLI, the coordinator hears it in
LINE, replaces or adds them in "my reports" (with typos, stickers, "back" on the way), and the report
is back in the queue marked corrected, saying what changed. The campaign's photo limits hold on every
submission; "change an answer" offers the photos of a stored report too."""

from __future__ import annotations

import json

import pytest

import calc
from bot.runtime import runtime
from handlers.catalog import t
from handlers.chat.engine import fit_label, utf16_len
from handlers.services.reports import Draft, needs_fix, reference, submit_report
from storage.repositories import UserRepository
from tests.bot.cli.test_report import cli  # noqa: F401 (the fixture)
from tests.handlers.domain_helpers import pushed_texts
from tests.handlers.report_chat import NOW, ReportChat, photo
from tests.scenarios.test_report import JUNE_2024, start
from tests.scenarios.test_report_english import THAI


def th(key: str, **params) -> str:
    return t(key, "th", **params)


def composting_report(chat: ReportChat, seeds: list[int]) -> str:
    """A stored composting report with these photos; returns its reference."""
    start(chat, "composting")
    chat.say("500 กก.")
    chat.say("มิ.ย. 2567")
    for seed in seeds:
        chat.send_photo(photo(seed))
    chat.tap(th("reporting.done"))
    chat.tap(th("reporting.skip"))
    chat.tap(th("reporting.confirm"))
    report = chat.reports()[-1]
    return f"R-{report.year_be}-{report.sequence:05d}"


def open_fix(chat: ReportChat, ref: str) -> None:
    chat.say("รายงานของฉัน")
    chat.tap(ref)
    chat.tap(th("reporting.mine.fix"))


def test_staff_ask_to_replace_photo_2_and_the_corrected_report_says_what_changed(cli, app, fake_line):  # noqa: F811
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [21, 22, 23])
    reason = "รูปที่ 2 ไม่เห็นกองปุ๋ย"
    code, out, err = cli(
        "report", "needs-fix", ref, "--fields", "photos", "--photos", "2", "--reason", reason
    )
    assert code == 0, err
    told = th("reporting.decision.needs_fix", ref=ref, fields="รูปหลักฐาน (รูปที่ 2)", reason=reason)
    assert pushed_texts(app, fake_line, chat.user)[-1] == told
    shown = json.loads(cli("report", "show", ref, "--json")[1])
    assert [p["marked_wrong"] for p in shown["photos"]] == [False, True, False]

    open_fix(chat, ref)
    assert th("photos.fix.replace", numbers="2", kept=2, most=10) in chat.text
    assert th("reporting.done") not in chat.buttons  # not before a new photo has come
    chat.say("เสดจแล้ว")  # a typo: not understood, same question
    assert (
        th("conv.expect.image") in chat.text
        and th("photos.fix.replace", numbers="2", kept=2, most=10) in chat.text
    )
    chat.say("เสร็จแล้วค่ะ")  # staff asked for a new photo: not yet
    assert th("photos.fix.need_new", done=th("reporting.done")) in chat.text
    chat.send_sticker()
    assert th("photos.fix.replace", numbers="2", kept=2, most=10) in chat.text
    chat.send_photo(photo(22))  # the very photo staff asked to replace
    assert chat.texts[0].startswith(th("photos.marked_wrong"))
    chat.send_photo(photo(24))
    assert th("photos.received") in chat.text and th("reporting.photos_so_far", count=3, most=10) in chat.text
    assert th("conv.got.image") not in chat.text
    chat.tap(th("reporting.done"))
    assert chat.flex is not None
    chat.tap(th("reporting.confirm"))

    [report] = chat.reports()
    assert report.status == "submitted" and "corrected" in json.loads(report.flags)
    code, out, _ = cli("report", "list")
    assert ref in out and "corrected" in out  # back in the queue, marked corrected
    code, out, err = cli("report", "show", ref, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["changes"] == [{"field": "photos", "replaced": [2], "added": 1, "count": 3}]
    assert [p["number"] for p in shown["photos"]] == [1, 2, 3] and len(shown["replaced_photos"]) == 1
    statuses = [p.status for p in chat.photos() if p.report_id == report.id]
    assert sorted(statuses) == ["attached", "attached", "attached", "replaced"]


def test_staff_ask_for_a_figure_and_more_photos_and_back_returns_to_the_photos(cli, app, fake_line):  # noqa: F811
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [31])
    code, _, err = cli(
        "report", "needs-fix", ref, "--fields", "organic_waste,photos", "--reason", "ขอรูปกองปุ๋ยเพิ่ม"
    )
    assert code == 0, err
    assert "รูปหลักฐาน" in pushed_texts(app, fake_line, chat.user)[-1]
    open_fix(chat, ref)
    chat.say("๖๐๐ กก.")
    assert th("photos.fix.more", kept=1, most=10) in chat.text
    chat.say("ย้อนกลับ")  # back to the figure, then on to the photos again (not the summary)
    chat.say("650 กก.")
    assert th("photos.fix.more", kept=1, most=10) in chat.text
    chat.send_photo(photo(32))
    chat.tap(th("reporting.done"))
    assert chat.flex is not None and "650" in chat.flex_text
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert report.status == "submitted"
    changes = {c["field"]: c for c in json.loads(report.changes)}
    assert changes["organic_waste"]["after"] == {"value": "650", "unit": "kg"}
    assert changes["photos"] == {"field": "photos", "replaced": [], "added": 1, "count": 2}


def test_a_fix_left_half_way_is_offered_back_with_the_new_photo(cli, app, fake_line):  # noqa: F811
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [35, 36])
    assert (
        cli("report", "needs-fix", ref, "--fields", "photos", "--photos", "1", "--reason", "ภาพไม่ชัด")[0] == 0
    )
    open_fix(chat, ref)
    chat.send_photo(photo(37))
    chat.say("ยกเลิก")
    assert th("conv.cancelled_kept") in chat.text
    chat.say("รายงานของฉัน")
    assert th("conv.resume_offer", flow=th("reporting.mine.title")) in chat.text
    chat.say("ทำต่อจากเดิมค่ะ")
    assert th("reporting.photos_so_far", count=2, most=10) in chat.text
    chat.tap(th("reporting.done"))
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert report.status == "submitted"
    assert json.loads(report.changes) == [{"field": "photos", "replaced": [1], "added": 1, "count": 2}]


def test_photo_numbers_staff_give_must_exist(cli, app, fake_line):  # noqa: F811
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [41])
    code, _, err = cli("report", "needs-fix", ref, "--fields", "photos", "--photos", "3", "--reason", "x")
    assert code == 1 and "bad_photos" in err
    with pytest.raises(SystemExit) as refused:
        cli("report", "needs-fix", ref, "--fields", "photos", "--photos", "two", "--reason", "x")
    assert refused.value.code == 2
    assert chat.reports()[0].status == "submitted"


def test_a_resubmission_without_photos_is_refused_politely_and_the_photo_question_follows(app, fake_line):
    chat = ReportChat(app, fake_line)
    with runtime(app).session_factory.begin() as session:  # a report stored without photos
        draft = Draft("seeded", "composting", {"organic_waste": {"value": "300", "unit": "kg"}}, *JUNE_2024)
        report, _ = submit_report(session, chat.user, draft, NOW)
        ref = reference(report)
        needs_fix(session, ref, ["organic_waste"], "ตรวจน้ำหนักอีกครั้ง", "cli", NOW)
    open_fix(chat, ref)
    chat.say("350 กก.")
    chat.tap(th("reporting.confirm"))
    assert th("reporting.refused.photo_count", count=0, least=1, most=10) in chat.text
    assert th("reporting.ask_photos", most=10) in chat.text  # the user's place: the photo question
    assert chat.reports()[0].status == "needs_fix"
    chat.send_photo()
    chat.tap(th("reporting.done"))
    assert chat.flex is not None and "350" in chat.flex_text
    chat.tap(th("reporting.confirm"))
    [stored] = chat.reports()
    assert stored.status == "submitted" and [p.status for p in chat.photos()] == ["attached"]


def test_change_an_answer_offers_the_photos_of_a_stored_report_and_takes_a_photo_sent_there(app, fake_line):
    chat = ReportChat(app, fake_line)
    ref = composting_report(chat, [51])
    chat.say("รายงานของฉัน")
    chat.tap(ref)
    chat.tap(th("reporting.mine.edit"))
    chat.tap(th("reporting.change"))
    assert th("reporting.photos_label") in chat.buttons and th("reporting.place_label") in chat.buttons
    chat.say("รูปหลักฐาน")  # typed, as the button says
    assert th("reporting.photos_so_far", count=1, most=10) in chat.text
    chat.send_photo(photo(52))
    assert (
        th("reporting.photos_so_far", count=2, most=10) in chat.text and th("conv.got.image") not in chat.text
    )
    chat.tap(th("photos.restart"))
    assert th("photos.restarted", count=2) in chat.text and th("reporting.ask_photos", most=10) in chat.text
    assert th("reporting.done") not in chat.buttons
    chat.send_photo(photo(53))
    chat.tap(th("reporting.done"))
    chat.tap(th("reporting.confirm"))
    [report] = chat.reports()
    assert report.status == "submitted"
    # The first photo replaced, the one sent before "replace all" never attached, the last one in.
    assert [p.status for p in chat.photos()] == ["replaced", "received", "attached"]


def test_new_labels_fit_lines_limit_uncut():
    keys = [
        "photos.restart",
        "photos.held.continue",
        "photos.held.drop",
        "review.withdraw.yes",
        "review.withdraw.no",
    ]
    for key in keys:
        for language in ("th", "en"):
            label = t(key, language)
            assert utf16_len(label) <= 20 and fit_label(label) == label, (key, language, label)


def test_in_english_staff_ask_for_two_photos_and_hear_no_thai(cli, app, fake_line):  # noqa: F811
    chat = ReportChat(app, fake_line)
    with runtime(app).session_factory.begin() as session:
        UserRepository(session).get_or_create(chat.user, NOW).language = "en"
    chat.say("report")
    chat.say(calc.activity_type("composting").label_en)
    chat.say("500 kg")
    chat.say("June 2024")
    for seed in (91, 92, 93):
        chat.send_photo(photo(seed))
    chat.tap(t("reporting.done", "en"))
    chat.tap(t("reporting.skip", "en"))
    chat.tap(t("reporting.confirm", "en"))
    [report] = chat.reports()
    ref = reference(report)
    code, _, err = cli(
        "report", "needs-fix", ref, "--fields", "photos", "--photos", "3,1", "--reason", "Blurred"
    )
    assert code == 0, err
    told = pushed_texts(app, fake_line, chat.user)[-1]
    assert told == t("reporting.decision.needs_fix", "en", ref=ref, reason="Blurred",
                     fields=f"{t('reporting.photos_label', 'en')} (photo 1 and 3)")  # fmt: skip
    chat.say("my reports")
    chat.tap(ref)
    chat.tap(t("reporting.mine.fix", "en"))
    asked = t("photos.fix.replace", "en", numbers="1 and 3", kept=1, most=10)
    assert asked in chat.text and not THAI.search(chat.text)
    chat.send_photo(photo(94))
    chat.tap(t("reporting.done", "en"))
    chat.tap(t("reporting.confirm", "en"))
    assert json.loads(chat.reports()[0].changes) == [
        {"field": "photos", "replaced": [1, 3], "added": 1, "count": 2}
    ]
