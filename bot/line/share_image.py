"""The share image of an agency's verified result: Sarabun laid out by raqm (richmenus.render's
font, which refuses to draw Thai without raqm), encoded as JPEG for LINE's image message (the
media route serves JPEG; LINE allows up to 10 MB, previews up to 1 MB)."""

from __future__ import annotations

import io
import unicodedata

from PIL import Image, ImageDraw, ImageFont

from richmenus.render import GREEN, INK, WHITE, fitted

WIDTH, HEIGHT = 1040, 1040
MARGIN = 80
LEADING_VOWELS = "เแโใไ"


def draw_share_image(title: str, agency: str, total: str, unit: str) -> bytes:
    """A square card: the title on a green band, the agency's name, its total and the unit."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    room = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, 220), fill=GREEN)
    centre = WIDTH // 2
    draw.text((centre, 150), title, font=fitted(title, 72, 40, room), fill=WHITE, anchor="ms")
    agency_font = fitted(agency, 76, 36, room, weight=600)
    draw.text((centre, 420), shortened(agency, agency_font, room), font=agency_font, fill=INK, anchor="ms")
    draw.text((centre, 680), total, font=fitted(total, 200, 80, room), fill=GREEN, anchor="ms")
    draw.text((centre, 800), unit, font=fitted(unit, 64, 36, room, weight=500), fill=INK, anchor="ms")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()


def shortened(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """`text` cut to fit `width` px with "…" at the end, never between a Thai letter and its vowel or
    tone mark (marks are Unicode category Mn), nor after a leading vowel."""
    if font.getlength(text) <= width:
        return text
    end = len(text)
    while end > 1 and font.getlength(text[:end].rstrip() + "…") > width:
        end -= 1
    while end > 1 and unicodedata.category(text[end]) == "Mn":
        end -= 1
    if end > 1 and text[end - 1] in LEADING_VOWELS:  # เ แ โ ใ ไ belong to the letter after them
        end -= 1
    return text[:end].rstrip() + "…"
