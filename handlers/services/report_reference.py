"""A report's reference, R-<Buddhist-era year>-<sequence> (R-2567-00042): how people, staff and
the export name a report."""

from __future__ import annotations

import re

from storage.models.reports import Report

_REFERENCE = re.compile(r"^\s*R?-?(\d{4})-0*(\d{1,9})\s*$", re.IGNORECASE)


def reference(report: Report) -> str:
    """R-<Buddhist-era year>-<sequence>, e.g. R-2567-00042."""
    return f"R-{report.year_be}-{report.sequence:05d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, sequence) of a reference as typed ("R-2567-00042", "2567-42"), or None."""
    match = _REFERENCE.match(text or "")
    return (int(match[1]), int(match[2])) if match else None
