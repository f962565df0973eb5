"""The photo pipeline: an evidence photo's bytes in, checked and re-encoded photos out (pure Pillow).

`process_photo(data)` refuses what is not a photo we can safely use, with a `PhotoRefused` whose
`code` is stable (the chat turns it into a catalog sentence, `photos.refused.<code>`):

- `too_large`: more bytes than the cap (the download already stops at the cap);
- `not_image`: not an image at all (a PDF, a text file); `unsupported_format`: an image, but not
  JPEG, PNG or WEBP (GIF, BMP, TIFF, …);
- `too_many_pixels`: more pixels than the cap, a decompression bomb included (Pillow's
  `DecompressionBombError`, and its warning when warnings are errors, are refusals, not crashes);
- `truncated`: the file ends early (a half-sent JPEG); `corrupt`: the data cannot be decoded.

What it keeps: the orientation applied (`ImageOps.exif_transpose`), the capture time and GPS
position read from EXIF before anything is stripped, then a display copy (≤ 1600 px) and a thumbnail
(≤ 320 px) re-encoded as JPEG without any metadata. JPEGs are decoded at a reduced scale
(`Image.draft`: libjpeg's DCT scaling), which is most of the speed and keeps memory bounded for a
12-megapixel phone photo (docs/benchmarks.md, photos). Hashes: SHA-256 of the original bytes (the
same file sent again) and a perceptual hash (the same picture re-encoded, resized or re-sent).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

# Formats we accept. MPO is how Pillow names the JPEGs many phones write (a JPEG with extra
# frames such as a depth map appended); its first frame is an ordinary JPEG.
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP")
_DRAFTABLE = {"JPEG", "MPO"}
_OPENERS = ("JPEG", "PNG", "WEBP")  # Pillow's JPEG opener is the one that hands out MPO images

# A phone's EXIF time without an offset is the phone's local time; our coordinators are in Thailand.
BANGKOK_OFFSET = timezone(timedelta(hours=7))

REFUSAL_CODES = (
    "too_large",
    "not_image",
    "unsupported_format",
    "too_many_pixels",
    "truncated",
    "corrupt",
    # Download problems (bot.line.photo_intake): the user unsent it, LINE no longer has it, or LINE
    # could not be reached.
    "gone",
    "unavailable",
)


class PhotoRefused(Exception):
    """A photo we will not keep; `code` is one of REFUSAL_CODES (stable: catalog keys use it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        assert code in REFUSAL_CODES, code
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class PhotoLimits:
    """The caps. Bytes: a 12-megapixel phone JPEG is 3-8 MB; LINE sends originals up to ~20 MB.

    Pixels: phones' default modes stay at or under 50 megapixels (200-megapixel sensors bin to
    12.5 by default). JPEGs decode at a reduced scale, so 50 megapixels costs ~9 MB of pixels;
    PNG and WEBP have no reduced-scale decoding and are capped lower (25 megapixels of RGBA is
    100 MB while it is resized).
    """

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_full_decode_pixels: int = 25_000_000
    display_px: int = 1600
    thumb_px: int = 320
    display_quality: int = 85
    thumb_quality: int = 80


@dataclass(frozen=True)
class ProcessedPhoto:
    """What the pipeline made of one photo. `width`/`height`: the original's size, upright."""

    display: bytes
    thumb: bytes
    width: int
    height: int
    sha256: str
    phash: str  # 16 hex digits: imagehash's 64-bit pHash
    captured_at: datetime | None
    gps_lat: float | None
    gps_lon: float | None
    source_format: str


def fit_within(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """`size` scaled down (never up) so that its longest side is at most `longest`."""
    width, height = size
    scale = min(1.0, longest / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def process_photo(data: bytes, limits: PhotoLimits | None = None) -> ProcessedPhoto:
    """Check, orient, read EXIF, re-encode without metadata, and hash one photo.

    Raises `PhotoRefused` for anything we will not keep; never another exception for bad input.
    """
    limits = limits or PhotoLimits()
    if len(data) > limits.max_bytes:
        raise PhotoRefused("too_large", f"{len(data)} bytes")
    try:
        image = _open(data, limits)
        captured_at, gps_lat, gps_lon = read_exif(image)
        source_format = image.format or ""
        original_size = image.size
        if source_format in _DRAFTABLE:
            # Decode at the smallest DCT scale that still covers the display size.
            image.draft("RGB", fit_within(image.size, limits.display_px))
        image.load()
        if image.mode not in ("RGB", "RGBA", "L", "LA"):  # palette, 1-bit, 16-bit, CMYK: resize smoothly
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        # Resize before turning upright: turning 1600 px costs less than turning the decoded size.
        image.thumbnail((limits.display_px, limits.display_px))
        stored_size = image.size
        ImageOps.exif_transpose(image, in_place=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused("too_many_pixels", type(exc).__name__) from None
    except OSError as exc:
        # Pillow says "image file is truncated" (or "broken data stream") for a file that ends early.
        code = "truncated" if re.search(r"truncated|broken data stream", str(exc)) else "corrupt"
        raise PhotoRefused(code, type(exc).__name__) from None
    except (SyntaxError, ValueError, EOFError) as exc:  # what Pillow's decoders raise for bad data
        raise PhotoRefused("corrupt", type(exc).__name__) from None
    # The original's size, upright: exif_transpose swapped the sides if it turned the picture.
    turned = image.size != stored_size
    width, height = original_size[::-1] if turned else original_size
    display = _rgb(image)
    # What `thumbnail` does, without the copy of the display image it would need first.
    thumb = display.resize(
        fit_within(display.size, limits.thumb_px), Image.Resampling.BICUBIC, reducing_gap=2.0
    )
    return ProcessedPhoto(
        display=_jpeg(display, limits.display_quality),
        thumb=_jpeg(thumb, limits.thumb_quality),
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        phash=perceptual_hash(thumb),
        captured_at=captured_at,
        gps_lat=gps_lat,
        gps_lon=gps_lon,
        source_format=source_format,
    )


def _open(data: bytes, limits: PhotoLimits) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=_OPENERS)
    except UnidentifiedImageError:
        raise PhotoRefused(_unidentified(data)) from None
    pixels = image.size[0] * image.size[1]
    cap = limits.max_pixels if image.format in _DRAFTABLE else limits.max_full_decode_pixels
    if pixels > cap:
        raise PhotoRefused("too_many_pixels", f"{image.size[0]}x{image.size[1]}")
    return image


def _unidentified(data: bytes) -> str:
    """An image in a format we do not take, or not an image at all?"""
    try:
        with Image.open(io.BytesIO(data)):
            return "unsupported_format"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "unsupported_format"
    except Exception:  # anything Pillow cannot even identify is not an image to us
        return "not_image"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _rgb(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparency goes onto white (a PNG logo, a screenshot with alpha)."""
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """Encode without metadata: no EXIF, no ICC profile, no comments (Pillow writes only what
    `save` is given)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


# --- EXIF -------------------------------------------------------------------------------------
def read_exif(image: Image.Image) -> tuple[datetime | None, float | None, float | None]:
    """Capture time (UTC) and GPS latitude/longitude (decimal degrees), when the photo says."""
    try:
        exif = image.getexif()
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # EXIF is a nicety: a photo with broken EXIF is still evidence
        return None, None, None
    captured_at = _capture_time(
        exif_ifd.get(ExifTags.Base.DateTimeOriginal), exif_ifd.get(ExifTags.Base.OffsetTimeOriginal)
    )
    lat = _coordinate(gps_ifd.get(ExifTags.GPS.GPSLatitude), gps_ifd.get(ExifTags.GPS.GPSLatitudeRef), 90)
    lon = _coordinate(gps_ifd.get(ExifTags.GPS.GPSLongitude), gps_ifd.get(ExifTags.GPS.GPSLongitudeRef), 180)
    if lat is None or lon is None:
        lat = lon = None
    return captured_at, lat, lon


def _capture_time(value: object, offset: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        local = datetime.strptime(value.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = BANGKOK_OFFSET
    if isinstance(offset, str):
        match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", offset.strip().rstrip("\x00"))
        if match:
            sign = 1 if match.group(1) == "+" else -1
            zone = timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    return local.replace(tzinfo=zone).astimezone(UTC)


def _coordinate(value: object, ref: object, limit: float) -> float | None:
    """EXIF (degrees, minutes, seconds) rationals and an N/S/E/W reference → signed degrees."""
    try:
        degrees, minutes, seconds = (Fraction(str(float(part))) for part in value)  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = float(degrees + minutes / 60 + seconds / 3600)
    if isinstance(ref, str) and ref.strip().upper()[:1] in ("S", "W"):
        result = -result
    return round(result, 7) if abs(result) <= limit else None


# --- perceptual hash --------------------------------------------------------------------------
def load_perceptual_hash() -> None:
    """Load imagehash, numpy and scipy (about half a second) now, by hashing a blank image: pHash
    imports scipy only on its first call. The web worker calls this as it starts, so no
    coordinator's photo waits for it; other processes never pay for it."""
    perceptual_hash(Image.new("L", (32, 32)))


def perceptual_hash(image: Image.Image) -> str:
    """imagehash's pHash (DCT of a 32×32 greyscale copy), 64 bits as 16 hex digits."""
    import imagehash  # loaded already in a web worker (load_perceptual_hash)

    return str(imagehash.phash(image))


def phash_distance(a: str, b: str) -> int:
    """Hamming distance between two 16-hex-digit perceptual hashes (0: same picture)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
