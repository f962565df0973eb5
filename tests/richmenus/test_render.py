"""Rich-menu images: LINE's rules on the rendered bytes, Thai shaped by raqm, legible, contrasted."""

from __future__ import annotations

import io
import os

import fontpkg.pil
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from bot.cli import main
from bot.fakeline.richmenu_api import _image_problems
from richmenus import icons, render
from richmenus.definitions import DefinitionError, load_menus, parse_menus
from richmenus.rules import check_image

PAGES = list(load_menus().pages.values())


@pytest.fixture(scope="module")
def rendered():
    return {page.key: render.render_page(page) for page in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.key)
def test_every_rendered_image_passes_lines_rules(rendered, page):
    image = rendered[page.key]
    areas = page.rich_menu("")["areas"]
    # Checked here directly on the bytes, then by our rule check and by the fake platform's own.
    with Image.open(io.BytesIO(image.data)) as decoded:
        fmt, (width, height) = decoded.format, decoded.size
    assert (fmt, image.content_type) in (("PNG", "image/png"), ("JPEG", "image/jpeg"))
    assert 800 <= width <= 2500 and height >= 250 and width / height >= 1.45
    assert len(image.data) <= 1024 * 1024
    assert 1 <= len(areas) <= 20
    for area in areas:
        b = area["bounds"]
        assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= width and b["y"] + b["height"] <= height
    assert check_image(image.data, image.content_type, areas=[a["bounds"] for a in areas]) == []
    assert _image_problems(image.data, image.content_type) == []


def png(width: int, height: int, noise: bool = False) -> bytes:
    out = io.BytesIO()
    if noise:  # incompressible: a PNG over 1 MB
        Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, format="PNG")
    else:
        Image.new("RGB", (width, height), (0, 100, 60)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "content_type", "areas", "expected"),
    [
        (png(799, 500), "image/png", [], "width 799"),
        (png(2600, 1000), "image/png", [], "width 2600"),
        (png(1000, 249), "image/png", [], "height 249"),
        (png(1000, 700), "image/png", [], "width/height 1.429"),
        (png(2500, 1686), "image/gif", [], "not image/png"),
        (png(2500, 1686), "image/jpeg", [], "the bytes are PNG"),
        (png(2500, 843, noise=True), "image/png", [], "over 1 MB"),
        (b"not an image", "image/png", [], "not a readable image"),
        (png(2500, 843), "image/png", [{"x": 0, "y": 0, "width": 10, "height": 10}] * 21, "21 areas"),
        (png(2500, 843), "image/png", [{"x": 2000, "y": 0, "width": 600, "height": 10}], "not inside"),
    ],
)
def test_the_rule_check_catches_each_breach(data, content_type, areas, expected):
    problems = check_image(data, content_type, areas=areas)
    assert any(expected in p for p in problems), problems


def test_raqm_is_available_and_used():
    # Pillow's wheel carries raqm and loads FriBiDi from the system (Debian: libfribidi0).
    assert features.check("raqm")
    assert render.font(96).layout_engine == ImageFont.Layout.RAQM


@pytest.mark.parametrize("word", ["ที่นี่", "ผู้ประสานงาน", "เจ้าหน้าที่"])
def test_thai_with_stacked_marks_is_laid_out_by_raqm_not_the_basic_layout(word):
    ours = render.font(96)
    raqm = fontpkg.pil.truetype("Sarabun", 96, weight=700, layout_engine=ImageFont.Layout.RAQM)
    basic = fontpkg.pil.truetype("Sarabun", 96, weight=700, layout_engine=ImageFont.Layout.BASIC)
    assert ours.getbbox(word) == raqm.getbbox(word)
    assert ours.getlength(word) == raqm.getlength(word)
    assert (raqm.getbbox(word), raqm.getlength(word)) != (basic.getbbox(word), basic.getlength(word))


@pytest.mark.parametrize("word", ["ที่นี่", "เจ้าหน้าที่", "ปี่"])
def test_a_tone_mark_over_an_upper_vowel_is_lifted_above_it(word):
    # raqm stacks the tone mark above the vowel (ที่); the basic layout draws both at the same
    # height, on top of each other, so its ink starts lower.
    raqm = render.font(96)
    basic = fontpkg.pil.truetype("Sarabun", 96, weight=700, layout_engine=ImageFont.Layout.BASIC)
    assert raqm.getbbox(word)[1] < basic.getbbox(word)[1] - 10


def ink_top(text: str, f: ImageFont.FreeTypeFont) -> int:
    canvas = Image.new("L", (600, 300), 0)
    ImageDraw.Draw(canvas).text((20, 200), text, font=f, fill=255, anchor="ls")
    return canvas.getbbox()[1]


