"""LINE's rules for a rich-menu image, checked on the bytes that will be uploaded.

Source: LINE Messaging API reference, "Upload rich menu image" (shared/domain/LINE.md, "Rich
menus"): JPEG or PNG, width 800–2,500 px, height ≥ 250 px, width/height ≥ 1.45, ≤ 1 MB, and at most
20 tappable areas, all inside the image.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

MAX_BYTES = 1024 * 1024
MIN_WIDTH, MAX_WIDTH = 800, 2500
MIN_HEIGHT = 250
MIN_ASPECT = 1.45
MAX_AREAS = 20
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def check_image(data: bytes, content_type: str, *, areas: Sequence[dict] = ()) -> list[str]:
    """Every rule `data` breaks (empty when LINE would accept it). `areas` are the rich menu's
    area bounds ({x, y, width, height}); each must lie inside the decoded image."""
    problems: list[str] = []
    if content_type not in FORMATS.values():
        problems.append(f"type {content_type!r} is not image/png or image/jpeg")
    if len(data) > MAX_BYTES:
        problems.append(f"{len(data):,} bytes, over 1 MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
    except Exception:  # Pillow raises several types on garbage
        return [*problems, "not a readable image"]
    if FORMATS.get(fmt or "") != content_type:
        problems.append(f"the bytes are {fmt}, not {content_type}")
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        problems.append(f"width {width} px outside {MIN_WIDTH}–{MAX_WIDTH}")
    if height < MIN_HEIGHT:
        problems.append(f"height {height} px under {MIN_HEIGHT}")
    if height and width / height < MIN_ASPECT:
        problems.append(f"width/height {width / height:.3f} under {MIN_ASPECT}")
    if len(areas) > MAX_AREAS:
        problems.append(f"{len(areas)} areas, over {MAX_AREAS}")
    for bounds in areas:
        x, y, w, h = bounds["x"], bounds["y"], bounds["width"], bounds["height"]
        if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > width or y + h > height:
            problems.append(f"area at ({x}, {y}) size {w}×{h} is not inside the {width}×{height} image")
    return problems
