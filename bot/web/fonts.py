"""Sarabun, from the fontpkg-sarabun package, served by the app itself (no font host): Thai set the
same on every machine, for the staff web and the public pages alike."""

from __future__ import annotations

from functools import cache

import fontpkg
from flask import Response, abort

FONT_WEIGHTS = (400, 700)


def font_response(weight: int) -> Response:
    if weight not in FONT_WEIGHTS:
        abort(404)
    response = Response(_font_bytes(weight), mimetype="font/ttf")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _font_bytes(weight: int) -> bytes:
    return fontpkg.path("Sarabun", weight).read_bytes()
