"""`/og/results.png` (and `/en/og/results.png`): the results page's share card (Open Graph image,
1200×630), so a link shared on Facebook or LINE shows the campaign's verified total, the agencies
taking part against the target and the program's name. Drawn like the rich menus (Sarabun laid
out by raqm) and kept in memory per language until the figures' `computed_at` changes; served
with an ETag and a short public cache lifetime (the figures refresh every minute).

The card carries figures and the program's name only: never a person, never an agency's name."""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass

from flask import Response, current_app, request
from PIL import Image, ImageDraw

from bot.web.public.core import language, now, public_blueprint, transaction, use_language
from handlers.catalog import t
from handlers.parsing import format_number
from handlers.services import public_results
from handlers.services.public_results import PublicFigures
from richmenus.render import GREEN, INK, WHITE, fitted

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BAND = 150  # the green band with the program's name
GOLD = (246, 195, 67)
MUTED = (91, 102, 97)
CACHE_SECONDS = 60


@dataclass(frozen=True)
class CardWords:
    """What the card says, already in one language."""

    program: str
    heading: str
    total: str
    unit: str
    agencies: str
    agencies_count: int
    target: int


def card_words(figures: PublicFigures | None, lang: str) -> CardWords:
    def say(key: str, **params: object) -> str:
        return t(key, lang, **params)

    program, heading, unit = say("public.og.program"), say("public.og.heading"), say("public.og.unit")
    if figures is None:
        return CardWords(program, heading, "0", unit, say("public.og.no_campaign"), 0, 0)
    return CardWords(
        program=program,
        heading=heading,
        total=format_number(figures.total_kg / 1000, max_decimals=2),
        unit=unit,
        agencies=say("public.og.agencies", agencies=figures.agencies, target=figures.target),
        agencies_count=figures.agencies,
        target=figures.target,
    )


def draw_card(words: CardWords) -> bytes:
    """The card as PNG: the program on a green band, the total large, agencies with a bar."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    room = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, BAND), fill=GREEN)
    draw.text(
        (MARGIN, BAND // 2), words.program, font=fitted(words.program, 52, 30, room), fill=WHITE, anchor="lm"
    )
    draw.text(
        (MARGIN, 225),
        words.heading,
        font=fitted(words.heading, 40, 26, room, weight=600),
        fill=MUTED,
        anchor="ls",
    )
    total_font = fitted(words.total, 150, 70, room * 2 // 3)
    draw.text((MARGIN, 390), words.total, font=total_font, fill=GREEN, anchor="ls")
    after = MARGIN + int(total_font.getlength(words.total)) + 24
    draw.text(
        (after, 390),
        "tCO₂e",
        font=fitted("tCO₂e", 64, 36, max(WIDTH - MARGIN - after, 120)),
        fill=INK,
        anchor="ls",
    )
    draw.text(
        (MARGIN, 450), words.unit, font=fitted(words.unit, 34, 24, room, weight=500), fill=INK, anchor="ls"
    )
    draw.text(
        (MARGIN, 540),
        words.agencies,
        font=fitted(words.agencies, 40, 26, room, weight=600),
        fill=INK,
        anchor="ls",
    )
    # Agencies against the target, as a bar.
    top, bottom = 566, 590
    draw.rounded_rectangle((MARGIN, top, WIDTH - MARGIN, bottom), radius=12, fill=(214, 221, 217))
    if words.target:
        share = min(1.0, words.agencies_count / words.target)
        if share > 0:
            right = MARGIN + max(24, int((WIDTH - 2 * MARGIN) * share))
            draw.rounded_rectangle((MARGIN, top, right, bottom), radius=12, fill=GOLD)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def post_picture(card_png: bytes) -> bytes:
    """The card on a 20:13 canvas (the shape LINE shows a post's picture in, cropping the rest):
    the green band grows upwards, white below; nothing of the card is cut."""
    card_image = Image.open(io.BytesIO(card_png)).convert("RGB")
    height = WIDTH * 13 // 20
    pad = (height - HEIGHT) // 2
    canvas = Image.new("RGB", (WIDTH, height), WHITE)
    ImageDraw.Draw(canvas).rectangle((0, 0, WIDTH, pad), fill=GREEN)
    canvas.paste(card_image, (0, pad))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


_lock = threading.Lock()


def card(figures: PublicFigures | None, lang: str) -> tuple[bytes, str]:
    """(PNG, ETag) for the figures, drawn again only when `computed_at` (or the language) changes."""
    key = (lang, figures.computed_at.isoformat() if figures else "none")
    cache = current_app.extensions.setdefault("public_share_card", {})
    with _lock:
        kept = cache.get(lang)
        if kept is not None and kept[0] == key:
            return kept[1], kept[2]
    data = draw_card(card_words(figures, lang))
    etag = hashlib.sha256(data).hexdigest()[:20]
    with _lock:
        cache[lang] = (key, data, etag)
    return data, etag


@public_blueprint.get("/og/results.png", endpoint="share_card")
@public_blueprint.get("/en/og/results.png", endpoint="share_card_en", defaults={"lang": "en"})
def share_card(lang: str = "th") -> Response:
    use_language(lang)
    with transaction() as session:
        figures = public_results.current(session, now())
    data, etag = card(figures, language())
    response = Response(data, mimetype="image/png")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response.make_conditional(request)
