"""Deadline reminders: the 2567 campaign's calendar run day by day at 09:00 Bangkok
against 30 agencies in mixed states, through the clock's "reminders" job and the outbox."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import update

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.outreach import OutreachError, audience_for
from handlers.services.reminders import MY_REPORTS, REGISTER, START_REPORT
from handlers.services.thaitime import BANGKOK
from storage.models.reports import Report
from storage.repositories import UserRepository
from tests.handlers.domain_helpers import NOW, db_fixture  # noqa: F401  (the `db` fixture)
from tests.handlers.reminder_helpers import (  # noqa: F401  (fixtures)
    buttons,
    calendar_app_fixture,
    clock_fixture,
    reminders_to,
    seed,
    subscribers,
)
from tests.helpers import Chat, FakeClock

REGISTRATION_DAYS = [date(2024, 7, 24), date(2024, 7, 28), date(2024, 7, 30)]
REPORT_DAYS = [date(2024, 8, 24), date(2024, 8, 28), date(2024, 8, 30)]
EVIDENCE_DAYS = [date(2024, 9, 8), date(2024, 9, 12), date(2024, 9, 14)]


def bangkok(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), BANGKOK).astimezone(UTC)


def run_day(app, clock, day: date, hour: int = 9) -> int:
    clock.bangkok(day, hour)
    rt = runtime(app)
    written = run_once(rt, "reminders")
    rt.outbox.send_due()
    return written


def received_on(fake_line, users: list[str], before: int) -> list[tuple[str, str, dict]]:
    return [(u, k, m) for u in users for k, m in reminders_to(fake_line, u)[before:]]


def test_a_whole_campaign_reminds_exactly_who_has_not_met_each_deadline_and_says_what_is_missing(
    calendar_app, db, clock, fake_line
):
    agencies = seed(db)
    people = subscribers(db)
    everyone = [u for a in agencies for u in a.coordinators] + [u for ids in people.values() for u in ids]
    # The clock's job runs every hour; these hours stand for the rest: in quiet hours (02:00,
    # 22:00), before the reminders' 09:00, at it, and after it.
    day, sent_on, sent_at_hours = date(2024, 7, 15), {}, set()
    while day <= date(2024, 9, 16):
        for hour in (2, 8, 9, 13, 22):
            before = {u: len(reminders_to(fake_line, u)) for u in everyone}
            run_day(calendar_app, clock, day, hour)
            new = [(u, k, m) for u in everyone for k, m in reminders_to(fake_line, u)[before[u] :]]
            if new:
                sent_on.setdefault(day, []).extend(new)
                sent_at_hours.add(hour)
        day += timedelta(days=1)

    assert sorted(sent_on) == REGISTRATION_DAYS + REPORT_DAYS + EVIDENCE_DAYS
    assert sent_at_hours == {9}  # never in quiet hours, never again later the same day
    for registration_day in REGISTRATION_DAYS:
        assert sorted(u for u, _k, _m in sent_on[registration_day]) == sorted(people["news"])
        assert {k for _u, k, _m in sent_on[registration_day]} == {"registration"}
    [(_u, _k, first)] = [r for r in sent_on[REGISTRATION_DAYS[0]] if r[0] == people["news"][0]]
    assert "อีก 7 วัน" in first["text"] and "31 ก.ค. 2567 เวลา 23:59 น." in first["text"]
    assert buttons(first) == [REGISTER]

    by_state = {a.state: a for a in reversed(agencies)}  # the first of each state
    expected_report = {u for a in agencies if a.state in ("nothing", "needs_fix") for u in a.coordinators}
    expected_evidence = {u for a in agencies if a.state in ("nothing", "some_types") for u in a.coordinators}
    for report_day, days_left in zip(REPORT_DAYS, (7, 3, 1), strict=True):
        got = sent_on[report_day]
        assert Counter(u for u, _k, _m in got) == Counter(expected_report)  # once each, nobody else
        assert {k for _u, k, _m in got} == {"report"}
        assert all(f"อีก {days_left} วัน" in m["text"] or f"{days_left} days" in m["text"] for _u, _k, m in got)
    for evidence_day in EVIDENCE_DAYS:
        got = sent_on[evidence_day]
        assert Counter(u for u, _k, _m in got) == Counter(expected_evidence)
        assert {k for _u, k, _m in got} == {"evidence"}

    def said(state: str, kind: str, user_index: int = 0) -> dict:
        user = by_state[state].coordinators[user_index]
        return next(m for k, m in reminders_to(fake_line, user) if k == kind)

    nothing = said("nothing", "report")
    assert t("reminders.no_report_report", "th") in nothing["text"]  # a report before 2567 does not count
    assert "31 ส.ค. 2567 เวลา 23:59 น." in nothing["text"] and buttons(nothing) == [START_REPORT]
    fix = by_state["needs_fix"]
    fix_th = said("needs_fix", "report")
    assert t("reminders.needs_fix", "th", refs=fix.refs["needs_fix"][0]) in fix_th["text"]
    assert t("reminders.no_report_report", "th") not in fix_th["text"]
    assert buttons(fix_th) == [MY_REPORTS]
    fix_en = said("needs_fix", "report", 1)  # the second coordinator reads English
    assert t("reminders.needs_fix", "en", refs=fix.refs["needs_fix"][0]) in fix_en["text"]
    assert "31 Aug 2024" in fix_en["text"]
    photos = said("some_types", "evidence")
    assert (
        t("reminders.without_photos", "th", refs=by_state["some_types"].refs["without_photos"][0])
        in (photos["text"])
    )
    assert "15 ก.ย. 2567 เวลา 16:30 น." in photos["text"] and buttons(photos) == [MY_REPORTS]
    for state in ("done", "pending", "rejected"):
        for agency in (a for a in agencies if a.state == state):
            assert reminders_to(fake_line, agency.coordinators[0]) == []


def test_running_again_or_two_planners_at_once_send_each_reminder_once(calendar_app, db, clock, fake_line):
    agencies = seed(db, 12)
    missing = [u for a in agencies if a.state in ("nothing", "needs_fix") for u in a.coordinators]
    assert run_day(calendar_app, clock, REPORT_DAYS[0]) == len(missing)
    assert run_day(calendar_app, clock, REPORT_DAYS[0]) == 0  # a restarted clock runs it again
    clock.bangkok(REPORT_DAYS[1], 9, 1)
    written, rt = [], runtime(calendar_app)
    racers = [threading.Thread(target=lambda: written.append(run_once(rt, "reminders"))) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    rt.outbox.send_due()
    assert sorted(written) == [0, len(missing)]
    assert Counter(u for u in missing for _ in reminders_to(fake_line, u)) == Counter({u: 2 for u in missing})


def test_a_late_run_sends_only_the_latest_reminder_due_and_never_plans_in_quiet_hours(
    calendar_app, db, clock, fake_line
):
    agencies = seed(db, 6)
    [user] = next(a for a in agencies if a.state == "nothing").coordinators
    caught_up = next(a for a in agencies if a.state == "needs_fix").coordinators
    lacking = [u for a in agencies if a.state in ("nothing", "needs_fix") for u in a.coordinators]
    # The clock was down on days -7 and -3 and comes back at 22:00 on day -2: quiet hours, so it
    # plans nothing (a reminder held until morning would land an hour before the next one).
    assert run_day(calendar_app, clock, date(2024, 8, 29), hour=22) == 0
    clock.bangkok(date(2024, 8, 30), 7, 59)
    assert run_once(runtime(calendar_app), "reminders") == 0
    # Overnight, one agency sends its fixed report back.
    with db.begin() as session:
        session.execute(update(Report).where(Report.status == "needs_fix").values(status="submitted"))
    assert [reminders_to(fake_line, u) for u in [user, *caught_up]] == [[]] * 3
    # 08:00, the first hour after quiet hours: the latest reminder due (3 days before), from the
    # status now, saying how many days are left today; the agency that caught up gets nothing.
    assert run_day(calendar_app, clock, date(2024, 8, 30), hour=8) == len(lacking) - len(caught_up) == 1
    [(kind, message)] = reminders_to(fake_line, user)
    assert kind == "report" and "อีก 1 วัน" in message["text"]
    run_day(calendar_app, clock, date(2024, 8, 30))  # 09:00: the 1-day reminder is its own
    run_day(calendar_app, clock, date(2024, 8, 30), hour=10)  # later runs that day: nothing new
    run_day(calendar_app, clock, date(2024, 9, 1))  # past the deadline: nothing more
    assert [k for k, _m in reminders_to(fake_line, user)] == ["report", "report"]
    assert [reminders_to(fake_line, u) for u in caught_up] == [[]] * 2


def test_quiet_hours_ending_after_nine_delay_reminders_to_their_end(make_app, settings, db, clock, fake_line):
    app = make_app(dataclasses.replace(settings, quiet_hours="21:00-10:30"), clock=clock)
    with runtime(app).session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    agencies = seed(db, 6)
    [user] = next(a for a in agencies if a.state == "nothing").coordinators
    for hour in (9, 10):
        assert run_day(app, clock, REPORT_DAYS[0], hour=hour) == 0
    assert run_day(app, clock, REPORT_DAYS[0], hour=11) == 3
    [(kind, message)] = reminders_to(fake_line, user)
    assert kind == "report" and "อีก 7 วัน" in message["text"]


def test_coordinator_and_missing_segments_reach_the_agencies_that_still_owe_work(calendar_app, db):
    agencies = seed(db, 6)
    people = subscribers(db)
    coordinators = {u for a in agencies if a.state not in ("pending", "rejected") for u in a.coordinators}
    [blocked] = agencies[1].coordinators  # "nothing": blocked the account since
    with db.begin() as session:
        UserRepository(session).mark_blocked(blocked, NOW)

    def reached(segment: str, post: str = "how-to-report") -> set[str]:
        with db.begin() as session:
            audience = audience_for(session, post, segment, NOW)
        return {u for ids in audience.by_language.values() for u in ids}

    assert reached("coordinators") == coordinators - {blocked}
    assert not reached("coordinators") & set(people["news"])
    by_state = {a.state: a for a in agencies}
    assert reached("missing:report") == set(by_state["needs_fix"].coordinators)
    assert reached("missing:evidence") == set(by_state["some_types"].coordinators)
    # News only to those who opted in: the English coordinator was never asked.
    assert reached("missing:report", "results-at-tcac") == {by_state["needs_fix"].coordinators[0]}
    with pytest.raises(OutreachError, match="no agency deadline kind"):
        reached("missing:registration")


def test_the_campaign_file_can_choose_other_reminder_days(calendar_app, db, clock, fake_line):
    agencies = seed(db, 2)
    [user] = agencies[1].coordinators  # "nothing"
    text = EXAMPLE_CAMPAIGN.read_text("utf-8").replace(
        'label_en = "Activity figures due"', 'label_en = "Activity figures due"\nremind_days = [10, 2]'
    )
    with db.begin() as session:
        assert load_campaign(session, text, NOW).changed
        broken = load_campaign(session, text.replace("[10, 2]", "[0, 2, 2]"), NOW)
    assert [p.message for p in broken.problems] == [
        "deadlines: remind_days must be a list of different whole days from 1 to 60"
    ]
    assert broken.problems[0].line == text.splitlines().index("remind_days = [10, 2]") + 1
    for day in (date(2024, 8, 21), date(2024, 8, 24), date(2024, 8, 29), date(2024, 8, 30)):
        run_day(calendar_app, clock, day)
    reminded = [m["text"] for k, m in reminders_to(fake_line, user) if k == "report"]
    assert len(reminded) == 2 and "อีก 10 วัน" in reminded[0] and "อีก 2 วัน" in reminded[1]


def test_an_agency_that_catches_up_between_reminders_hears_no_more(calendar_app, db, clock, fake_line):
    agencies = seed(db, 6)
    fixing, idle = agencies[2], agencies[1]  # "needs_fix" and "nothing"
    run_day(calendar_app, clock, REPORT_DAYS[0])
    with db.begin() as session:
        session.execute(update(Report).where(Report.status == "needs_fix").values(status="submitted"))
    run_day(calendar_app, clock, REPORT_DAYS[1])
    assert [len(reminders_to(fake_line, u)) for u in fixing.coordinators] == [1, 1]
    assert len(reminders_to(fake_line, idle.coordinators[0])) == 2


def test_a_persons_own_lead_time_from_preferences_moves_their_first_reminder(
    calendar_app, db, clock, fake_line
):
    """Preferences ask "remind me how many days before?": 5 → 5, 3, 1 days before; 14 → 14, then
    the campaign's 7, 3, 1; a subscriber's 2 → 2, 1. Others keep the campaign's 7, 3, 1."""
    agencies = seed(db, 3)
    [idle] = agencies[1].coordinators  # "nothing"
    fixing, fixing_en = agencies[2].coordinators  # "needs_fix": Thai and English coordinators
    news, other_news = subscribers(db)["news"]
    with db.begin() as session:
        users = UserRepository(session)
        for user, days in ((idle, 5), (fixing_en, 14), (news, 2)):
            users.get_or_create(user, NOW).reminder_days = days
    days_of: dict[str, list[date]] = {u: [] for u in (idle, fixing, fixing_en, news, other_news)}
    day = date(2024, 7, 15)
    while day <= date(2024, 8, 31):
        run_day(calendar_app, clock, day)
        for user, got in days_of.items():
            got += [day] * (len(reminders_to(fake_line, user)) - len(got))
        day += timedelta(days=1)
    registration = [date(2024, 7, 29), date(2024, 7, 30)]
    assert days_of == {
        idle: [date(2024, 8, 26), *REPORT_DAYS[1:]],
        fixing: REPORT_DAYS,
        fixing_en: [date(2024, 8, 17), *REPORT_DAYS],
        news: registration,
        other_news: REGISTRATION_DAYS,
    }
    [first] = [m["text"] for k, m in reminders_to(fake_line, idle)][:1]
    assert "อีก 5 วัน" in first
    assert "14 days" in reminders_to(fake_line, fixing_en)[0][1]["text"]


