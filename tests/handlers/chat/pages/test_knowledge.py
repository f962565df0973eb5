"""Knowledge posts: the content files, and "ความรู้" in chat answering with a Flex carousel."""

from __future__ import annotations

import json
from datetime import date

import pytest

from handlers.catalog import t
from handlers.chat.pages.knowledge import MAX_CAROUSEL_BYTES, carousel
from handlers.content import ContentError, Post, dated, load_posts, posts
from tests.helpers import Chat


def test_the_shipped_posts_are_valid_and_cover_every_topic_in_thai_and_english():
    shipped = posts()
    assert {post.topic for post in shipped.values()} == {"royal", "climate", "join", "report", "results"}
    for post in shipped.values():
        assert post.title["th"] != post.title["en"] and post.body["th"] != post.body["en"]
        assert "ค่ะ" in post.body["th"]  # the bot's one polite persona


def test_a_broken_content_folder_lists_every_problem(tmp_path):
    (tmp_path / "Bad Name.toml").write_text('kind = "knowledge"\n')
    (tmp_path / "wrong-values.toml").write_text(
        'kind = "gossip"\ntopic = "sports"\nphase = "later"\npublished = "soon"\nimage = "http://x"\n'
        '[th]\ntitle = "งาน TCAC {round_year}"\nbody = ""\n'
    )
    (tmp_path / "broken.toml").write_text("kind = \n")
    with pytest.raises(ContentError) as error:
        load_posts(tmp_path)
    problems = str(error.value).splitlines()
    assert "Bad Name.toml: the file name must be lowercase letters, digits and dashes" in problems[0]
    text = str(error.value)
    for expected in (
        "wrong-values.toml: kind must be one of knowledge, news, not 'gossip'",
        "wrong-values.toml: topic must be one of",
        "wrong-values.toml: phase must be one of",
        "wrong-values.toml: published must be a date",
        "wrong-values.toml: image must be an https:// address",
        "wrong-values.toml: [th] body is missing",
        "wrong-values.toml: [en] with a title and a body is missing",
        "wrong-values.toml: [th] title: {round_year} (only {month} and {year} are filled)",
        "broken.toml: not valid TOML",
    ):
        assert expected in text
    assert len(problems) >= 10


def test_a_carousel_keeps_within_lines_limits():
    big = [
        Post(
            f"p{n}",
            "knowledge",
            "climate",
            "outreach",
            date(2024, 5, n + 1),
            None,
            {"th": f"เรื่องที่ {n}", "en": f"Post {n}"},
            {"th": "ก" * 1200 * 3, "en": "a" * 3600},
        )
        for n in range(15)
    ]
    message = carousel(big, "th")
    size = len(json.dumps(message, ensure_ascii=False).encode())
    assert size <= MAX_CAROUSEL_BYTES
    assert 1 <= len(message["contents"]["contents"]) <= 10
    assert message["altText"].startswith(t("knowledge.alt_text", "th", title="เรื่องที่ 0")[:20])


def carousel_of(chat: Chat) -> dict:
    [flex] = [m for m in chat.last if m["type"] == "flex"]
    return flex


def test_typing_knowledge_answers_with_the_latest_posts_as_a_carousel(client, fake_line):
    chat = Chat(client, fake_line)
    chat.say("ความรู้")
    flex = carousel_of(chat)
    bubbles = flex["contents"]["contents"]
    titles = [b["body"]["contents"][1]["text"] for b in bubbles]
    assert titles[0] == dated(posts()["results-at-tcac"]).title["th"]  # newest first
    assert dated(posts()["royal-environmental-work"]).title["th"] in titles
    assert len(bubbles) <= 12 and len(json.dumps(flex, ensure_ascii=False).encode()) <= 50_000
    assert flex["altText"] and len(flex["altText"]) <= 1500
    # (the fake checked the reply against LINE's schema: the fixture fails on any violation)


def test_the_knowledge_button_and_english_work_too(client, fake_line):
    chat = Chat(client, fake_line)
    chat.tap_data("a=info&k=knowledge")
    assert carousel_of(chat)["contents"]["type"] == "carousel"
    chat.say("knowledge")
    assert carousel_of(chat)["altText"] == t(
        "knowledge.alt_text", "th", title=dated(posts()["results-at-tcac"]).title["th"]
    )


def test_asking_for_knowledge_in_the_middle_of_a_flow_keeps_the_users_place(client, fake_line):
    chat = Chat(client, fake_line)
    chat.say("ตั้งค่า")
    assert t("prefs.which_language", "th") in chat.buttons
    chat.say("ความรู้")
    assert carousel_of(chat)
    # the settings question's button, still on screen above the carousel, still works
    chat.tap_data(chat.button_data(t("prefs.which_language", "th"), chat.history[-2]))
    assert t("prefs.ask_language", "th") in chat.text


def test_a_post_names_the_month_and_year_it_is_dated_in_each_language():
    from datetime import date

    tcac = posts()["results-at-tcac"]
    assert "{month}" in tcac.body["th"] and "{year}" in tcac.title["en"]  # never written out
    moved = dated(tcac, date(2027, 1, 17))
    assert moved.title == {
        "th": "ผลงานภาคีเครือข่ายในงาน TCAC 2027",
        "en": "Network partners' results at TCAC 2027",
    }
    assert "ในเดือนมกราคม 2570" in moved.body["th"] and "in January 2027." in moved.body["en"]
    assert "ในเดือนตุลาคม 2567" in dated(tcac).body["th"]  # without a campaign: its published date
