"""The photo pipeline on real Pillow with generated photos: what is kept, what is refused and why."""

from __future__ import annotations

import hashlib
import io
import warnings
from datetime import UTC, datetime
from functools import cache

import pytest
from PIL import Image, ImageEnhance

from storage.photos import PhotoLimits, PhotoRefused, phash_distance, process_photo
from tests.photo_samples import (
    SAMPLE_LAT,
    SAMPLE_LON,
    decompression_bomb_png,
    encoded,
    phone_jpeg,
    scene,
    truncated_jpeg,
)


@cache
def twelve_megapixels() -> bytes:
    return phone_jpeg()


def open_jpeg(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


def test_a_12_megapixel_phone_photo_is_turned_upright_read_and_re_encoded_without_metadata():
    original = twelve_megapixels()
    photo = process_photo(original)
    # Stored 4000×3000 with orientation 6 (turn 90°): the photo is 3000 wide, 4000 high.
    assert (photo.width, photo.height) == (3000, 4000)
    display, thumb = open_jpeg(photo.display), open_jpeg(photo.thumb)
    assert display.size == (1200, 1600)
    assert thumb.size == (240, 320)
    for image in (display, thumb):
        assert dict(image.getexif()) == {}  # no orientation, GPS, camera or time left
        assert "exif" not in image.info and "icc_profile" not in image.info
    # Taken 09:30 in Thailand (+07:00).
    assert photo.captured_at == datetime(2024, 6, 15, 2, 30, tzinfo=UTC)
    assert photo.gps_lat == pytest.approx(SAMPLE_LAT, abs=1e-4)
    assert photo.gps_lon == pytest.approx(SAMPLE_LON, abs=1e-4)
    assert photo.sha256 == hashlib.sha256(original).hexdigest()
    assert len(photo.phash) == 16 and int(photo.phash, 16) >= 0
    assert photo.source_format == "JPEG"


def test_the_picture_really_is_turned_not_just_relabelled():
    # A sideways-stored picture whose left half is black: upright, the TOP half is black.
    stored = Image.new("RGB", (800, 600), "white")
    stored.paste((0, 0, 0), (0, 0, 400, 600))
    from tests.photo_samples import phone_exif

    photo = process_photo(encoded(stored, "JPEG", exif=phone_exif(orientation=6)))
    upright = open_jpeg(photo.display).convert("L")
    assert upright.size == (600, 800)
    assert upright.getpixel((300, 100)) < 40 and upright.getpixel((300, 700)) > 215


def test_capture_time_without_offset_is_taken_as_thai_time_and_gps_may_be_absent():
    data = phone_jpeg((800, 600), lat=None, lon=None, offset=None, orientation=1)
    photo = process_photo(data)
    assert photo.captured_at == datetime(2024, 6, 15, 2, 30, tzinfo=UTC)
    assert (photo.gps_lat, photo.gps_lon) == (None, None)
    assert (photo.width, photo.height) == (800, 600)


def test_southern_and_western_coordinates_are_negative():
    photo = process_photo(phone_jpeg((400, 300), lat=-33.8568, lon=-70.6483))
    assert photo.gps_lat == pytest.approx(-33.8568, abs=1e-4)
    assert photo.gps_lon == pytest.approx(-70.6483, abs=1e-4)


def test_a_photo_without_exif_is_kept_without_time_or_place():
    photo = process_photo(encoded(scene((640, 480)), "JPEG"))
    assert (photo.captured_at, photo.gps_lat, photo.gps_lon) == (None, None, None)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_transparency_goes_onto_white(fmt):
    picture = Image.new("RGBA", (500, 400), (0, 0, 0, 0))
    picture.paste((200, 0, 0, 255), (0, 0, 250, 400))
    photo = process_photo(encoded(picture, fmt))
    display = open_jpeg(photo.display).convert("RGB")
    assert display.size == (500, 400)
    assert display.getpixel((400, 200)) == pytest.approx((255, 255, 255), abs=6)
    red = display.getpixel((100, 200))
    assert red[0] > 180 and red[1] < 40
    assert photo.source_format == fmt


def test_a_file_over_the_byte_cap_is_refused():
    with pytest.raises(PhotoRefused) as refused:
        process_photo(b"\xff\xd8" + b"\0" * (30 * 1024 * 1024))
    assert refused.value.code == "too_large"


def test_a_truncated_jpeg_is_refused_as_truncated():
    with pytest.raises(PhotoRefused) as refused:
        process_photo(truncated_jpeg())
    assert refused.value.code == "truncated"


def test_a_decompression_bomb_is_refused_not_decoded():
    bomb = decompression_bomb_png()
    assert len(bomb) < 1_000_000  # 200 megapixels in a small file: the whole point of a bomb
    with pytest.raises(PhotoRefused) as refused:
        process_photo(bomb)
    assert refused.value.code == "too_many_pixels"


def test_an_image_over_our_pixel_cap_but_under_pillows_is_refused_too():
    # 30 megapixels of PNG: under Pillow's own bomb limit (89 megapixels), over our PNG cap.
    big = encoded(Image.new("L", (6000, 5000)), "PNG")
    with pytest.raises(PhotoRefused) as refused:
        process_photo(big)
    assert refused.value.code == "too_many_pixels"


def test_pillows_bomb_warning_range_is_a_refusal_whether_or_not_warnings_are_errors():
    # 100 megapixels: Pillow warns (over 89 M) rather than raising (over 179 M).
    data = encoded(Image.new("1", (10_000, 10_000)), "PNG")
    limits = PhotoLimits(max_pixels=200_000_000, max_full_decode_pixels=200_000_000)
    with pytest.raises(PhotoRefused) as refused:
        process_photo(data, limits)  # pytest turns the warning into an error
    assert refused.value.code == "too_many_pixels"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(PhotoRefused) as refused:
            process_photo(data)  # warnings ignored: our own cap refuses it
    assert refused.value.code == "too_many_pixels"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",
        "รายงานกิจกรรมเดือนมิถุนายน".encode() * 50,
        b"",
        b"\xff\xd8\xff\xe0" + b"\x00" * 10,  # a JPEG's first bytes and nothing else
    ],
    ids=["pdf", "thai-text", "empty", "jpeg-header-only"],
)
def test_what_is_not_a_photo_is_refused(data):
    with pytest.raises(PhotoRefused) as refused:
        process_photo(data)
    assert refused.value.code in ("not_image", "corrupt", "truncated")
    if not data.startswith(b"\xff\xd8"):
        assert refused.value.code == "not_image"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused_as_unsupported(fmt):
    with pytest.raises(PhotoRefused) as refused:
        process_photo(encoded(scene((200, 150)), fmt))
    assert refused.value.code == "unsupported_format"


def test_the_same_picture_re_encoded_or_resized_has_a_near_phash_and_others_do_not():
    from storage.photo_repository import PHASH_THRESHOLD

    base = scene((1600, 1200), seed=1)
    reference = process_photo(encoded(base, "JPEG", quality=92)).phash
    width, height = base.size
    same = {
        "quality 50": encoded(base, "JPEG", quality=50),
        "half size": encoded(base.resize((800, 600)), "JPEG"),
        "brighter": encoded(ImageEnhance.Brightness(base).enhance(1.15), "JPEG"),
        "3% cropped": encoded(base.crop((48, 36, width - 48, height - 36)), "JPEG"),
        "as PNG": encoded(base, "PNG"),
    }
    for name, data in same.items():
        distance = phash_distance(reference, process_photo(data).phash)
        assert distance <= PHASH_THRESHOLD, name
    for seed in range(2, 8):
        other = process_photo(encoded(scene((1600, 1200), seed=seed), "JPEG")).phash
        assert phash_distance(reference, other) > PHASH_THRESHOLD
