"""The results page's share card, /og/results.png: a 1200×630 PNG drawn with Sarabun, whose drawn
words carry the verified total from approved reports, agencies against the target and the
program's name (no person, no agency); cached until the figures change."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from bot.cli.clock import run_once
from bot.runtime import runtime
from bot.web.public.share_card import HEIGHT, WIDTH, card_words
from handlers.catalog import t
from handlers.parsing import format_number
from handlers.services import public_results
from tests.publicweb.board_data import NOW, approved_total_kg, private_strings, report, seed
from tests.publicweb.test_board_browser import SHOTS

GREEN = (6, 86, 62)


@pytest.fixture(name="seeded")
def seeded_fixture(app):
    return seed(app)


def colour_share(image: Image.Image, colour: tuple[int, int, int], box: tuple[int, int, int, int]) -> float:
    """The share of pixels in `box` within a small distance of `colour`."""
    region = image.crop(box).convert("RGB")
    near = sum(
        1 for p in region.get_flattened_data() if sum(abs(a - b) for a, b in zip(p, colour, strict=True)) < 60
    )
    return near / (region.width * region.height)


def test_the_card_is_a_1200x630_png_with_the_verified_total_drawn_in_thai(app, client, seeded):
    response = client.get("/og/results.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=60" and response.headers["ETag"]
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT) == (1200, 630)
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / "og-results-th.png")
    # The green band holds white Thai letters; the total is drawn large in green below it.
    band_white = colour_share(image, (255, 255, 255), (72, 40, 1128, 110))
    assert 0.05 < band_white < 0.6, band_white
    assert colour_share(image, GREEN, (72, 250, 700, 400)) > 0.08
    # What was drawn: the total of approved reports and no name.
    with runtime(app).session_factory() as session:
        words = card_words(public_results.current(session, runtime(app).clock.now()), "th")
    assert words.total == format_number(approved_total_kg(app) / 1000, max_decimals=2)
    drawn = " ".join([words.program, words.heading, words.total, words.unit, words.agencies])
    assert words.agencies == t("public.og.agencies", "th", agencies=3, target=30)
    for name in (seeded.named_name, seeded.photos_name, *private_strings(app)):
        assert name not in drawn


def test_the_card_is_cached_until_the_figures_change_and_answers_if_none_match(app, client, seeded):
    first = client.get("/og/results.png")
    again = client.get("/og/results.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    english = client.get("/en/og/results.png")
    assert english.status_code == 200 and english.data != first.data
    Image.open(io.BytesIO(english.data)).save(SHOTS / "og-results-en.png")
    # A report approved: the figures change, and so does the card.
    with runtime(app).session_factory.begin() as session:
        report(session, seeded.users[0], "4000", when=NOW + timedelta(minutes=5))
    run_once(runtime(app), "public")  # the clock's next look
    changed = client.get("/og/results.png", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
