"""Rich-menu images drawn with Pillow: Sarabun (from `fontpkg-sarabun`) laid out by raqm.

Thai needs complex-text layout: a tone mark above an upper vowel (ที่, ปี่) must stack above it and
marks next to tall consonants must shift; Pillow's basic layout draws them on top of each other.
So rendering refuses to run without raqm (`PIL.features.check("raqm")`) instead of drawing Thai
wrongly. Pillow's wheels carry raqm and load the system's FriBiDi (Debian: libfribidi0).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache, lru_cache

import fontpkg.pil
from PIL import Image, ImageDraw, ImageFont, features

from richmenus.definitions import Area, Page
from richmenus.icons import draw_icon
from richmenus.rules import check_image

FONT_FAMILY = "Sarabun"

# Colours: dark text on white cells, white on the dark-green band. test_render checks every pair
# against WCAG's contrast ratios.
WHITE = (255, 255, 255)
INK = (20, 38, 29)  # Thai labels
INK_SOFT = (55, 75, 65)  # English labels
GREEN = (6, 86, 62)  # band, active tab
TAB_IDLE = (222, 233, 227)  # inactive tab
GRID = (196, 212, 203)

# Type sizes in px of the 2,500 px wide image: LINE shows it about 360 dp wide on a phone, so
# 96 px ≈ 14 dp, the size of body text in LINE's own chat.
THAI_SIZE, THAI_MIN = 96, 72
ENGLISH_SIZE, ENGLISH_MIN = 54, 44
BAND_THAI_SIZE, BAND_ENGLISH_SIZE = 88, 48


class RaqmMissing(RuntimeError):
    """Pillow has no raqm: Thai would be drawn with misplaced vowels and tone marks."""


def require_raqm() -> None:
    if not features.check("raqm"):
        raise RaqmMissing(
            "Pillow cannot find raqm (complex text layout), so Thai vowels and tone marks would be "
            "misplaced. Pillow's wheels include raqm but need FriBiDi from the system: "
            "apt-get install -y libfribidi0 (or libraqm0)."
        )


@cache
def font(size: int, weight: int = 700) -> ImageFont.FreeTypeFont:
    """Sarabun at `size` px with raqm layout."""
    require_raqm()
    return fontpkg.pil.truetype(FONT_FAMILY, size, weight=weight, layout_engine=ImageFont.Layout.RAQM)


def fitted(text: str, size: int, minimum: int, width: int, weight: int = 700) -> ImageFont.FreeTypeFont:
    """The largest font from `size` down to `minimum` that fits `text` in `width` px."""
    for candidate in range(size, minimum - 1, -2):
        f = font(candidate, weight)
        if f.getlength(text) <= width:
            return f
    return font(minimum, weight)


@dataclass(frozen=True)
class Rendered:
    """One page's image: the bytes to upload, their type, and the smallest type size used
    (kept for the legibility test)."""

    data: bytes
    content_type: str
    smallest_thai_px: int
    smallest_english_px: int


def _corners(area: Area) -> tuple[int, int, int, int]:
    box = area.box
    return (box.x, box.y, box.x + box.width - 1, box.y + box.height - 1)


class _Canvas:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.image = Image.new("RGB", (page.width, page.height), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.smallest_thai = THAI_SIZE
        self.smallest_english = ENGLISH_SIZE

    def text(self, xy, text, f: ImageFont.FreeTypeFont, fill, *, english: bool = False) -> None:
        # Baseline-anchored so labels in a row line up whatever marks they carry.
        self.draw.text(xy, text, font=f, fill=fill, anchor="ms")
        if english:
            self.smallest_english = min(self.smallest_english, int(f.size))
        else:
            self.smallest_thai = min(self.smallest_thai, int(f.size))

    def band(self, area: Area) -> None:
        box = area.box
        if area.tab is not None:
            background = GREEN if area.active else TAB_IDLE
            ink = WHITE if area.active else INK
            self.draw.rectangle(_corners(area), fill=background)
            thai, english = area.tab.label_th, area.tab.label_en
        else:
            assert area.cell is not None
            self.draw.rectangle(_corners(area), fill=GREEN)
            ink = WHITE
            thai, english = area.cell.label_th, area.cell.label_en
        room = box.width - 120
        centre = box.x + box.width // 2
        self.text(
            (centre, box.y + int(box.height * 0.52)),
            thai,
            fitted(thai, BAND_THAI_SIZE, THAI_MIN, room),
            ink,
        )
        self.text(
            (centre, box.y + int(box.height * 0.84)),
            english,
            fitted(english, BAND_ENGLISH_SIZE, ENGLISH_MIN, room, weight=500),
            ink,
            english=True,
        )

    def cell(self, area: Area) -> None:
        box, cell = area.box, area.cell
        assert cell is not None
        icon_size = int(min(box.height * 0.42, box.width * 0.5))
        icon = draw_icon(cell.icon, icon_size)
        left = box.x + (box.width - icon_size) // 2
        top = box.y + int(box.height * 0.12)
        self.image.paste(icon, (left, top), icon)
        room = box.width - 120
        centre = box.x + box.width // 2
        thai_font = fitted(cell.label_th, THAI_SIZE, THAI_MIN, room)
        self.text((centre, top + icon_size + int(box.height * 0.2)), cell.label_th, thai_font, INK)
        english_font = fitted(cell.label_en, ENGLISH_SIZE, ENGLISH_MIN, room, weight=500)
        self.text(
            (centre, top + icon_size + int(box.height * 0.31)),
            cell.label_en,
            english_font,
            INK_SOFT,
            english=True,
        )

    def grid(self) -> None:
        page = self.page
        areas = [a for a in page.areas() if a.cell is not None and a.box.y >= page.band_height]
        for area in areas:
            box = area.box
            if box.x > 0:
                self.draw.line((box.x, box.y + 40, box.x, box.y + box.height - 40), fill=GRID, width=4)
            if box.y > page.band_height:
                self.draw.line((box.x + 40, box.y, box.x + box.width - 40, box.y), fill=GRID, width=4)


@lru_cache(maxsize=32)
def render_page(page: Page) -> Rendered:
    """Draw `page` and encode it within LINE's rules (PNG; JPEG if the PNG were over 1 MB).
    Kept per definition: drawing takes about a second, and a sync and a linker both ask."""
    canvas = _Canvas(page)
    for area in page.areas():
        if area.box.y < page.band_height:
            canvas.band(area)
        else:
            canvas.cell(area)
    canvas.grid()
    data, content_type = _encode(canvas.image)
    areas = [area["bounds"] for area in page.rich_menu("")["areas"]]
    problems = check_image(data, content_type, areas=areas)
    if problems:
        raise ValueError(f"{page.key}: the rendered image breaks LINE's rules: {'; '.join(problems)}")
    return Rendered(data, content_type, canvas.smallest_thai, canvas.smallest_english)


def _encode(image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    # Flat colours compress well as PNG, and PNG keeps the text's edges crisp.
    image.save(out, format="PNG", optimize=True)
    if out.tell() <= 1024 * 1024:
        return out.getvalue(), "image/png"
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue(), "image/jpeg"
