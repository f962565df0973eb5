"""Thailand's 77 provinces as an inline SVG drawn on the server, shaded by a value per province.

The outlines come from bot/web/public/data/provinces.json (Natural Earth, public domain; derived by
docs/map/derive_provinces.py, see the README beside it), keyed by DOPA province code as geothai's.
The SVG needs nothing from outside: fills are presentation attributes (no inline styles, so the
pages' CSP holds), and each province carries a <title> with its name and value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from functools import cache
from pathlib import Path

import geothai
from markupsafe import Markup, escape

from handlers.catalog import label, t

OUTLINES = Path(__file__).parent / "data" / "provinces.json"
# Light to dark green (the pages' --green is the darkest); no value gets the neutral grey.
SHADES = ("#d4ebe0", "#9fd1b8", "#5fae8a", "#2b8160", "#06563e")
NEUTRAL = "#e3e7e5"
# The legend sits in the Gulf of Thailand, the empty lower right of the map (viewBox units).
LEGEND_X, LEGEND_Y, LEGEND_ROW, LEGEND_TEXT = 208, 496, 24, 14


@cache
def outlines() -> tuple[str, dict[str, str]]:
    """The viewBox and each province's path, read once per process."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return data["viewBox"], data["provinces"]


def _nice(value: Decimal) -> Decimal:
    """`value` rounded up to two significant figures, for the legend's bounds."""
    unit = Decimal(1).scaleb(value.adjusted() - 1)
    return ((value / unit).to_integral_value(ROUND_CEILING) * unit).normalize()


def steps(values: Mapping[str, Decimal]) -> list[Decimal]:
    """The upper bounds of the shaded steps (at most len(SHADES)), from the positive values'
    quantiles so a few large provinces do not leave the rest in one shade."""
    positive = sorted(v for v in values.values() if v > 0)
    if not positive:
        return []
    count = min(len(SHADES), len(set(positive)))
    bounds = [_nice(positive[max(0, (len(positive) * i) // count - 1)]) for i in range(1, count)]
    bounds.append(_nice(positive[-1]))
    return sorted(set(bounds))


def shade(value: Decimal | None, bounds: list[Decimal]) -> str:
    if value is None or value <= 0:
        return NEUTRAL
    for index, bound in enumerate(bounds):
        if value <= bound:
            return SHADES[index + len(SHADES) - len(bounds)]
    return SHADES[-1]


def _bound_text(value: Decimal) -> str:
    return f"{value:,f}"


def province_map_svg(values: Mapping[str, Decimal], lang: str, title: str) -> Markup:
    """The map with each province shaded by its value in `values` (tCO2e, keyed by DOPA code),
    names and the legend in `lang`; `title` names the figure for screen readers."""
    view_box, paths = outlines()
    bounds = steps(values)
    names = {p.code: label(p, lang, field="name") for p in geothai.provinces()}
    parts = []
    for code, d in paths.items():
        value = values.get(code)
        if value is not None and value > 0:
            tip = t("provincemap.province_value", lang, province=names[code], tonnes=f"{value:,.3f}")
        else:
            tip = t("provincemap.province_none", lang, province=names[code])
        parts.append(
            f'<path d="{d}" fill="{shade(value, bounds)}" data-province="{code}">'
            f"<title>{escape(tip)}</title></path>"
        )
    shaded = sorted(((v, c) for c, v in values.items() if v > 0 and c in paths), reverse=True)
    if shaded:
        top_value, top_code = shaded[0]
        top = {"top": names[top_code], "top_tonnes": f"{top_value:,.3f}"}
        aria = t("provincemap.label", lang, title=title, count=len(shaded), **top)
    else:
        aria = t("provincemap.label_empty", lang, title=title)
    # Every text put in is escaped; the paths and colours are this module's own.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" role="img" aria-label="{escape(aria)}"'
        f' class="province-map" font-family="Sarabun, sans-serif">'
        f"<title>{escape(title)}</title>"
        f'<g stroke="#ffffff" stroke-width="0.5" stroke-linejoin="round">{"".join(parts)}</g>'
        f"{_legend(bounds, lang)}</svg>"
    )


def _legend(bounds: list[Decimal], lang: str) -> str:
    rows = [(NEUTRAL, t("provincemap.legend_none", lang))]
    low = Decimal(0)
    for index, bound in enumerate(bounds):
        colour = SHADES[index + len(SHADES) - len(bounds)]
        text = t("provincemap.legend_range", lang, low=_bound_text(low), high=_bound_text(bound))
        rows.append((colour, text))
        low = bound
    out = [f'<g class="province-map-legend" font-size="{LEGEND_TEXT}" fill="#1d2521">']
    heading = escape(t("provincemap.legend", lang))
    out.append(f'<text x="{LEGEND_X}" y="{LEGEND_Y}" font-weight="700">{heading}</text>')
    for number, (colour, text) in enumerate(rows, start=1):
        y = LEGEND_Y + number * LEGEND_ROW
        out.append(
            f'<rect x="{LEGEND_X}" y="{y - 13}" width="18" height="16" fill="{colour}" stroke="#8a9690"'
            f' stroke-width="0.5"/><text x="{LEGEND_X + 26}" y="{y}">{escape(text)}</text>'
        )
    out.append("</g>")
    return "".join(out)
