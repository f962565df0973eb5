"""The agency share image: Thai drawn by raqm with Sarabun, a long name shortened without breaking a
letter from its marks."""

from __future__ import annotations

import io
import unicodedata

import pytest
from PIL import Image

from bot.line.share_image import HEIGHT, WIDTH, draw_share_image, shortened
from richmenus.render import font


def test_the_image_is_a_square_jpeg():
    data = draw_share_image("ผลงานลดก๊าซเรือนกระจก", "เทศบาลตำบลที่นี่", "1,234.5", "ตันคาร์บอนไดออกไซด์เทียบเท่า")
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("JPEG", (WIDTH, HEIGHT))


@pytest.mark.parametrize("name", ["องค์การบริหารส่วนตำบลบางพลีใหญ่ที่นี่ " * 4, "เทศบาลเมืองแม่ฮ่องสอน" * 6])
def test_a_long_name_is_cut_to_fit_between_letters(name):
    f = font(36, 600)
    cut = shortened(name, f, 880)
    assert cut.endswith("…") and f.getlength(cut) <= 880
    kept = cut[:-1].rstrip()
    assert name.startswith(kept)
    after = name[len(kept)] if len(kept) < len(name) else ""
    assert unicodedata.category(after) != "Mn"  # no vowel or tone mark left behind
    assert kept[-1] not in "เแโใไ"


def test_a_name_that_fits_is_kept_whole():
    assert shortened("เทศบาลตำบลที่นี่", font(36, 600), 880) == "เทศบาลตำบลที่นี่"
