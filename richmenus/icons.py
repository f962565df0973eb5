"""Simple icons drawn with Pillow: a white pictogram on a coloured disc.

Drawn at 4× and scaled down, because Pillow's shape drawing is not anti-aliased; coordinates are
fractions of the icon's side so every icon scales to any size. No image files to license or keep.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import fontpkg.pil
from PIL import Image, ImageDraw

SUPERSAMPLE = 4
WHITE = (255, 255, 255, 255)

# Each icon's disc colour: saturated and dark enough that white on it passes WCAG's 4.5:1.
COLOURS: dict[str, tuple[int, int, int]] = {
    "news": (29, 78, 216),
    "knowledge": (180, 83, 9),
    "results": (21, 128, 61),
    "register": (14, 116, 144),
    "help": (51, 65, 85),
    "privacy": (109, 40, 217),
    "report": (21, 128, 61),
    "agency": (14, 116, 144),
    "calendar": (185, 28, 28),
    "book": (180, 83, 9),
    "invite": (190, 24, 93),
    "settings": (51, 65, 85),
    "mydata": (109, 40, 217),
    "review": (185, 28, 28),
}


class _Pen:
    """Draws in unit coordinates (0..1 of the icon's side) on a supersampled canvas."""

    def __init__(self, draw: ImageDraw.ImageDraw, side: int, colour: tuple[int, int, int]) -> None:
        self.draw, self.side = draw, side
        self.colour = (*colour, 255)

    def p(self, *xy: float) -> list[float]:
        return [v * self.side for v in xy]

    def w(self, width: float) -> int:
        return max(1, round(width * self.side))

    def rect(self, x0, y0, x1, y1, *, fill=WHITE, radius=0.0, outline=None, width=0.0) -> None:
        self.draw.rounded_rectangle(
            self.p(x0, y0, x1, y1),
            radius=radius * self.side,
            fill=fill,
            outline=outline,
            width=self.w(width) if outline else 0,
        )

    def circle(self, cx, cy, r, *, fill=WHITE) -> None:
        self.draw.ellipse(self.p(cx - r, cy - r, cx + r, cy + r), fill=fill)

    def line(self, points: list[tuple[float, float]], width: float, fill=WHITE) -> None:
        flat = [v * self.side for point in points for v in point]
        self.draw.line(flat, fill=fill, width=self.w(width), joint="curve")
        r = width / 2  # round caps
        for x, y in (points[0], points[-1]):
            self.circle(x, y, r, fill=fill)

    def polygon(self, points: list[tuple[float, float]], fill=WHITE) -> None:
        self.draw.polygon([(x * self.side, y * self.side) for x, y in points], fill=fill)


def _news(pen: _Pen) -> None:
    pen.rect(0.27, 0.29, 0.73, 0.71, radius=0.04)
    pen.rect(0.33, 0.36, 0.48, 0.50, fill=pen.colour, radius=0.01)
    for y in (0.38, 0.46):
        pen.line([(0.53, y), (0.66, y)], 0.035, fill=pen.colour)
    for y in (0.56, 0.64):
        pen.line([(0.34, y), (0.66, y)], 0.035, fill=pen.colour)


def _knowledge(pen: _Pen) -> None:
    pen.circle(0.5, 0.43, 0.17)
    pen.rect(0.43, 0.52, 0.57, 0.64, radius=0.01)
    pen.line([(0.44, 0.68), (0.56, 0.68)], 0.035)
    pen.line([(0.46, 0.73), (0.54, 0.73)], 0.035)
    pen.line([(0.45, 0.38), (0.5, 0.47), (0.55, 0.38)], 0.03, fill=pen.colour)


def _results(pen: _Pen) -> None:
    for x, top in ((0.31, 0.54), (0.45, 0.44), (0.59, 0.31)):
        pen.rect(x, top, x + 0.1, 0.7, radius=0.015)
    pen.line([(0.27, 0.73), (0.73, 0.73)], 0.035)


def _register(pen: _Pen) -> None:
    pen.rect(0.27, 0.3, 0.55, 0.73, radius=0.02)
    for row in range(3):
        for col in range(2):
            x, y = 0.32 + col * 0.11, 0.36 + row * 0.11
            pen.rect(x, y, x + 0.07, y + 0.06, fill=pen.colour)
    pen.circle(0.64, 0.62, 0.13)
    pen.line([(0.64, 0.56), (0.64, 0.68)], 0.04, fill=pen.colour)
    pen.line([(0.58, 0.62), (0.70, 0.62)], 0.04, fill=pen.colour)


def _help(pen: _Pen) -> None:
    # The font's own question mark: a curve drawn with straight lines looked broken.
    glyph = fontpkg.pil.truetype("Sarabun", int(pen.side * 0.62), weight=800)
    pen.draw.text((pen.side * 0.5, pen.side * 0.53), "?", font=glyph, fill=WHITE, anchor="mm")


def _privacy(pen: _Pen) -> None:
    pen.polygon([(0.5, 0.24), (0.72, 0.32), (0.70, 0.52), (0.5, 0.76), (0.30, 0.52), (0.28, 0.32)])
    pen.line([(0.40, 0.5), (0.48, 0.58), (0.61, 0.42)], 0.05, fill=pen.colour)


def _report(pen: _Pen) -> None:
    pen.rect(0.31, 0.28, 0.69, 0.76, radius=0.04)
    pen.rect(0.41, 0.23, 0.59, 0.33, radius=0.03)
    pen.rect(0.45, 0.26, 0.55, 0.3, fill=pen.colour, radius=0.01)
    pen.line([(0.39, 0.53), (0.47, 0.61), (0.62, 0.44)], 0.05, fill=pen.colour)


def _agency(pen: _Pen) -> None:
    pen.polygon([(0.5, 0.24), (0.76, 0.38), (0.24, 0.38)])
    for x in (0.3, 0.42, 0.54, 0.66):
        pen.rect(x, 0.42, x + 0.05, 0.65)
    pen.rect(0.25, 0.67, 0.75, 0.74, radius=0.01)


def _calendar(pen: _Pen) -> None:
    pen.rect(0.27, 0.3, 0.73, 0.73, radius=0.04)
    pen.line([(0.29, 0.4), (0.71, 0.4)], 0.03, fill=pen.colour)
    for x in (0.38, 0.62):
        pen.line([(x, 0.25), (x, 0.33)], 0.05)
    for row in range(2):
        for col in range(3):
            x, y = 0.34 + col * 0.12, 0.47 + row * 0.12
            pen.rect(x, y, x + 0.08, y + 0.07, fill=pen.colour, radius=0.01)


def _book(pen: _Pen) -> None:
    pen.polygon([(0.24, 0.32), (0.47, 0.36), (0.47, 0.74), (0.24, 0.68)])
    pen.polygon([(0.53, 0.36), (0.76, 0.32), (0.76, 0.68), (0.53, 0.74)])
    for y in (0.45, 0.54):
        pen.line([(0.29, y - 0.02), (0.42, y)], 0.025, fill=pen.colour)
        pen.line([(0.58, y), (0.71, y - 0.02)], 0.025, fill=pen.colour)


def _person(pen: _Pen, cx: float, top: float, scale: float, fill=WHITE) -> None:
    pen.circle(cx, top + 0.1 * scale, 0.1 * scale, fill=fill)
    pen.draw.chord(
        pen.p(cx - 0.18 * scale, top + 0.23 * scale, cx + 0.18 * scale, top + 0.59 * scale),
        180,
        360,
        fill=fill,
    )


def _invite(pen: _Pen) -> None:
    _person(pen, 0.42, 0.27, 1.0)
    pen.line([(0.68, 0.36), (0.68, 0.56)], 0.05)
    pen.line([(0.58, 0.46), (0.78, 0.46)], 0.05)


def _settings(pen: _Pen) -> None:
    for i in range(8):
        angle = i * math.pi / 4
        dx, dy = math.cos(angle), math.sin(angle)
        px, py = -dy, dx
        half, inner, outer = 0.045, 0.15, 0.25
        pen.polygon(
            [
                (0.5 + dx * inner + px * half, 0.5 + dy * inner + py * half),
                (0.5 + dx * outer + px * half, 0.5 + dy * outer + py * half),
                (0.5 + dx * outer - px * half, 0.5 + dy * outer - py * half),
                (0.5 + dx * inner - px * half, 0.5 + dy * inner - py * half),
            ]
        )
    pen.circle(0.5, 0.5, 0.19)
    pen.circle(0.5, 0.5, 0.08, fill=pen.colour)


def _mydata(pen: _Pen) -> None:
    pen.rect(0.24, 0.32, 0.76, 0.68, radius=0.04)
    _person(pen, 0.37, 0.37, 0.62, fill=pen.colour)
    for y in (0.43, 0.5, 0.57):
        pen.line([(0.5, y), (0.69, y)], 0.035, fill=pen.colour)


def _review(pen: _Pen) -> None:
    pen.rect(0.29, 0.26, 0.71, 0.74, radius=0.04)
    for y in (0.37, 0.5, 0.63):
        pen.rect(0.35, y - 0.035, 0.42, y + 0.035, fill=pen.colour, radius=0.01)
        pen.line([(0.48, y), (0.64, y)], 0.035, fill=pen.colour)


DRAWERS: dict[str, Callable[[_Pen], None]] = {
    "news": _news,
    "knowledge": _knowledge,
    "results": _results,
    "register": _register,
    "help": _help,
    "privacy": _privacy,
    "report": _report,
    "agency": _agency,
    "calendar": _calendar,
    "book": _book,
    "invite": _invite,
    "settings": _settings,
    "mydata": _mydata,
    "review": _review,
}


def draw_icon(name: str, size: int) -> Image.Image:
    """An RGBA image `size` px square: the disc in the icon's colour and its white pictogram."""
    colour = COLOURS[name]
    side = size * SUPERSAMPLE
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((0, 0, side - 1, side - 1), fill=(*colour, 255))
    DRAWERS[name](_Pen(draw, side, colour))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)
