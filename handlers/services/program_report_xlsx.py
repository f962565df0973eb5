"""The program report (handlers/services/program_report.py) as an Excel workbook for DCCE: a summary
sheet, one by activity type and one by province; Thai first, English beneath every heading,
Buddhist-era dates.

The bytes depend on the figures alone: the workbook's properties and the zip entries' times are
fixed, so the same data gives the same file (a changed file means changed figures).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

import calc
from handlers.catalog import label, t
from handlers.services.agencies import province_name
from handlers.services.program_report import ProgramReport
from handlers.services.thaitime import thai_date
from handlers.services.workbooks import both, fixed_bytes

# Fixed so that the bytes depend on the figures only (the report's own date is in the sheet).
FIXED_TIME = datetime(2000, 1, 1)
TONNES = "#,##0.000"
WHOLE = "#,##0"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def tonnes(kg: Decimal) -> Decimal:
    return kg / 1000


def _headings(sheet: Worksheet, keys: tuple[str, ...], widths: tuple[int, ...]) -> None:
    sheet.append([both(f"program_report.{key}") for key in keys])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.alignment = BOLD, WRAP
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = f"A{sheet.max_row + 1}"


def _title(sheet: Worksheet, report: ProgramReport, key: str) -> None:
    campaign = report.campaign
    # Printed on A4, one page wide.
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.append([both(key)])
    sheet.append([f"{campaign.name_th}\n{campaign.name_en}"])
    sheet.append(
        [
            f"{t('program_report.as_of', 'th', date=thai_date(report.as_of, 'th'))}\n"
            f"{t('program_report.as_of', 'en', date=thai_date(report.as_of, 'en'))}"
        ]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    for row in (1, 2, 3):
        sheet.cell(row=row, column=1).alignment = WRAP
    sheet.append([])


def _summary(sheet: Worksheet, report: ProgramReport) -> None:
    _title(sheet, report, "program_report.title")
    _headings(sheet, ("item", "value"), (60, 24))
    rows: list[tuple[str, object, str]] = [
        ("agencies", report.agencies, WHOLE),
        ("target", report.target, WHOLE),
        ("reporting_agencies", report.reporting_agencies, WHOLE),
        ("reports", report.total.reports, WHOLE),
        ("t_co2e", tonnes(report.total.kg), TONNES),
        ("needs_factor", report.total.needs_factor, WHOLE),
    ]
    if report.lors_issued is None:
        rows.append(("lors_issued", both("program_report.not_tracked"), ""))
    else:
        rows.append(("lors_issued", report.lors_issued, WHOLE))
    event = report.event
    if event is None:
        rows.append(("event", both("program_report.event_not_computed"), ""))
    else:
        rows += [
            ("event_emissions", tonnes(event.emissions_kg), TONNES),
            ("event_offsets", tonnes(event.offsets_kg), TONNES),
            ("event_net", tonnes(event.net_kg), TONNES),
        ]
    for key, value, number_format in rows:
        sheet.append([both(f"program_report.{key}"), value])
        name, cell = sheet[sheet.max_row]
        name.alignment = WRAP
        cell.alignment = WRAP if isinstance(value, str) else Alignment(vertical="top")
        if number_format:
            cell.number_format = number_format


def _by_type(sheet: Worksheet, report: ProgramReport) -> None:
    _title(sheet, report, "program_report.by_type")
    _headings(sheet, ("activity_type", "reports", "t_co2e", "needs_factor"), (44, 14, 18, 22))
    for key, total in report.by_type.items():
        kind = calc.activity_type(key)
        sheet.append(
            [f"{label(kind, 'th')}\n{label(kind, 'en')}", total.reports, tonnes(total.kg), total.needs_factor]
        )
    _total_row(sheet, report.total.reports, report.total.kg, report.total.needs_factor)


def _by_province(sheet: Worksheet, report: ProgramReport) -> None:
    _title(sheet, report, "program_report.by_province")
    _headings(sheet, ("province", "agencies", "reports", "t_co2e", "needs_factor"), (32, 14, 14, 18, 22))
    for line in report.by_province:
        code = line.province_code
        sheet.append(
            [
                f"{province_name(code, 'th')}\n{province_name(code, 'en')}",
                line.agencies,
                line.total.reports,
                tonnes(line.total.kg),
                line.total.needs_factor,
            ]
        )
    _total_row(
        sheet, report.total.reports, report.total.kg, report.total.needs_factor, agencies=report.agencies
    )


def _total_row(
    sheet: Worksheet, reports: int, kg: Decimal, needs_factor: int, agencies: int | None = None
) -> None:
    figures: list[object] = [reports, tonnes(kg), needs_factor]
    if agencies is not None:
        figures.insert(0, agencies)
    sheet.append([both("program_report.total"), *figures])
    for row in sheet.iter_rows(min_row=6, max_row=sheet.max_row):
        row[0].alignment = WRAP
        for cell in row[1:]:
            cell.number_format = TONNES if isinstance(cell.value, Decimal) else WHOLE
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def program_report_xlsx(report: ProgramReport) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    summary = book.active
    summary.title = "สรุป Summary"
    _summary(summary, report)
    _by_type(book.create_sheet("ประเภท By type"), report)
    _by_province(book.create_sheet("จังหวัด By province"), report)
    title = f"{t('program_report.title', 'th')} / {t('program_report.title', 'en')}"
    return fixed_bytes(book, title, FIXED_TIME)
