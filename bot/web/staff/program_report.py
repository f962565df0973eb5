"""`/staff/program-report`: the program report to DCCE as a printable page (A4, no navigation when
printed), and `/staff/program-report.xlsx`, the same figures as an Excel workbook. The figures come
from handlers/services/program_report.py; `ruamjai program-report` writes the same two files.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import fontpkg
import jinja2
from flask import Response

import calc
from bot.web.fonts import FONT_WEIGHTS
from bot.web.staff.core import language, now, page, staff_blueprint, transaction
from handlers.catalog import label, t
from handlers.parsing.numbers import format_number
from handlers.services.agencies import province_name
from handlers.services.program_report import ProgramReport, current_program_report
from handlers.services.program_report_xlsx import program_report_xlsx
from handlers.services.thaitime import bangkok_date, buddhist_year, thai_date

TEMPLATES = Path(__file__).parent / "templates"
STYLES = Path(__file__).parent / "static" / "staff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value: int | Decimal, decimals: int = 0) -> str:
    return format_number(value, max_decimals=decimals)


def _tonnes(kg: Decimal) -> str:
    return _number(kg / 1000, 3)


def figures(report: ProgramReport, lang: str) -> dict[str, Any]:
    """The report's words and numbers for the templates, in `lang`."""

    def say(key: str, **params: object) -> str:
        return t(f"program_report.{key}", lang, **params)

    context: dict[str, Any] = {
        "campaign": label(report.campaign, lang, "name"),
        "as_of": say("as_of", date=thai_date(report.as_of, lang)),
        "agencies": say("agencies_of_target", count=_number(report.agencies), target=_number(report.target)),
        "agencies_count": _number(report.agencies),
        "share": min(100, round(100 * report.agencies / report.target)) if report.target else 0,
        "reporting": _number(report.reporting_agencies),
        "reports": _number(report.total.reports),
        "tonnes": _tonnes(report.total.kg),
        "needs_factor": _number(report.total.needs_factor),
        "lors": say("not_tracked") if report.lors_issued is None else _number(report.lors_issued),
    }
    context["by_type"] = [
        {
            "label": label(calc.activity_type(key), lang),
            "reports": _number(total.reports),
            "tonnes": _tonnes(total.kg) if total.reports else "–",
            "needs_factor": _number(total.needs_factor),
        }
        for key, total in report.by_type.items()
    ]
    context["by_province"] = [
        {
            "label": province_name(line.province_code, lang),
            "agencies": _number(line.agencies),
            "reports": _number(line.total.reports),
            "tonnes": _tonnes(line.total.kg) if line.total.reports else "–",
            "needs_factor": _number(line.total.needs_factor),
        }
        for line in report.by_province
    ]
    event = report.event
    context["event"] = None
    if event is not None:
        context["event"] = {
            "emissions": _tonnes(event.emissions_kg),
            "offsets": _tonnes(event.offsets_kg),
            "net": _tonnes(event.net_kg),
            "verdict": say("event_neutral" if event.carbon_neutral else "event_not_neutral"),
        }
    return context


def file_name(report: ProgramReport, extension: str) -> str:
    """program-report-2569-12-08.xlsx: the Bangkok day, Buddhist-era year."""
    day = bangkok_date(report.as_of)
    return f"program-report-{buddhist_year(day.year)}-{day:%m-%d}.{extension}"


def printable_html(report: ProgramReport | None, lang: str = "th") -> str:
    """The report as one self-contained HTML file (styles and Sarabun embedded), for
    `ruamjai program-report --html`."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    template = environment.get_template("staff/program_report_document.html")
    styles = "\n".join(
        (STYLES / name).read_text(encoding="utf-8") for name in ("staff.css", "program_report.css")
    )
    for weight in FONT_WEIGHTS:
        font = base64.b64encode(fontpkg.path("Sarabun", weight).read_bytes()).decode("ascii")
        styles = styles.replace(
            f'url("../fonts/sarabun-{weight}.ttf")', f'url("data:font/ttf;base64,{font}")'
        )
    say: Callable[..., str] = lambda key, **params: t(key, lang, **params)  # noqa: E731
    context = figures(report, lang) if report is not None else {}
    return template.render(_=say, lang=lang, report=report, styles=styles, **context)


@staff_blueprint.get("/program-report", endpoint="program_report")
def program_report_page() -> Response:
    with transaction() as session:
        report = current_program_report(session, now())
        context = figures(report, language()) if report is not None else {}
    return page("staff/program_report.html", report=report, **context)


@staff_blueprint.get("/program-report.xlsx", endpoint="program_report_xlsx")
def program_report_download() -> Response:
    with transaction() as session:
        report = current_program_report(session, now())
        if report is None:
            return page("staff/program_report.html", status=404, report=None)
        data = program_report_xlsx(report)
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(report, "xlsx")}"'
    return response
