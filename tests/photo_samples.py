"""Photos made with Pillow for the tests and the photo benchmark: a phone-like 12-megapixel JPEG
with EXIF orientation, capture time and GPS, and the bad inputs people (or attackers) send."""

from __future__ import annotations

import io
import random
from fractions import Fraction
from functools import cache

from PIL import ExifTags, Image, ImageDraw, ImageFilter

# Wat Arun, Bangkok: where the sample photo says it was taken.
SAMPLE_LAT, SAMPLE_LON = 13.7437, 100.4888


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600 * 1000)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds, 1000)


def scene(size: tuple[int, int], seed: int = 1) -> Image.Image:
    """A photo-like picture: sky gradient, ground, shapes, and noise a camera sensor would add
    (noise matters: it makes JPEG work about as hard as on a real photo)."""
    rng = random.Random(seed)
    width, height = size
    small = (max(8, width // 8), max(8, height // 8))
    base = Image.linear_gradient("L").resize(small).convert("RGB")
    draw = ImageDraw.Draw(base)
    draw.rectangle((0, small[1] * 2 // 3, small[0], small[1]), fill=(60 + seed % 50, 120, 40))
    for _ in range(30):
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        r = rng.randrange(2, max(3, small[0] // 10))
        color = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=color)
    picture = base.filter(ImageFilter.GaussianBlur(1)).resize(size, Image.Resampling.BILINEAR)
    # Sensor noise, from a tile made once (generating noise for 12 megapixels takes seconds).
    noise = Image.new("RGB", size)
    tile = _noise_tile()
    for x in range(0, width, tile.width):
        for y in range(0, height, tile.height):
            noise.paste(tile, (x, y))
    return Image.blend(picture, noise, 0.25)


@cache
def _noise_tile() -> Image.Image:
    return Image.merge("RGB", [Image.effect_noise((509, 509), 64) for _ in range(3)])


def phone_exif(
    *,
    orientation: int = 6,
    lat: float | None = SAMPLE_LAT,
    lon: float | None = SAMPLE_LON,
    taken: str | None = "2024:06:15 09:30:00",
    offset: str | None = "+07:00",
) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Ruamjai Test Phone"
    exif[ExifTags.Base.Orientation] = orientation
    if taken:
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        exif_ifd[ExifTags.Base.DateTimeOriginal] = taken
        if offset:
            exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    if lat is not None and lon is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _dms(lat)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _dms(lon)
    return exif


def phone_jpeg(size: tuple[int, int] = (4000, 3000), seed: int = 1, quality: int = 90, **exif) -> bytes:
    """A 12-megapixel phone JPEG by default, stored sideways (orientation 6: turn 90° clockwise
    to view), with capture time and GPS, as phones write them."""
    out = io.BytesIO()
    scene(size, seed).save(out, "JPEG", quality=quality, exif=phone_exif(**exif))
    return out.getvalue()


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def decompression_bomb_png(size: tuple[int, int] = (20_000, 10_000)) -> bytes:
    """A PNG of 200 megapixels in ~200 KB: a mode-1 image of zeros compresses to almost nothing."""
    return encoded(Image.new("1", size), "PNG")


def truncated_jpeg() -> bytes:
    data = phone_jpeg((1200, 900))
    return data[: len(data) * 2 // 3]
