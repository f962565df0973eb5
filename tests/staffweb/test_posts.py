"""The staff web's posts page: a post scheduled on the web reaches people through the clock's
"posts" job exactly as a CLI-scheduled one; cancelling stops it; refusals change nothing."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from bot.cli.clock import run_once
from bot.demo import example_round_shift
from bot.runtime import runtime
from handlers.catalog import t
from handlers.content import dated, posts
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.thaitime import format_bangkok
from storage.models import ScheduledPost, WrittenPost
from storage.models.program import AuditEntry
from tests.bot.test_posts import add_users
from tests.helpers import Chat, FakeClock
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in


@pytest.fixture
def daytime():
    """10:00 in Bangkok: outside quiet hours."""
    clock = FakeClock()
    moment = clock.now()
    clock.offset += datetime(moment.year, moment.month, moment.day, 3, 0, tzinfo=UTC) - moment
    return clock


@pytest.fixture
def app(make_app, settings, daytime):
    return make_app(settings, clock=daytime)


@pytest.fixture
def rt(app):
    return runtime(app)


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def in_an_hour(rt) -> str:
    return format_bangkok(rt.clock.now() + timedelta(hours=1))


def preview(browser, post: str, segment: str, at: str):
    return browser.get("/staff/posts", query_string={"post": post, "segment": segment, "at": at})


def schedule(browser, post: str, segment: str, at: str, token: str | None = None):
    page = preview(browser, post, segment, at).get_data(as_text=True)
    found = CSRF.search(page)
    token = found.group(1) if token is None else token
    return browser.post(
        "/staff/posts/schedule", {"post": post, "segment": segment, "at": at, "csrf_token": token}
    )


def scheduled_posts(rt) -> list[ScheduledPost]:
    with rt.session_factory() as session:
        return list(session.scalars(select(ScheduledPost).order_by(ScheduledPost.id)))


def audit_actions(rt) -> list[tuple[str, str, str]]:
    with rt.session_factory() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.actor, entry.action, entry.subject) for entry in entries]


def drain(rt) -> None:
    while run_once(rt, "outbox"):
        pass


def test_the_page_lists_the_content_files_and_the_segments(browser):
    page = browser.get("/staff/posts").get_data(as_text=True)
    for post in posts().values():
        assert dated(post).title["th"] in page  # {year} filled
    assert t("knowledge.segment.news", "th") in page and 'value="province:50"' in page
    assert "เชียงใหม่" in page and t("staffweb_posts.calendar_empty", "th") in page
    english = browser.get("/staff/posts?lang=en").get_data(as_text=True)
    assert t("staffweb_posts.title", "en") in english and posts()["how-to-join"].title["en"] in english


def test_a_preview_shows_the_post_as_line_does_and_the_quota_it_uses(rt, browser, fake_line):
    add_users(rt, 3, "a", news_opt_in=True)
    fake_line.set_quota(1000, used=100)
    response = preview(browser, "results-at-tcac", "news", in_an_hour(rt))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert t("staffweb_posts.quota.of", "th", needed="3", remaining="900", limit="1,000") in page
    assert t("staffweb_posts.recipients", "th", count="3") in page
    slot = json.loads(html.unescape(page.split('data-flex="', 1)[1].split('"', 1)[0]))
    assert slot["type"] == "flex" and slot["contents"]["type"] == "bubble"
    assert 'src="/staff/posts/flex.js"' in page and "posts.js" in page
    words = dated(posts()["results-at-tcac"]).body["th"].split("\n")[0]
    assert html.escape(words, quote=False) in page  # the words, for a browser without JavaScript
    assert browser.get("/staff/posts/flex.js").data.startswith(b"/* Draws LINE messages")
    assert str(rt.clock.now().year + 543) in page  # the time in the Buddhist era


def test_a_post_scheduled_on_the_web_reaches_people_when_the_clock_runs(rt, browser, fake_line):
    opted = add_users(rt, 3, "a", news_opt_in=True)
    add_users(rt, 2, "n")  # never opted in
    soon = format_bangkok(rt.clock.now() + timedelta(minutes=10))
    response = schedule(browser, "results-at-tcac", "news", soon)
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/posts?m=scheduled")
    [scheduled] = scheduled_posts(rt)
    assert (scheduled.post_key, scheduled.segment) == ("results-at-tcac", "news")
    assert scheduled.status == "scheduled" and scheduled.created_by.startswith("staff:")
    assert (scheduled.created_by, "schedule_post", f"scheduled_post:{scheduled.id}") in audit_actions(rt)
    page = browser.get("/staff/posts?m=scheduled").get_data(as_text=True)
    assert t("staffweb_posts.notice.scheduled", "th") in page
    assert t("staffweb_posts.status.scheduled", "th") in page
    assert run_once(rt, "posts") == 0  # not yet
    rt.clock.advance(minutes=11)
    assert run_once(rt, "posts") == 1
    drain(rt)
    assert set(fake_line.delivery_counts("multicast")) == set(opted)
    assert set(fake_line.delivery_counts("multicast").values()) == {1}
    assert run_once(rt, "posts") == 0
    page = browser.get("/staff/posts").get_data(as_text=True)
    assert t("staffweb_posts.status.queued", "th") in page
    assert t("staffweb_posts.recipients", "th", count="3") in page


def test_cancelling_on_the_web_stops_the_post(rt, browser, fake_line):
    add_users(rt, 3, "a", news_opt_in=True)
    schedule(browser, "how-to-join", "news", in_an_hour(rt))
    [scheduled] = scheduled_posts(rt)
    token = CSRF.search(browser.get("/staff/posts").get_data(as_text=True)).group(1)
    assert browser.post(f"/staff/posts/{scheduled.id}/cancel", {"csrf_token": "forged"}).status_code == 403
    assert scheduled_posts(rt)[0].status == "scheduled"
    response = browser.post(f"/staff/posts/{scheduled.id}/cancel", {"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("m=cancelled")
    assert scheduled_posts(rt)[0].status == "cancelled"
    assert any(a[1:] == ("cancel_post", f"scheduled_post:{scheduled.id}") for a in audit_actions(rt))
    again = browser.post(f"/staff/posts/{scheduled.id}/cancel", {"csrf_token": token})
    assert again.headers["Location"].endswith("m=not_cancelled")
    rt.clock.advance(hours=2)
    assert run_once(rt, "posts") == 0
    drain(rt)
    assert fake_line.delivery_counts("multicast") == {}


def test_a_form_without_its_token_is_refused_and_nothing_is_scheduled(rt, browser):
    add_users(rt, 1, "a", news_opt_in=True)
    response = schedule(browser, "how-to-join", "news", in_an_hour(rt), token="")
    assert response.status_code == 403
    response = schedule(browser, "how-to-join", "news", in_an_hour(rt), token="forged")
    assert response.status_code == 403
    assert scheduled_posts(rt) == [] and not any(a[1] == "schedule_post" for a in audit_actions(rt))


@pytest.mark.parametrize(
    ("post", "segment", "at", "problem"),
    [
        ("no-such-post", "news", None, "post"),
        ("how-to-join", "planet:9", None, "segment"),
        ("how-to-join", "news", "tomorrow", "time"),
        ("how-to-join", "news", "2567-01-01 09:00", "time_past"),
        ("results-at-tcac", "everyone", None, "unsuitable"),
    ],
)
def test_a_choice_that_cannot_go_is_refused_in_words(rt, browser, post, segment, at, problem):
    at = at or in_an_hour(rt)
    response = preview(browser, post, segment, at)
    assert response.status_code == 400
    assert t(f"staffweb_posts.error.{problem}", "th") in response.get_data(as_text=True)
    token = CSRF.search(browser.get("/staff/posts").get_data(as_text=True)).group(1)
    form = {"post": post, "segment": segment, "at": at, "csrf_token": token}
    refused = browser.post("/staff/posts/schedule", form)
    assert refused.status_code == 400 and scheduled_posts(rt) == []


def test_a_post_over_the_months_quota_is_refused(rt, browser, fake_line):
    add_users(rt, 5, "a", news_opt_in=True)
    fake_line.set_quota(10, used=7)
    page = preview(browser, "how-to-join", "news", in_an_hour(rt)).get_data(as_text=True)
    assert t("staffweb_posts.quota.of", "th", needed="5", remaining="3", limit="10") in page
    response = schedule(browser, "how-to-join", "news", in_an_hour(rt))
    assert response.status_code == 409
    assert t("staffweb_posts.error.quota", "th") in response.get_data(as_text=True)
    assert scheduled_posts(rt) == []


def test_the_calendar_shows_the_campaigns_posts_and_its_deadline_segments(rt, browser):
    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
    waiting = [p for p in scheduled_posts(rt) if p.status == "scheduled"]
    assert waiting and all(p.created_by.startswith("campaign:") for p in waiting)
    page = browser.get("/staff/posts").get_data(as_text=True)
    for scheduled in waiting:
        assert f'id="scheduled-{scheduled.id}"' in page
    assert t("staffweb_posts.by_other", "th") in page and 'value="missing:report"' in page
    assert f"({waiting[0].segment})" in page  # the segment in words, with its spec


def write(browser, token: str | None = None, **fields):
    page = browser.get("/staff/posts").get_data(as_text=True)
    form = {
        "kind": "knowledge",
        "topic": "join",
        "title_th": "ชวนร่วมกิจกรรมปลูกต้นไม้",
        "body_th": "วันเสาร์นี้ชวนทุกหน่วยงานร่วมปลูกต้นไม้\nลงทะเบียนได้ในแชตนี้ค่ะ",
        "title_en": "",
        "body_en": "",
        "label_1": "ลงทะเบียน",
        "target_1": "ลงทะเบียนหน่วยงาน",
        "label_2": "อ่านเพิ่มเติม",
        "target_2": "https://example.org/trees",
        "segment": "news",
        "at": "",
        "csrf_token": CSRF.search(page).group(1) if token is None else token,
    }
    return browser.post("/staff/posts/write", data={**form, **fields}, content_type="multipart/form-data")


def written_rows(rt) -> list[WrittenPost]:
    with rt.session_factory() as session:
        return list(session.scalars(select(WrittenPost)))


def test_a_post_written_on_the_web_with_buttons_reaches_people(rt, browser, fake_line):
    thai = add_users(rt, 2, "a", news_opt_in=True)
    english = add_users(rt, 1, "e", news_opt_in=True, language="en")
    soon = format_bangkok(rt.clock.now() + timedelta(minutes=10))
    response = write(browser, at=soon)
    assert response.status_code == 303
    [row] = written_rows(rt)
    assert f"post=written-{row.id}" in response.headers["Location"]
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "ชวนร่วมกิจกรรมปลูกต้นไม้" in page and "https://example.org/trees" in page
    assert any(a[1:] == ("write_post", f"written_post:{row.id}") for a in audit_actions(rt))
    assert schedule(browser, f"written-{row.id}", "news", soon).status_code == 303
    rt.clock.advance(minutes=11)
    assert run_once(rt, "posts") == 1
    drain(rt)
    assert set(fake_line.delivery_counts("multicast")) == set(thai + english)
    calls = [c for c in fake_line.calls("POST", "/v2/bot/message/multicast") if c.json]
    for call in calls:  # English-speaking recipients get the Thai words: none were written
        bubble = call.json["messages"][0]["contents"]
        assert bubble["body"]["contents"][1]["text"] == "ชวนร่วมกิจกรรมปลูกต้นไม้"
        actions = [button["action"] for button in bubble["footer"]["contents"]]
        assert actions == [
            {"type": "message", "label": "ลงทะเบียน", "text": "ลงทะเบียนหน่วยงาน"},
            {"type": "uri", "label": "อ่านเพิ่มเติม", "uri": "https://example.org/trees"},
        ]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title_th": ""}, "missing"),
        ({"body_th": "ก" * 1201}, "long"),
        ({"target_2": "http://example.org"}, "uri"),
        ({"label_1": "ป" * 21}, "button"),
        ({"label_3": "", "target_3": "คำที่ไม่มีชื่อปุ่ม"}, "button"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_a_written_post_that_cannot_be_kept_is_refused_in_words(rt, browser, fields, problem):
    response = write(browser, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert t(f"staffweb_posts.write.error.{problem}", "th") in page
    assert written_rows(rt) == []


def test_writing_without_the_token_is_refused(rt, browser):
    assert write(browser, token="").status_code == 403
    assert write(browser, token="forged").status_code == 403
    assert written_rows(rt) == []


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (640, 400), (20, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_written_posts_image_is_stored_and_sent_at_a_signed_https_address(rt, browser, fake_line):
    rt.media.base_url = "https://ruamjai.example"  # LINE opens only public HTTPS addresses
    add_users(rt, 2, "a", news_opt_in=True)
    soon = format_bangkok(rt.clock.now() + timedelta(minutes=10))
    response = write(browser, at=soon, image=(BytesIO(png()), "trees.png"))
    assert response.status_code == 303
    [row] = written_rows(rt)
    assert row.image_key.startswith("posts/") and rt.media.get(row.image_key)[:2] == b"\xff\xd8"  # JPEG
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="fallback-image"' in page and row.image_key in page
    schedule(browser, f"written-{row.id}", "news", soon)
    rt.clock.advance(minutes=11)
    assert run_once(rt, "posts") == 1
    drain(rt)
    [call] = [c for c in fake_line.calls("POST", "/v2/bot/message/multicast") if c.json]
    hero = call.json["messages"][0]["contents"]["hero"]["url"]
    assert hero.startswith(f"https://ruamjai.example/media/{row.image_key}?exp=")
    path = hero.removeprefix("https://ruamjai.example")
    assert browser.client.get(path).status_code == 200  # the signature holds for a week


def test_a_file_that_is_not_an_image_is_refused(rt, browser):
    response = write(browser, image=(BytesIO(b"not an image"), "notes.png"))
    assert response.status_code == 400
    assert t("staffweb_posts.write.error.image", "th") in response.get_data(as_text=True)
    assert written_rows(rt) == []