def test_the_drawn_tone_mark_sits_above_the_vowel():
    basic = fontpkg.pil.truetype("Sarabun", 96, weight=700, layout_engine=ImageFont.Layout.BASIC)
    # Same baseline: the mark of ที่ drawn by our font reaches higher than with the basic layout.
    assert ink_top("ที่", render.font(96)) < ink_top("ที่", basic) - 10


def ink_box(image: Image.Image, box: tuple[int, int, int, int], colour) -> tuple[int, int, int, int] | None:
    """Where pixels of exactly ``colour`` (a label's ink) lie inside ``box``, relative to it."""
    crop = image.crop(box)
    off = ImageChops.difference(crop, Image.new("RGB", crop.size, colour)).convert("L")
    return off.point(lambda v: 255 if v == 0 else 0).getbbox()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.key)
def test_labels_are_large_enough_to_read_on_a_phone(rendered, page):
    # Measured on the image, not taken from the renderer: each label is drawn at least as wide as at
    # the smallest size (LINE shows the 2,500 px image about 360 dp wide: 72 px ≈ 10.4 dp, 44 px ≈ 6.3 dp
    # for the English hint), and stays inside its own cell, clear of the neighbours.
    assert render.THAI_MIN >= 72 and render.ENGLISH_MIN >= 44
    with Image.open(io.BytesIO(rendered[page.key].data)) as decoded:
        image = decoded.convert("RGB")
    for area in page.areas():
        b = area.box
        box = (b.x, b.y, b.x + b.width, b.y + b.height)
        if b.y < page.band_height:  # a tab or a wide button: one colour for both lines
            colour = render.INK if area.tab is not None and not area.active else render.WHITE
            ink = ink_box(image, box, colour)
            assert ink is not None and ink[0] >= 20 and ink[2] <= b.width - 20, (page.key, area)
            continue
        assert area.cell is not None
        lines = [
            (area.cell.label_th, render.INK, render.font(render.THAI_MIN)),
            (area.cell.label_en, render.INK_SOFT, render.font(render.ENGLISH_MIN, 500)),
        ]
        for label, colour, smallest in lines:
            ink = ink_box(image, box, colour)
            left, _, right, _ = smallest.getbbox(label)
            assert ink is not None and ink[2] - ink[0] >= 0.98 * (right - left), (page.key, label)
            assert ink[0] >= 20 and ink[2] <= b.width - 20, (page.key, label)


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_are_high_contrast():
    # WCAG 2: 7:1 is "AAA" for text; 4.5:1 "AA"; 3:1 for graphics.
    assert contrast(render.INK, render.WHITE) >= 7
    assert contrast(render.INK_SOFT, render.WHITE) >= 7
    assert contrast(render.WHITE, render.GREEN) >= 7
    assert contrast(render.INK, render.TAB_IDLE) >= 7
    for colour in icons.COLOURS.values():
        assert contrast((255, 255, 255), colour) >= 4.5


def test_every_icon_named_by_a_menu_is_drawn():
    named = {cell.icon for page in PAGES for cell in page.cells}
    assert named <= set(icons.DRAWERS) and set(icons.DRAWERS) <= set(icons.COLOURS)
    for name in named:
        icon = icons.draw_icon(name, 120)
        # The pictogram shows: a good share of the disc is white.
        raw = icon.tobytes()
        white = sum(1 for i in range(0, len(raw), 4) if raw[i + 3] > 200 and min(raw[i : i + 3]) > 230)
        assert white > 120 * 120 * 0.03, name


def test_a_broken_definition_lists_every_problem():
    raw = {
        "roles": {"subscriber": "home", "coordinator": "home", "staff": "home"},
        "cells": {"x": {"label_th": "ก", "label_en": "x", "postback": "a=start&f=prefs"}},
        "pages": {
            "home": {
                "cells": ["x", "nope"],
                "tabs": [{"page": "elsewhere", "label_th": "ข", "label_en": "y"}],
            }
        },
    }
    with pytest.raises(DefinitionError) as caught:
        parse_menus(raw)
    assert "unknown cells nope" in str(caught.value)
    raw["pages"]["home"]["cells"] = ["x"] * 25
    raw["cells"]["x"]["postback"] = "do=something"
    with pytest.raises(DefinitionError) as caught:
        parse_menus(raw)
    message = str(caught.value)
    assert "unknown page 'elsewhere'" in message and "LINE allows 20" in message and "not a=start" in message


def test_preview_writes_the_images(tmp_path, capsys):
    assert main(["richmenu", "preview", str(tmp_path / "previews")]) == 0
    written = sorted(p.name for p in (tmp_path / "previews").iterdir())
    assert written == sorted(f"{page.key}.png" for page in PAGES)
    with Image.open(tmp_path / "previews" / "staff.png") as image:
        assert image.size == (2500, 1686)
    assert "staff.png" in capsys.readouterr().out
