"""The results post: staff compose it on the posts page from the latest figures (the verified total
in words, agencies against the target, the share card as its picture, a button to the results
page), schedule it like any post, and it reaches each subscriber once as a Flex message LINE's
schema accepts (the fake platform checks); without a public HTTPS address it is refused politely."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.catalog import t
from handlers.parsing import format_number
from handlers.services.thaitime import format_bangkok
from storage.models import WrittenPost
from tests.bot.test_posts import add_users
from tests.helpers import Chat, FakeClock
from tests.publicweb.board_data import approved_total_kg, private_strings, seed
from tests.publicweb.test_board_browser import SHOTS
from tests.staffweb.helpers import CSRF, STAFF_USER, Browser, add_staff_member, signed_in
from tests.staffweb.test_posts import drain, schedule

BASE = "https://ruamjai.example"


@pytest.fixture
def daytime():
    """10:00 in Bangkok: outside quiet hours."""
    clock = FakeClock()
    moment = clock.now()
    clock.offset += datetime(moment.year, moment.month, moment.day, 3, 0, tzinfo=UTC) - moment
    return clock


@pytest.fixture
def app(make_app, settings, daytime):
    return make_app(settings.with_(public_base_url=BASE), clock=daytime)


@pytest.fixture
def rt(app):
    return runtime(app)


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def compose(browser):
    token = CSRF.search(browser.get("/staff/posts").get_data(as_text=True)).group(1)
    return browser.post("/staff/posts/results", {"csrf_token": token})


def written(rt) -> list[WrittenPost]:
    with rt.session_factory() as session:
        return list(session.scalars(select(WrittenPost)))


def test_the_results_post_reaches_each_subscriber_once_with_the_card_and_the_total(
    rt, app, browser, fake_line
):
    seeded = seed(app)
    subscribers = add_users(rt, 3, "a", news_opt_in=True)
    response = compose(browser)
    assert response.status_code == 303
    [row] = written(rt)
    assert f"post=written-{row.id}" in response.headers["Location"]
    tonnes = format_number(approved_total_kg(app) / 1000, max_decimals=2)
    assert f"{tonnes} ตันคาร์บอนไดออกไซด์เทียบเท่า" in row.body_th and "3 หน่วยงาน (เป้าหมาย 30" in row.body_th
    assert f"{tonnes} tonnes" in row.body_en
    picture = Image.open(io.BytesIO(rt.media.get(row.image_key)))
    assert picture.format == "PNG" and picture.size == (1200, 780)  # the card, in LINE's 20:13 hero
    SHOTS.mkdir(parents=True, exist_ok=True)
    picture.save(SHOTS / "results-post-picture.png")
    for private in (seeded.named_name, *private_strings(app)):
        assert private not in row.body_th + row.body_en + row.title_th + row.title_en

    soon = format_bangkok(rt.clock.now() + timedelta(minutes=10))
    assert schedule(browser, f"written-{row.id}", "news", soon).status_code == 303
    rt.clock.advance(minutes=11)
    assert run_once(rt, "posts") == 1
    drain(rt)
    assert run_once(rt, "posts") == 0  # nothing more to send
    drain(rt)
    counts = fake_line.delivery_counts("multicast")
    # The seeded coordinators asked for news at registration: subscribers too.
    assert set(counts) == set(subscribers + seeded.users) and set(counts.values()) == {1}
    [call] = [c for c in fake_line.calls("POST", "/v2/bot/message/multicast") if c.json]
    bubble = call.json["messages"][0]["contents"]
    hero = bubble["hero"]["url"]
    assert hero.startswith(f"{BASE}/media/{row.image_key}?exp=")
    served = browser.client.get(hero.removeprefix(BASE))
    assert served.status_code == 200 and served.mimetype == "image/png"
    [button] = [b["action"] for b in bubble["footer"]["contents"]]
    assert button == {"type": "uri", "label": t("staffweb_posts.results.button", "th"), "uri": f"{BASE}/"}


def test_without_a_public_https_address_it_is_refused_politely(make_app, settings, fake_line, daytime):
    app = make_app(settings.with_(public_base_url=None), clock=daytime)
    seed(app)
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    response = compose(browser)
    assert response.status_code == 400
    assert t("staffweb_posts.results.error.no_https", "th") in response.get_data(as_text=True)
    assert written(runtime(app)) == []


def test_the_cli_writes_the_same_post_and_refuses_without_https(rt, app, web_env, monkeypatch, capsys):
    from bot.cli.root import main

    seed(app)
    for name, value in web_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    assert main(["post", "results"]) == 1
    assert "no public HTTPS address" in capsys.readouterr().err
    assert written(rt) == []
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    assert main(["post", "results"]) == 0
    [row] = written(rt)
    assert f"results post written-{row.id} written" in capsys.readouterr().out
    assert row.created_by == "cli" and row.image_key.endswith(".png")
