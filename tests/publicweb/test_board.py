"""/board and /board.json through the Flask test client: the verified total and agencies from
approved reports only, a highlight's photo only where the agency agreed (as a signed link the
app serves), names only by consent, the LINE QR, headers and the no-JavaScript refresh."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.catalog import t
from handlers.parsing import format_number
from handlers.services.public_consent import set_public_consent
from tests.publicweb.board_data import approved_total_kg, private_strings, seed


@pytest.fixture(name="app")
def app_fixture(make_app, settings):
    return make_app(settings.with_(line_basic_id="@ruamjai"))


@pytest.fixture(name="seeded")
def seeded_fixture(app):
    return seed(app)


def test_the_board_shows_approved_figures_names_by_consent_and_the_line_qr(app, client, seeded):
    response = client.get("/board")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    total = approved_total_kg(app)
    shown = re.search(r'<span id="total" data-kg="([^"]+)">([^<]+)</span>', html)
    assert Decimal(shown.group(1)) == total
    assert shown.group(2) == format_number(total / 1000, max_decimals=2)
    assert '<span id="agencies">3</span>' in html and '<span id="target">30</span>' in html
    assert seeded.named_name in html and seeded.photos_name in html
    assert [private for private in private_strings(app) if private in html] == []
    # The add-friend QR code, drawn inline (no other host).
    assert "<svg" in html and "@ruamjai" in html
    assert '<meta http-equiv="refresh" content="60">' in html  # inside <noscript>
    assert "<script>" not in html and "style=" not in html
    # Styles, scripts and fonts from the app itself.
    assert all(
        link.startswith("/") for link in re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', html)
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_the_photo_is_a_signed_link_the_app_serves_only_for_the_consenting_agency(app, client, seeded):
    data = client.get("/board.json").get_json()
    photos = [item for item in data["highlights"] if item["photo"]]
    assert len(photos) == 1 and photos[0]["agency"] == seeded.photos_name
    link = urlsplit(photos[0]["photo"])
    served = client.get(f"{link.path}?{link.query}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert all(item["photo"] is None for item in data["highlights"] if item["agency"] != seeded.photos_name)
    unnamed = [item for item in data["highlights"] if item["agency"] is None]
    assert unnamed and all(item["province"] == "กรุงเทพมหานคร" for item in unnamed)


def test_the_json_gives_the_same_figures_in_both_languages(app, client, seeded):
    th, en = client.get("/board.json").get_json(), client.get("/en/board.json").get_json()
    assert Decimal(th["total_kg"]) == Decimal(en["total_kg"]) == approved_total_kg(app)
    assert th["agencies"] == en["agencies"] == 3 and th["target"] == 30
    assert th["reports_text"] == t("public.board.reports", "th", count="3")
    english = client.get("/en/board").get_data(as_text=True)
    assert t("public.board.total_heading", "en") in english and 'lang="en"' in english
    for text in (json.dumps(th, ensure_ascii=False), json.dumps(en, ensure_ascii=False), english):
        assert seeded.silent_name in private_strings(app)
        assert [private for private in private_strings(app) if private in text] == []


def test_a_withdrawn_consent_leaves_the_board_at_the_next_refresh(app, client, seeded):
    with runtime(app).session_factory.begin() as session:
        set_public_consent(session, seeded.users[1], "photos", False, runtime(app).clock.now())
        set_public_consent(session, seeded.users[0], "name", False, runtime(app).clock.now())
    assert run_once(runtime(app), "public") == 1  # the clock's next look, a few seconds later
    data = client.get("/board.json").get_json()
    assert all(item["photo"] is None for item in data["highlights"])
    html = client.get("/board").get_data(as_text=True)
    assert seeded.named_name not in html and seeded.photos_name in html
    # The figures still count every approved report.
    assert Decimal(data["total_kg"]) == approved_total_kg(app) and data["agencies"] == 3


def test_before_any_campaign_the_board_and_the_card_say_so(client):
    html = client.get("/board").get_data(as_text=True)
    assert t("public.board.no_campaign", "th") in html
    assert client.get("/board.json").get_json()["ready"] is False
    card = client.get("/og/results.png")
    assert card.status_code == 200 and card.mimetype == "image/png"
