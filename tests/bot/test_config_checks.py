"""Links the bot sends need a public HTTPS address: one rule for it, and a clock that starts
without one says so in the log and tells staff once."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.config_checks import check_public_links
from bot.runtime import runtime
from handlers.catalog import t
from storage.media import public_https_base
from tests.handlers.domain_helpers import db_fixture, pushed_texts, staff  # noqa: F401 - fixture

BAD = "http://ruamjai.example.go.th"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ruamjai.example.go.th/", "https://ruamjai.example.go.th"),
        ("https://ruamjai.example.go.th/bot", "https://ruamjai.example.go.th/bot"),
        ("https://203.0.113.9", None),  # documentation range: not a public address
        ("https://8.8.8.8", "https://8.8.8.8"),
        ("http://ruamjai.example.go.th", None),
        ("https://localhost:8443", None),
        ("https://127.0.0.1", None),
        ("https://192.168.1.20", None),
        ("https://ruamjai", None),  # a bare host name resolves only inside a network
        ("https://ruamjai.example.go.th?x=1", None),
        ("", None),
        (None, None),
        ("ruamjai.example.go.th", None),
    ],
)
def test_one_rule_for_a_public_https_address(url, expected):
    assert public_https_base(url) == expected


def test_the_settings_links_address_follows_the_rule_except_in_the_demo(settings):
    assert replace(settings, public_base_url=BAD).links_base_url is None
    assert replace(settings, public_base_url="https://ruamjai.example.go.th/").links_base_url == (
        "https://ruamjai.example.go.th"
    )
    local = "http://127.0.0.1:8000"
    assert replace(settings, demo=True, public_base_url=local).links_base_url == local


@pytest.fixture(name="app")
def app_fixture(make_app, settings):
    return make_app(replace(settings, public_base_url=BAD))


def test_a_start_without_a_public_address_is_logged_and_staff_are_told_once(app, db, fake_line, caplog):
    member = staff(db)
    with caplog.at_level(logging.ERROR, logger="ruamjai"):
        assert check_public_links(runtime(app)) is False
    assert any("PUBLIC_BASE_URL" in record.getMessage() for record in caplog.records)
    told = t("common.staff_links_not_set_up", "th", configured=BAD)
    assert pushed_texts(app, fake_line, member) == [told]
    check_public_links(runtime(app))  # the clock starts again: staff are not told twice
    assert pushed_texts(app, fake_line, member) == [told]


def test_a_public_address_raises_nothing(make_app, settings, fake_line, caplog):
    app = make_app(replace(settings, public_base_url="https://ruamjai.example.go.th"))
    member = staff(runtime(app).session_factory)
    with caplog.at_level(logging.ERROR, logger="ruamjai"):
        assert check_public_links(runtime(app)) is True
    assert not caplog.records and pushed_texts(app, fake_line, member) == []
