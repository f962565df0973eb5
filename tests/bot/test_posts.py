"""Scheduled posts: segments, opt-in and blocking, quota refusal, racing clocks, the CLI."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from bot.cli import main
from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.content import dated, posts
from handlers.services.authz import add_staff
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.outreach import OutreachError, format_bangkok, parse_bangkok_time, schedule_post
from storage.models import LineUser, OutboxMessage, ScheduledPost
from storage.outreach_repository import ScheduledPosts
from tests.helpers import FakeClock


def add_users(rt, n: int, prefix: str, **fields) -> list[str]:
    ids = [f"U{prefix}{i:031x}" for i in range(n)]
    now = rt.clock.now()
    defaults = {"language": "th", "blocked": False, "news_opt_in": False, "province_code": None}
    with rt.session_factory.begin() as session:
        session.execute(
            insert(LineUser),
            [{**defaults, **fields, "line_user_id": user_id, "created_at": now} for user_id in ids],
        )
    return ids


def schedule(rt, key: str, segment: str, at: datetime | None = None) -> int:
    with rt.session_factory.begin() as session:
        return schedule_post(
            session,
            post_key=key,
            segment=segment,
            at=at or rt.clock.now(),
            created_by="test",
            now=rt.clock.now(),
        ).id


def drain(rt) -> None:
    while run_once(rt, "outbox"):
        pass


STAFF = "U" + "5" * 32


def add_staff_member(rt) -> None:
    with rt.session_factory.begin() as session:
        add_staff(session, STAFF, "เจ้าหน้าที่", rt.clock.now())


def told_staff(fake_line) -> list[str]:
    """What staff read on LINE (pushes to the staff member)."""
    return [
        message["text"]
        for call in fake_line.calls("POST", "/v2/bot/message/push")
        if call.json and call.json["to"] == STAFF and call.status == 200
        for message in call.json["messages"]
    ]


@pytest.fixture
def daytime():
    """10:00 in Bangkok: outside quiet hours."""
    clock = FakeClock()
    now = clock.now()
    clock.offset += datetime(now.year, now.month, now.day, 3, 0, tzinfo=UTC) - now
    return clock


@pytest.fixture
def rt(make_app, settings, daytime):
    return runtime(make_app(settings, clock=daytime))


def test_news_reaches_only_people_who_opted_in_and_did_not_block(rt, fake_line):
    opted = add_users(rt, 1100, "a", news_opt_in=True)
    english = add_users(rt, 30, "e", news_opt_in=True, language="en")
    add_users(rt, 50, "b", news_opt_in=True, blocked=True)
    add_users(rt, 70, "n")  # never opted in
    post_id = schedule(rt, "results-at-tcac", "news")
    assert run_once(rt, "posts") == 1
    drain(rt)
    counts = fake_line.delivery_counts("multicast")
    assert set(counts) == set(opted + english) and set(counts.values()) == {1}
    calls = [c for c in fake_line.calls("POST", "/v2/bot/message/multicast") if c.json]
    assert (
        max(len(c.json["to"]) for c in calls) <= 500 and len(calls) == 4
    )  # 500 + 500 + 100 Thai, 30 English
    english_call = next(c for c in calls if c.json["to"][0] in english)
    assert english_call.json["messages"][0]["altText"].startswith("Knowledge from")
    with rt.session_factory() as session:
        scheduled = session.get(ScheduledPost, post_id)
        assert (scheduled.status, scheduled.recipients, scheduled.batches) == ("queued", 1130, 4)
        assert ScheduledPosts(session).delivery_counts(post_id) == {"sent": 4}
    assert run_once(rt, "posts") == 0  # never twice


def test_a_province_gets_knowledge_and_only_its_opted_in_people_get_news(rt, fake_line):
    chiang_mai = add_users(rt, 5, "c", province_code="50")
    chiang_mai_news = add_users(rt, 3, "d", province_code="50", news_opt_in=True)
    add_users(rt, 2, "x", province_code="50", blocked=True, news_opt_in=True)
    add_users(rt, 4, "k", province_code="40", news_opt_in=True)
    schedule(rt, "how-to-join", "province:50")
    run_once(rt, "posts")
    drain(rt)
    assert set(fake_line.delivery_counts("multicast")) == set(chiang_mai + chiang_mai_news)
    fake_line.reset()
    schedule(rt, "results-at-tcac", "province:50")
    run_once(rt, "posts")
    drain(rt)
    assert set(fake_line.delivery_counts("multicast")) == set(chiang_mai_news)


def test_everyone_is_a_broadcast_and_is_refused_for_news(rt, fake_line):
    add_users(rt, 3, "a")
    with pytest.raises(OutreachError, match="is news: a broadcast would reach people who did not opt in"):
        schedule(rt, "results-at-tcac", "everyone")
    schedule(rt, "climate-targets", "everyone")
    run_once(rt, "posts")
    drain(rt)
    [call] = fake_line.calls("POST", "/v2/bot/message/broadcast")
    assert call.status == 200 and call.json["messages"][0]["type"] == "flex"


def test_a_post_beyond_the_remaining_quota_is_refused_before_anything_is_sent(rt, fake_line):
    add_users(rt, 600, "a", news_opt_in=True)
    add_users(rt, 70, "b", news_opt_in=True, blocked=True)  # not counted: they get nothing
    add_users(rt, 80, "c")  # not opted in to news
    fake_line.set_quota(1000, used=500)
    add_staff_member(rt)
    post_id = schedule(rt, "results-at-tcac", "news")
    assert run_once(rt, "posts") == 0
    drain(rt)
    assert fake_line.calls("POST", "/v2/bot/message/multicast") == []
    [notice] = told_staff(fake_line)  # staff hear of it without having to run `post list`
    title = dated(posts()["results-at-tcac"]).title["th"]
    assert f'"{title}" ถึงกลุ่ม ผู้ที่ขอรับข่าวสาร (news) เวลา' in notice and "ต้องใช้ 600 ข้อความ" in notice
    assert "เหลือ 500 ข้อความ" in notice
    assert run_once(rt, "posts") == 0 and len(told_staff(fake_line)) == 1  # told once
    with rt.session_factory() as session:
        scheduled = session.get(ScheduledPost, post_id)
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
        assert [key for key in keys if key.startswith("post:")] == []
    assert scheduled.status == "refused"
    assert "needs 600 messages but only 500 of this month's 1,000 remain" in scheduled.note


def test_the_quota_check_counts_a_province_as_the_send_would_reach_it(rt, fake_line):
    """Exactly the people the rows would go to: the province's news subscribers who did not
    block the account. 300 fit in 300 remaining messages; with 299 left the post is refused."""
    add_users(rt, 300, "a", news_opt_in=True, province_code="10")
    add_users(rt, 40, "b", news_opt_in=False, province_code="10")
    add_users(rt, 30, "c", news_opt_in=True, province_code="10", blocked=True)
    add_users(rt, 200, "d", news_opt_in=True, province_code="50")
    fake_line.set_quota(1000, used=701)
    refused = schedule(rt, "results-at-tcac", "province:10")
    assert run_once(rt, "posts") == 0
    fake_line.set_quota(1000, used=700)
    queued = schedule(rt, "results-at-tcac", "province:10")
    assert run_once(rt, "posts") == 1
    drain(rt)
    with rt.session_factory() as session:
        assert "needs 300 messages but only 299" in session.get(ScheduledPost, refused).note
        assert session.get(ScheduledPost, queued).recipients == 300
    assert len(fake_line.delivery_counts("multicast")) == 300


def test_a_post_is_queued_once_even_when_two_clocks_race(rt, make_app, settings, daytime, fake_line):
    add_users(rt, 1200, "a", news_opt_in=True)
    other = runtime(make_app(settings, clock=daytime))
    schedule(rt, "results-at-tcac", "news")
    import threading

    results: list[int] = []
    threads = [threading.Thread(target=lambda r=r: results.append(run_once(r, "posts"))) for r in (rt, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    drain(rt)
    assert set(fake_line.delivery_counts("multicast").values()) == {1}
    assert len(fake_line.delivery_counts("multicast")) == 1200


def test_a_post_scheduled_for_later_waits_and_news_waits_out_quiet_hours(rt, daytime, fake_line):
    [user] = add_users(rt, 1, "a", news_opt_in=True)
    schedule(rt, "results-at-tcac", "news", at=daytime.now() + timedelta(hours=12))  # 22:00 Bangkok
    assert run_once(rt, "posts") == 0
    daytime.advance(hours=12, seconds=1)
    assert run_once(rt, "posts") == 1
    drain(rt)
    assert fake_line.delivery_counts() == {}  # 22:00: quiet hours
    daytime.advance(hours=10)  # 08:00 the next morning
    drain(rt)
    assert fake_line.delivery_counts() == {user: 1}


def test_a_post_the_clock_reaches_over_12_hours_late_is_missed_not_sent(rt, daytime, fake_line):
    [user] = add_users(rt, 1, "a", news_opt_in=True)
    add_staff_member(rt)
    stale = schedule(rt, "results-at-tcac", "news", at=daytime.now())  # 10:00 Bangkok
    late = schedule(rt, "how-to-report", "news", at=daytime.now() + timedelta(hours=1, seconds=2))
    daytime.advance(hours=12, seconds=1)  # the clock was down; back at 22:00:01 Bangkok
    assert run_once(rt, "posts") == 1  # the 11:00 one, 12 hours late: still goes (in the morning)
    drain(rt)
    assert fake_line.delivery_counts() == {}  # quiet hours: the post and the notice to staff wait
    daytime.advance(hours=10)
    drain(rt)
    with rt.session_factory() as session:
        missed, queued = session.get(ScheduledPost, stale), session.get(ScheduledPost, late)
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
        assert [k.split(":")[1] for k in keys if k.startswith("post:")] == [str(late)]
    assert (missed.status, queued.status) == ("missed", "queued")
    assert "Missed: due" in missed.note and "Nothing was sent" in missed.note
    [call] = fake_line.calls("POST", "/v2/bot/message/multicast")
    assert call.json["to"] == [user] and fake_line.delivery_counts("multicast") == {user: 1}
    [notice] = told_staff(fake_line)
    title = dated(posts()["results-at-tcac"]).title["th"]
    at = format_bangkok(missed.scheduled_at)
    assert f'"{title}" ถึงกลุ่ม ผู้ที่ขอรับข่าวสาร (news) เวลา {at} น. ไม่ได้ส่ง' in notice
    assert "นานเกิน 12 ชั่วโมง" in notice and "ruamjai post schedule" in notice


def test_staff_read_why_a_post_did_not_go_in_their_own_language_with_the_segment_in_words(rt, fake_line):
    """A post whose content was removed before its time is refused; the notice names the segment
    in words (and as typed, for the CLI) and points to `post list` for the reason."""
    add_users(rt, 2, "a", news_opt_in=True, province_code="50")
    with rt.session_factory.begin() as session:
        session.add(LineUser(line_user_id=STAFF, language="th", created_at=rt.clock.now()))
        load_campaign(session, EXAMPLE_CAMPAIGN, rt.clock.now())
    add_staff_member(rt)
    gone = schedule(rt, "results-at-tcac", "province:50")
    missing = schedule(rt, "how-to-report", "missing:report")
    with rt.session_factory.begin() as session:
        session.get(ScheduledPost, gone).post_key = "removed-in-a-deploy"
        session.get(ScheduledPost, missing).post_key = "removed-too"
    assert run_once(rt, "posts") == 0
    drain(rt)
    thai = told_staff(fake_line)
    assert len(thai) == 2 and fake_line.delivery_counts("multicast") == {}
    assert "ถึงกลุ่ม ผู้ติดตามในจังหวัดเชียงใหม่ (province:50) เวลา" in thai[0]
    assert "ใช้ไม่ได้แล้ว" in thai[0] and "ruamjai post list" in thai[0]
    assert 'ผู้ประสานงานของหน่วยงานที่ยังส่งไม่ครบตามกำหนด "ส่งข้อมูลผลการดำเนินกิจกรรม' in thai[1]
    assert "posts:" not in thai[0]  # the English reason stays in `post list`
    with rt.session_factory() as session:
        assert "no post 'removed-in-a-deploy'; posts:" in session.get(ScheduledPost, gone).note
        session.execute(update(LineUser).where(LineUser.line_user_id == STAFF).values(language="en"))
        session.commit()
    again = schedule(rt, "results-at-tcac", "news")
    with rt.session_factory.begin() as session:
        session.get(ScheduledPost, again).post_key = "removed-as-well"
    add_users(rt, 5, "b", news_opt_in=True)
    fake_line.set_quota(10, used=5)  # 7 are needed (fewer remain); the notices to staff still fit
    over = schedule(rt, "results-at-tcac", "news")
    run_once(rt, "posts")
    drain(rt)
    refused, over_quota = told_staff(fake_line)[-2:]
    assert "to people who opted in to news (news) at" in refused and "ruamjai post list says why" in refused
    title = dated(posts()["results-at-tcac"]).title["en"]
    assert f'"{title}" to people who opted in to news (news) at' in over_quota  # the post's own English title
    assert "it needs 7 messages" in over_quota and over != again


def test_bangkok_times_accept_buddhist_era_years_and_thai_digits():
    expected = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert parse_bangkok_time("2026-12-02 09:00") == expected
    assert parse_bangkok_time("2569-12-02 09:00") == expected
    assert parse_bangkok_time("๒๕๖๙-๑๒-๐๒ ๐๙:๐๐") == expected
    for bad in ("2569-13-02 09:00", "tomorrow", "2569-02-30 09:00"):
        with pytest.raises(OutreachError):
            parse_bangkok_time(bad)


def test_the_post_cli_schedules_lists_and_cancels(rt, fake_line, web_env, monkeypatch, capsys):
    add_users(rt, 2, "a", news_opt_in=True)
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)

    def cli(*args: str) -> subprocess.CompletedProcess:
        """`ruamjai …` run in this process (a child process per call costs seconds of imports)."""
        code = main(list(args))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    done = cli(
        "post",
        "schedule",
        "results-at-tcac",
        "--segment",
        "news",
        "--at",
        "2599-01-02 09:30",
        "--by",
        "staff1",
    )
    assert done.returncode == 0, done.stderr
    assert (
        "scheduled: results-at-tcac to news (2 recipients now) at 2599-01-02 09:30 Bangkok time"
        in done.stdout
    )
    listed = cli("post", "list").stdout
    assert "results-at-tcac\tnews\t2599-01-02 09:30\tscheduled" in listed and "by=staff1" in listed
    post_id = listed.split("\t")[0]
    assert cli("post", "cancel", post_id).stdout.strip() == f"post {post_id} cancelled"
    assert cli("post", "cancel", post_id).returncode == 1
    assert "\tcancelled\t" in cli("post", "list").stdout
    for args, message in (
        (("nope", "--segment", "news"), "no post 'nope'"),
        (("how-to-join", "--segment", "planets"), "unknown segment 'planets'"),
        (("how-to-join", "--segment", "province:99"), "no province has the code '99'"),
    ):
        refused = cli("post", "schedule", *args, "--at", "2569-12-02 09:00")
        assert refused.returncode == 1 and message in refused.stderr
    fake_line.set_quota(1, used=0)
    refused = cli("post", "schedule", "results-at-tcac", "--segment", "news", "--at", "2569-12-02 09:00")
    assert refused.returncode == 1 and "Refused: this send needs 2 messages but only 1" in refused.stderr
    assert fake_line.calls("POST", "/v2/bot/message/") == []
    assert set(posts()) >= {"results-at-tcac", "how-to-join"}
