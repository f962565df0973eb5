"""The demo tells one story: the example round is named for the year its dates fall in, its posts
date themselves from it, one seeded agency still owes a report (so time travel brings it a
reminder), and someone registering after the round's registration closed is told so."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.cli.clock import run_once
from bot.demo import seed, seed_steps
from bot.demo_data import EXAMPLE_AGENCIES, coordinator_id
from bot.runtime import runtime
from handlers.catalog import t
from handlers.content import MONTHS
from handlers.services.campaigns import active_campaign
from handlers.services.thaitime import BANGKOK, fiscal_year_be, thai_date
from tests.helpers import Chat, FakeClock

TODAY = date(2026, 12, 7)  # the demo is started on this day (ธ.ค. 2569)


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    """Real time moved to 10:00 on TODAY in Bangkok, still running (the webhook needs it to)."""
    clock = FakeClock()
    start = datetime.combine(TODAY, time(10, 0), BANGKOK).astimezone(UTC)
    clock.advance(seconds=(start - clock.now()).total_seconds())
    return clock


@pytest.fixture(name="demo")
def demo_fixture(make_app, settings, clock, tmp_path):
    app = make_app(settings, clock=clock)
    seed(
        runtime(app),
        tmp_path / "demo-seed.json",
        fresh_database=False,
        steps=seed_steps(app.extensions["simulator"]),
    )
    return app


def test_the_round_is_named_for_the_year_its_dates_fall_in(demo, clock):
    with runtime(demo).session_factory() as session:
        campaign = active_campaign(session, clock.now())
        report_due = next(d for d in campaign.deadlines if d.kind == "report").due_at.astimezone(BANGKOK)
        phases = {p.key: p for p in campaign.phases}
        names = [campaign.name_th, campaign.name_en, *(p.name_th for p in phases.values())]
        year, slug, name_th = campaign.year_be, campaign.slug, campaign.name_th
        tcac = phases["4.3"]
        tcac_name, tcac_year = tcac.name_en, tcac.starts_on.year
    # Ten days before the report deadline, in fiscal year 2570 (1 Oct 2569 – 30 Sep 2570).
    assert (report_due.date() - TODAY).days == 10
    assert year == fiscal_year_be(report_due.date()) == 2570
    assert name_th.endswith("ปีงบประมาณ 2570") and slug == "ruamjai-2570"
    assert not any("2567" in name or "2024" in name for name in names)
    assert f"TCAC {tcac_year}" in tcac_name


def test_the_knowledge_cards_date_tcac_from_the_round(demo, clock, fake_line):
    with runtime(demo).session_factory() as session:
        campaign = active_campaign(session, clock.now())
        tcac = next(p for p in campaign.phases if p.key == "4.3").starts_on
    chat = Chat(demo.test_client(), fake_line)
    chat.say("ความรู้")
    card = next(m for m in chat.last if m["type"] == "flex")
    shown = str(card["contents"])
    month = MONTHS["th"][tcac.month - 1]
    assert tcac.year == 2027  # the program's October 2024 (2567), moved with the round
    assert f"TCAC {tcac.year}" in shown and f"ในเดือน{month} {tcac.year + 543}" in shown
    assert "2567" not in shown.replace("28 กรกฎาคม 2567", "")  # the King's birthday is a fact, not the round
    assert "TCAC 2024" not in shown


def test_a_week_of_time_travel_reminds_the_agency_that_owes_a_report(demo, clock):
    rt, world = runtime(demo), demo.extensions["simulator"]
    nan = next(example for example in EXAMPLE_AGENCIES if example.approved and not example.reports)
    owing = coordinator_id(nan)
    rt.outbox.send_due()

    def bot_texts() -> list[str]:
        return [e["message"].get("text", "") for e in world.transcript(owing) if e["from"] == "bot"]

    before = len(bot_texts())
    clock.advance(days=7)  # the simulator's "+7 days"
    run_once(rt, "reminders")
    rt.outbox.send_due()
    [reminder] = bot_texts()[before:]
    assert "เทศบาลเมืองน่าน" in reminder and "อีก 3 วัน" in reminder


def test_registering_after_registration_closed_is_told_it_is_late(demo, clock, fake_line):
    with runtime(demo).session_factory() as session:
        campaign = active_campaign(session, clock.now())
        due = {d.kind: d.due_at for d in campaign.deadlines}
    assert due["registration"] < clock.now() < due["report"]
    chat = Chat(demo.test_client(), fake_line)
    chat.say("ลงทะเบียนหน่วยงาน")
    late = t(
        "register.late",
        "th",
        closed=thai_date(due["registration"], "th"),
        report=thai_date(due["report"], "th"),
    )
    assert chat.texts[0].startswith(late) and t("register.ask_name", "th") in chat.text


def test_a_scheduled_post_goes_out_with_the_rounds_dates(demo, clock):
    import json

    from sqlalchemy import select

    from handlers.services.outreach import queue_post
    from storage.models import OutboxMessage, ScheduledPost

    rt = runtime(demo)
    with rt.session_factory.begin() as session:
        post = session.scalars(select(ScheduledPost).where(ScheduledPost.post_key == "results-at-tcac")).one()
        assert post.scheduled_at.astimezone(BANGKOK).year == 2027
        assert queue_post(session, post.id, clock.now()) is not None
    with rt.session_factory() as session:
        sent = [json.loads(row.payload) for row in session.scalars(select(OutboxMessage))]
    texts = json.dumps(sent, ensure_ascii=False)
    assert "TCAC 2027" in texts and "TCAC 2024" not in texts


def test_the_news_page_runs_through_the_rounds_own_phases(demo, clock, fake_line):
    with runtime(demo).session_factory() as session:
        campaign = active_campaign(session, clock.now())
        phases = [(p.name_th, p.starts_on) for p in campaign.phases]
    chat = Chat(demo.test_client(), fake_line)
    chat.tap_data("a=info&k=news")
    assert "ปีงบประมาณ 2570" in chat.text and "2567" not in chat.text
    assert all(name in chat.text for name, _starts in phases)
    assert f"ม.ค. {phases[2][1].year + 543}" in chat.text  # the TCAC phase, January 2570