def test_the_deadlines_page_gives_the_rounds_dates_and_what_the_agency_still_lacks(
    make_app, settings, fake_line
):
    # A running clock (the executor waits for events to settle), at 10:00 on 24 Aug 2567.
    clock = FakeClock()
    clock.advance(seconds=(bangkok(REPORT_DAYS[0], 10) - clock.now()).total_seconds())
    app = make_app(settings, clock=clock)
    db = runtime(app).session_factory
    with db.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, NOW)
    agencies = seed(db, 6)
    client = app.test_client()
    by_state = {a.state: a for a in agencies}

    stranger = Chat(client, fake_line)
    stranger.tap_data("a=info&k=deadlines")
    lines = stranger.text.splitlines()
    assert "ปีงบประมาณ 2567" in lines[0]
    assert "• ปิดรับลงทะเบียนหน่วยงาน: 31 ก.ค. 2567 เวลา 23:59 น. (ผ่านไปแล้ว)" in lines
    assert any(line.endswith(": 31 ส.ค. 2567 เวลา 23:59 น. (อีก 7 วัน)") for line in lines)
    assert any(line.endswith(": 15 ก.ย. 2567 เวลา 16:30 น. (อีก 22 วัน)") for line in lines)
    assert t("deadlines.reminded", "th") in stranger.text and stranger.buttons == []

    lacking = Chat(client, fake_line, by_state["nothing"].coordinators[0])
    lacking.say("กำหนดส่ง")  # typed, as the button's label
    assert lacking.text.startswith(stranger.text.split("\n\n")[0])  # the same dates
    assert t("reminders.no_report_report", "th") in lacking.text
    assert lacking.buttons == [t("reminders.button_report", "th")]
    assert lacking.button_data(lacking.buttons[0]) == START_REPORT

    fixing = Chat(client, fake_line, by_state["needs_fix"].coordinators[1])  # reads English
    fixing.say("deadlines")
    assert t("reminders.needs_fix", "en", refs=by_state["needs_fix"].refs["needs_fix"][0]) in fixing.text
    assert "• Agency registration closes: 31 Jul 2024 at 23:59 (passed)" in fixing.text.splitlines()
    assert "(7 days left)" in fixing.text and fixing.buttons == [t("reminders.button_my_reports", "en")]

    done = Chat(client, fake_line, by_state["done"].coordinators[0])
    with db.begin() as session:
        UserRepository(session).get_or_create(done.user, NOW).reminder_days = 5
    done.tap_data("a=info&k=deadlines")
    assert "ส่งครบสำหรับกำหนด" in done.text and t("reminders.no_report_report", "th") not in done.text
    assert t("deadlines.reminded_own", "th", days=5) in done.text and done.buttons == []
