"""The submission batch's cover sheet: the batch id and date, each agency with its type, province,
reports and tCO2e, and the totals by activity type and in all. Thai with the English beneath, like
the package's workbook (handlers/services/less_workbook.py), and byte for byte the same for the same
data (document properties and ZIP timestamps from the batch's date)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

import calc
from handlers.catalog import t
from handlers.parsing.periods import Period, format_period
from handlers.services.agencies import province_name
from handlers.services.less_workbook import (
    BOLD,
    LESS_GROUPS,
    TONNES_FORMAT,
    WRAP,
    t_co2e,
)
from handlers.services.thaitime import thai_date
from handlers.services.workbooks import both, fixed_bytes

COVER_NAME = "less-batch-cover.xlsx"


@dataclass(frozen=True)
class CoverAgency:
    """One agency's line on the cover."""

    agency_id: int
    name: str
    agency_type: str
    province_code: str
    file_name: str
    reports: int
    kg_co2e: Decimal
    by_activity: tuple[tuple[str, int, Decimal], ...]  # (activity key, reports, exact kgCO2e)


def _header(sheet, keys: list[str]) -> None:
    sheet.append([t(f"less_batch.column.{key}", "th") for key in keys])
    sheet.append([t(f"less_batch.column.{key}", "en") for key in keys])
    for row in (sheet.max_row - 1, sheet.max_row):
        for cell in sheet[row]:
            cell.font, cell.alignment = BOLD, WRAP


def _day(day: date) -> str:
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return f"{thai_date(moment, 'th')}\n{thai_date(moment, 'en')} ({day.isoformat()})"


def activity_totals(agencies: Sequence[CoverAgency]) -> list[tuple[str, int, Decimal]]:
    """Reports and exact kgCO2e per activity type over every agency, in the calculator's order."""
    sums: dict[str, tuple[int, Decimal]] = {}
    for agency in agencies:
        for key, count, kg in agency.by_activity:
            before = sums.get(key, (0, Decimal(0)))
            sums[key] = (before[0] + count, before[1] + kg)
    order = {key: index for index, key in enumerate(LESS_GROUPS)}
    return [(key, *sums[key]) for key in sorted(sums, key=lambda key: (order.get(key, len(order)), key))]


def cover_bytes(
    label: str, period: tuple[date, date], batch_date: date, agencies: Sequence[CoverAgency]
) -> bytes:
    """The cover sheet's XLSX."""
    book = Workbook()
    sheet = book.active
    sheet.title = t("less_batch.cover.sheet", "th")
    sheet.append([both("less_batch.cover.title")])
    sheet["A1"].font = Font(bold=True, size=14)
    shown = Period(period[0], period[1], "day")
    facts = [
        ("less_batch.cover.batch_id", label),
        ("less_batch.cover.batch_date", _day(batch_date)),
        (
            "less.period",
            f"{format_period(shown, 'th')}\n{format_period(shown, 'en')} ({period[0]} – {period[1]})",
        ),
        ("less_batch.cover.agencies", len(agencies)),
        ("less.precision", both("less.precision_text")),
    ]
    for key, value in facts:
        sheet.append([both(key), value])
        sheet.cell(sheet.max_row, 1).alignment = sheet.cell(sheet.max_row, 2).alignment = WRAP
    sheet.append([])
    _header(sheet, ["agency_id", "agency", "agency_type", "province", "reports", "t_co2e", "file"])
    for agency in agencies:
        sheet.append([
            agency.agency_id,
            agency.name,
            both(f"register.type_{agency.agency_type}"),
            f"{province_name(agency.province_code, 'th')}\n{province_name(agency.province_code, 'en')}",
            agency.reports,
            t_co2e(agency.kg_co2e),
            agency.file_name,
        ])  # fmt: skip
        sheet.cell(sheet.max_row, 6).number_format = TONNES_FORMAT
        for column in (2, 3, 4):
            sheet.cell(sheet.max_row, column).alignment = WRAP
    sheet.append([])
    _header(sheet, ["activity", "group", "reports", "t_co2e"])
    total_reports, total_kg = 0, Decimal(0)
    for key, count, kg in activity_totals(agencies):
        activity = calc.activity_type(key)
        group = LESS_GROUPS.get(key)
        sheet.append([
            f"{activity.label_th}\n{activity.label_en}",
            both(f"less.group.{group}") if group else "",
            count,
            t_co2e(kg),
        ])  # fmt: skip
        sheet.cell(sheet.max_row, 4).number_format = TONNES_FORMAT
        sheet.cell(sheet.max_row, 1).alignment = sheet.cell(sheet.max_row, 2).alignment = WRAP
        total_reports, total_kg = total_reports + count, total_kg + kg
    sheet.append([both("less.total"), "", total_reports, t_co2e(total_kg)])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.cell(sheet.max_row, 4).number_format = TONNES_FORMAT
    for column, width in zip("ABCDEFG", (30, 36, 24, 22, 10, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    fixed = datetime(batch_date.year, batch_date.month, batch_date.day)
    return fixed_bytes(book, t("less_batch.cover.title", "en"), fixed)
