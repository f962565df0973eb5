"""`/staff/factors`: the emission-factor datasets (every version, its source, each factor's
confidence), and which factor applies to a period of months (the choice calculations make).
Read-only: datasets are added as files (calc/datasets/files.py)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time

from flask import Response, request

from bot.web.staff.core import language, now, page, say, staff_blueprint
from handlers.parsing.numbers import format_number
from handlers.services.factor_catalog import Applying, dataset_versions, factors_for_period
from handlers.services.thaitime import bangkok_date, thai_date

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _day(day: date | None) -> str:
    return thai_date(datetime.combine(day, time(12), tzinfo=UTC), language()) if day else ""


def _month(text: str) -> tuple[int, int] | None:
    """A month typed as YYYY-MM (what `<input type=month>` sends), Common Era, within reason."""
    found = MONTH.match(text.strip())
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _validity(valid_from: date | None, valid_to: date | None) -> str:
    if valid_from and valid_to:
        return say("staffweb.factors.valid_between", start=_day(valid_from), end=_day(valid_to))
    if valid_from:
        return say("staffweb.factors.valid_from", start=_day(valid_from))
    if valid_to:
        return say("staffweb.factors.valid_to", end=_day(valid_to))
    return say("staffweb.factors.valid_always")


def _link(url: str | None) -> str:
    """Only web addresses become links."""
    return url if url and url.startswith(("https://", "http://")) else ""


def _datasets() -> list[dict[str, object]]:
    rows = []
    for version in dataset_versions():
        dataset = version.dataset
        rows.append(
            {
                "ref": dataset.ref,
                "current": version.current,
                "published": _day(dataset.published),
                "description": dataset.description or "",
                "source": dataset.source,
                "link": _link(dataset.source.url),
                "factors": [
                    {
                        "key": f.key,
                        "value": format_number(f.value, max_decimals=6),
                        "unit": f.unit,
                        "confidence": say(f"staffweb.factors.confidence_{f.confidence}"),
                        "level": f.confidence,
                        "validity": _validity(f.valid_from, f.valid_to),
                        "note": f.note or "",
                    }
                    for f in dataset.factors
                ],
            }
        )
    return rows


def _applying(row: Applying) -> dict[str, object]:
    factor = row.factor
    if factor is None:
        return {"key": row.key, "missing": True}
    return {
        "key": row.key,
        "missing": False,
        "value": format_number(factor.value, max_decimals=6),
        "unit": factor.unit,
        "ref": factor.ref,
        "confidence": say(f"staffweb.factors.confidence_{factor.confidence}"),
        "level": factor.confidence,
        "spans_change": row.spans_change,
    }


@staff_blueprint.get("/factors", endpoint="factors")
def factors_page() -> Response:
    today = bangkok_date(now())
    first_text = request.args.get("from", "").strip()
    last_text = request.args.get("to", "").strip() or first_text
    context: dict[str, object] = {"from_month": first_text, "to_month": last_text if first_text else ""}
    status = 200
    if first_text:
        first, last = _month(first_text), _month(last_text)
        if first is None or last is None or last < first:
            context["problem"] = say("staffweb.factors.bad_period")
            status = 400
        else:
            start = date(first[0], first[1], 1)
            end = date(last[0], last[1], calendar.monthrange(last[0], last[1])[1])
            context["period"] = say("staffweb.factors.period", start=_day(start), end=_day(end))
            context["applying"] = [_applying(row) for row in factors_for_period(start, end)]
    else:
        context["from_month"] = f"{today:%Y-%m}"
        context["to_month"] = f"{today:%Y-%m}"
    return page("staff/factors.html", status=status, datasets=_datasets(), **context)
