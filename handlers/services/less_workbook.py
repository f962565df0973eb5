"""The LESS package's workbook: a summary sheet in the shape of a LESS summary report, one row per
report, and a photo index. Thai with the English text beneath (catalog `less.*`).

Deterministic: openpyxl stamps the build time into the document properties and into every entry of
the XLSX's own ZIP, so the properties are set from the period's end and the ZIP is packed again with
fixed timestamps; the same data gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import Session

import calc
from handlers.catalog import label, t
from handlers.parsing import format_number
from handlers.parsing.periods import Period, format_period
from handlers.services.agencies import province_name
from handlers.services.report_reference import reference
from handlers.services.thaitime import format_bangkok
from handlers.services.workbooks import both, fixed_bytes
from storage.models import Photo
from storage.models.program import Agency, Campaign, Coordinator
from storage.models.reports import Report

# Each activity type's LESS activity group (catalog `less.group.*`) and the evaluation sheet code
# when one is known (GHG.md names LESS-WM-01 only; the others say they are still to be confirmed).
LESS_GROUPS = {
    "recycling": "waste",
    "composting": "waste",
    "tree_planting": "forestry",
    "forest_conservation": "forestry",
    "electricity_saving": "energy_efficiency",
    "renewable_electricity": "renewable_energy",
    "fuel_saving": "energy_efficiency",
    "transport_mode_shift": "transport",
}
LESS_SHEETS = {"recycling": "LESS-WM-01"}
# tCO2e decimals: the certified LESS figures in GHG.md all carry three (1.591, 108.496, 11,596.386).
LESS_DECIMALS = 3
TONNES_FORMAT = "#,##0." + "0" * LESS_DECIMALS
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class PhotoEntry:
    """A photo as the package names it."""

    name: str
    ref: str
    number: int
    photo: Photo


def _header(sheet: Any, keys: list[str]) -> None:
    sheet.append([t(f"less.column.{key}", "th") for key in keys])
    sheet.append([t(f"less.column.{key}", "en") for key in keys])
    for row in (sheet.max_row - 1, sheet.max_row):
        for cell in sheet[row]:
            cell.font, cell.alignment = BOLD, WRAP


def t_co2e(kg: Decimal) -> Decimal:
    """kgCO2e as LESS reports it: tonnes, LESS_DECIMALS decimals, half up."""
    return (kg / 1000).quantize(Decimal(1).scaleb(-LESS_DECIMALS), rounding=ROUND_HALF_UP)


def _kg(quantity: dict[str, Any]) -> Decimal:
    return calc.units.convert(Decimal(quantity["value"]), quantity["unit"], "kgCO2e")


def _inputs_text(activity: calc.ActivityType, inputs: dict[str, Any], language: str) -> str:
    parts = []
    for name, value in inputs.items():
        try:
            field = activity.field(name)
        except KeyError:
            field = None
        shown_name = label(field, language) if field else name
        if isinstance(value, dict):
            parts.append(f"{shown_name}: {format_number(Decimal(value['value']))} {value['unit']}")
        else:
            choice = field.choice(value) if field else None
            parts.append(f"{shown_name}: {label(choice, language) if choice else value}")
    return "; ".join(parts)


def _field_names(activity: calc.ActivityType, name: str) -> str:
    try:
        field = activity.field(name)
    except KeyError:
        return name
    return f"{label(field, 'th')} / {label(field, 'en')}"


def _factor_text(factor: dict[str, Any]) -> str:
    source = factor.get("source") or {}
    return (
        f"{factor['key']} = {factor['value']} {factor['unit']} "
        f"({factor['dataset']}@{factor['version']}; {source.get('title', '')}; {factor['confidence']})"
    )


def _summary(
    sheet: Any, session: Session, agency: Agency, period: tuple[date, date], reports: list[Report]
) -> None:
    start, end = period
    campaign = session.get(Campaign, agency.campaign_id) if agency.campaign_id else None
    roles = session.scalars(
        select(Coordinator.position)
        .where(Coordinator.agency_id == agency.id, Coordinator.status == "active")
        .order_by(Coordinator.id)
    ).all()
    shown = Period(start, end, "day")
    sheet.append([both("less.title")])
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [
        ("less.agency", agency.name),
        ("less.agency_type", both(f"register.type_{agency.agency_type}")),
        (
            "less.province",
            f"{province_name(agency.province_code, 'th')}\n{province_name(agency.province_code, 'en')}",
        ),
        ("less.contact", "; ".join(role for role in dict.fromkeys(roles) if role)),
        ("less.program", f"{campaign.name_th}\n{campaign.name_en}" if campaign else ""),
        ("less.round", f"{campaign.year_be} ({campaign.slug})" if campaign else ""),
        ("less.period", f"{format_period(shown, 'th')}\n{format_period(shown, 'en')} ({start} – {end})"),
        ("less.reports_count", len(reports)),
        ("less.approach", both("less.approach_text")),
        ("less.precision", both("less.precision_text")),
    ]
    for key, value in facts:
        sheet.append([both(key), value])
    sheet.append([])
    columns = ["group", "activity", "method", "method_reference", "reports", "activity_data", "factors",
               "baseline", "project", "avoided", "reduction"]  # fmt: skip
    _header(sheet, columns)
    total = Decimal(0)
    for activity_key in dict.fromkeys(report.activity_key for report in reports):
        rows = [report for report in reports if report.activity_key == activity_key]
        activity = calc.activity_type(activity_key)
        sums = {"baseline": Decimal(0), "project": Decimal(0), "avoided": Decimal(0)}
        data: dict[tuple[str, str], Decimal] = {}
        factors: dict[str, str] = {}
        for report in rows:
            result = json.loads(report.result)
            for step in result["steps"]:
                if step["result"] is not None:
                    role = step["role"]
                    part = "avoided" if role in ("reduction", "removal") else role
                    if part in sums:
                        sums[part] += _kg(step["result"])
            for factor in result["factors_used"]:
                factors.setdefault(
                    f"{factor['key']}|{factor['dataset']}@{factor['version']}", _factor_text(factor)
                )
            for name, value in json.loads(report.inputs).items():
                if isinstance(value, dict):
                    data[(name, value["unit"])] = data.get((name, value["unit"]), Decimal(0)) + Decimal(
                        value["value"]
                    )
        kg = sum((Decimal(report.kg_co2e or 0) for report in rows), Decimal(0))
        total += kg
        data_text = "\n".join(
            f"{_field_names(activity, name)}: {format_number(value)} {unit}"
            for (name, unit), value in data.items()
        )
        group = LESS_GROUPS.get(activity_key)
        sheet.append([
            both(f"less.group.{group}") if group else "",
            f"{activity.label_th}\n{activity.label_en}",
            both(f"less.method.{activity_key}"),
            LESS_SHEETS.get(activity_key) or both("less.reference_unconfirmed"),
            len(rows),
            data_text,
            "\n".join(factors.values()),
            t_co2e(sums["baseline"]),
            t_co2e(sums["project"]),
            t_co2e(sums["avoided"]),
            t_co2e(kg),
        ])  # fmt: skip
    sheet.append([both("less.total"), "", "", "", len(reports), "", "", "", "", "", t_co2e(total)])
    for row in sheet.iter_rows(min_row=len(facts) + 4):
        for cell in row:
            cell.alignment = WRAP
            if isinstance(cell.value, Decimal):
                cell.number_format = TONNES_FORMAT
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for column, width in zip("ABCDEFGHIJK", (24, 24, 36, 22, 10, 36, 48, 14, 14, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width


def _reports_sheet(sheet: Any, reports: list[Report], counts: dict[int, int]) -> None:
    columns = ["reference", "activity", "period_start", "period_end", "submitted", "inputs", "calculation",
               "kg_co2e", "t_co2e", "calc_status", "reviewer", "reviewed", "photos"]  # fmt: skip
    _header(sheet, columns)
    for report in reports:
        activity = calc.activity_type(report.activity_key)
        result = json.loads(report.result)
        inputs = json.loads(report.inputs)
        kg = Decimal(report.kg_co2e or 0)
        sheet.append([
            reference(report),
            f"{activity.label_th}\n{activity.label_en}",
            report.period_start,
            report.period_end,
            format_bangkok(report.created_at),
            f"{_inputs_text(activity, inputs, 'th')}\n{_inputs_text(activity, inputs, 'en')}",
            "\n".join(step["formula"] for step in result["steps"]),
            report.kg_co2e,
            t_co2e(kg),
            report.calc_status,
            report.reviewed_by or "",
            format_bangkok(report.reviewed_at) if report.reviewed_at else "",
            counts.get(report.id, 0),
        ])  # fmt: skip
    for row in sheet.iter_rows(min_row=3):
        row[2].number_format = row[3].number_format = "yyyy-mm-dd"
        row[8].number_format = TONNES_FORMAT
        for cell in row:
            cell.alignment = WRAP
    for column, width in zip(
        "ABCDEFGHIJKLM", (16, 24, 12, 12, 17, 40, 48, 20, 12, 12, 12, 17, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width


def _photos_sheet(sheet: Any, entries: list[PhotoEntry]) -> None:
    _header(sheet, ["file", "reference", "number", "captured", "latitude", "longitude"])
    for entry in entries:
        photo = entry.photo
        sheet.append([
            entry.name,
            entry.ref,
            entry.number,
            format_bangkok(photo.captured_at) if photo.captured_at else "",
            photo.gps_lat,
            photo.gps_lon,
        ])  # fmt: skip
    for column, width in zip("ABCDEF", (30, 16, 8, 20, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width


def workbook_bytes(
    session: Session,
    agency: Agency,
    period: tuple[date, date],
    reports: list[Report],
    entries: list[PhotoEntry],
) -> bytes:
    """The XLSX, byte for byte the same for the same data."""
    book = Workbook()
    summary = book.active
    summary.title = t("less.sheet_summary", "th")
    _summary(summary, session, agency, period, reports)
    counts: dict[int, int] = {}
    for entry in entries:
        counts[entry.photo.report_id] = counts.get(entry.photo.report_id, 0) + 1  # type: ignore[index]
    _reports_sheet(book.create_sheet(t("less.sheet_reports", "th")), reports, counts)
    _photos_sheet(book.create_sheet(t("less.sheet_photos", "th")), entries)
    fixed = datetime(period[1].year, period[1].month, period[1].day)
    return fixed_bytes(book, t("less.title", "en"), fixed)
