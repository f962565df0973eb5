"""The results page at / (Thai) and /en: the active campaign's verified figures from the public
figures service (handlers/services/public_results.py, cached), the province map and a monthly
timeline drawn on the server, the agencies that agreed to be named, how figures are computed, the
open data and the LINE account. No sign-in, no JavaScript, nothing from other hosts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Response, current_app, url_for
from markupsafe import Markup, escape

import calc
from bot.runtime import runtime
from bot.web.public.core import line_account, now, page, public_blueprint, transaction, use_language
from bot.web.public.province_map import province_map_svg
from handlers.catalog import default_catalog, label, t
from handlers.parsing.periods import EN_MONTHS_ABBR, TH_MONTHS_ABBR
from handlers.services import public_results
from handlers.services.agencies import province_name
from handlers.services.factor_catalog import dataset_versions
from handlers.services.less_workbook import t_co2e as tonnes
from handlers.services.reports import factor_table
from handlers.services.thaitime import buddhist_year, thai_date

# Browsers and shared caches may keep the page this long: the figures refresh each minute anyway.
CACHE_CONTROL = "public, max-age=30"
TIMELINE_WIDTH, TIMELINE_HEIGHT, BAR_AREA = 640, 240, 180


def tonnes_text(kg: Decimal) -> str:
    return f"{tonnes(kg):,.3f}"


@dataclass(frozen=True)
class Line:
    """One row of a table on the page."""

    name: str
    reports: int
    tonnes: str
    share: int  # percent of the largest row, for the bar beside it
    waiting: int = 0  # reports waiting for an emission factor


def _lines(rows: list[tuple[str, int, Decimal]], waiting: tuple[int, ...] = ()) -> list[Line]:
    largest = max((kg for _, _, kg in rows), default=Decimal(0))
    return [
        Line(name, reports, tonnes_text(kg), int(kg * 100 / largest) if largest > 0 else 0, wait)
        for (name, reports, kg), wait in zip(rows, waiting or (0,) * len(rows), strict=True)
    ]


def _activity_name(key: str, lang: str) -> str:
    try:
        return label(calc.activity_type(key), lang)
    except calc.InputError:
        return key


def _month_label(year: int, month: int, lang: str) -> str:
    shown = buddhist_year(year) % 100 if lang == "th" else year % 100
    return t(
        "results.timeline.month",
        lang,
        month=(TH_MONTHS_ABBR if lang == "th" else EN_MONTHS_ABBR)[month - 1],
        year=f"{shown:02d}",
    )


def timeline_svg(months: tuple[public_results.MonthLine, ...], lang: str) -> Markup:
    """Verified tCO2e by month as bars, Buddhist-era months in Thai; a title for screen readers."""
    title = escape(t("results.timeline.title", lang))
    if not months:
        return Markup("")
    largest = max(line.kg for line in months) or Decimal(1)
    step = TIMELINE_WIDTH / len(months)
    bar = min(step * 0.7, 60)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {TIMELINE_HEIGHT}" role="img" '
        f'aria-labelledby="timeline-title"><title id="timeline-title">{title}</title>',
        f'<line x1="0" y1="{BAR_AREA + 0.5}" x2="{TIMELINE_WIDTH}" y2="{BAR_AREA + 0.5}" class="axis"/>',
    ]
    for index, line in enumerate(months):
        height = float(line.kg / largest) * (BAR_AREA - 30) if line.kg > 0 else 0
        x = index * step + (step - bar) / 2
        month = escape(_month_label(line.year, line.month, lang))
        value = escape(f"{tonnes(line.kg):,.1f}")
        parts.append(
            f"<g><title>{month}: {escape(tonnes_text(line.kg))} tCO2e</title>"
            f'<rect x="{x:.1f}" y="{BAR_AREA - height:.1f}" width="{bar:.1f}" height="{height:.1f}" rx="3"/>'
            f'<text x="{x + bar / 2:.1f}" y="{BAR_AREA - height - 6:.1f}" class="value">{value}</text>'
            f'<text x="{x + bar / 2:.1f}" y="{BAR_AREA + 24}" class="month">{month}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it was escaped above)


def _equivalence(figures: public_results.PublicFigures, lang: str) -> str | None:
    """ "About as much as N trees growing for a year": for messages only, never a LESS claim."""
    if figures.total_kg <= 0 or not figures.by_month:
        return None
    first, last = figures.by_month[0], figures.by_month[-1]
    period = (date(first.year, first.month, 1), date(last.year, last.month, 1))
    found = calc.equivalences(figures.total_kg, factor_table(), period)
    for eq in found:
        if eq.key == "trees_for_a_year":
            low, high = f"{eq.low:,.0f}", f"{eq.high:,.0f}"
            amount = low if low == high else f"{low}–{high}"
            return t("results.equivalence.trees", lang, amount=amount)
    return None


def _absolute(path: str) -> str:
    base = runtime(current_app).settings.public_base_url
    if base:
        return base.rstrip("/") + path
    return url_for("public.results", _external=True).rstrip("/") + path


def _sources(lang: str) -> list[str]:
    """The factor datasets calculations use now (the newest version of each): title and publisher."""
    return [
        t("results.method.source", lang, title=d.source.title, publisher=d.source.publisher, ref=d.ref)
        for d in (version.dataset for version in dataset_versions() if version.current)
    ]


def _context(figures: public_results.PublicFigures, lang: str) -> dict[str, object]:
    types = [(_activity_name(line.activity_key, lang), line.reports, line.kg) for line in figures.by_type]
    provinces = [
        (province_name(line.province_code, lang), line.reports, line.kg) for line in figures.by_province
    ]
    values = {line.province_code: tonnes(line.kg) for line in figures.by_province}
    named = [
        {
            "name": agency.name,
            "kind": t(f"register.type_{agency.agency_type}", lang),
            "province": province_name(agency.province_code, lang),
            "lor": t(f"lor.status.{agency.lor_status or 'preparing'}", lang),
            "issued": agency.lor_status == "issued",
        }
        for agency in figures.named
    ]
    methods = [
        (_activity_name(line.activity_key, lang), t(f"less.method.{line.activity_key}", lang))
        for line in figures.by_type
        if default_catalog().has(f"less.method.{line.activity_key}")
    ]
    return {
        "figures": figures,
        "total": tonnes_text(figures.total_kg),
        "equivalence": _equivalence(figures, lang),
        "joined_share": min(100, figures.agencies * 100 // figures.target) if figures.target else 0,
        "types": _lines(types, tuple(line.needs_factor for line in figures.by_type)),
        "provinces": _lines(provinces),
        "province_map": province_map_svg(values, lang, t("results.map.title", lang)),
        "timeline": timeline_svg(figures.by_month, lang),
        "months": [(_month_label(m.year, m.month, lang), tonnes_text(m.kg)) for m in figures.by_month],
        "named": named,
        "methods": methods,
        "sources": _sources(lang),
        "updated": thai_date(figures.computed_at, lang),
    }


@public_blueprint.get("/", defaults={"lang": "th"}, endpoint="results")
@public_blueprint.get("/en", defaults={"lang": "en"}, endpoint="results_en")
def results(lang: str) -> Response:
    use_language(lang)
    with transaction() as session:
        figures = public_results.current(session, now())
    link, qr = line_account()
    context = _context(figures, lang) if figures is not None and figures.reports else {}
    response = page(
        "public/results.html",
        has_campaign=figures is not None,
        summary=figures,
        campaign_name=(figures.campaign_name_en if lang == "en" else figures.campaign_name_th)
        if figures
        else "",
        line_link=link,
        line_qr=qr,
        og_image=_absolute("/og/results.png"),
        page_url=_absolute("/en" if lang == "en" else "/"),
        **context,
    )
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
