"""Excel workbooks whose bytes depend on their content alone (the LESS package's summary, the
batch's cover sheet, the program report): the properties carry one fixed time and the zip entries
are written again in the same order with that time, so the same data gives the same file. And the
cell text every sheet uses: Thai with the English beneath."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from handlers.catalog import t


def both(key: str, **params: object) -> str:
    """The Thai text with the English beneath, in one cell."""
    return f"{t(key, 'th', **params)}\n{t(key, 'en', **params)}"


def fixed_bytes(book: Workbook, title: str, moment: datetime) -> bytes:
    """The workbook's bytes, stamped with `moment` (the zip format starts at 1980) throughout."""
    book.properties.creator = "Ruamjai"
    book.properties.created = book.properties.modified = moment
    book.properties.title = title
    raw = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    stamp = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(packed, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return packed.getvalue()
