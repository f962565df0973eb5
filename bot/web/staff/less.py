"""`/staff/agencies/<id>/less-package.zip?start=…&end=…`: an agency's LESS submission package, from
the form on its page (bot/web/staff/registrations.py; the form is templates/staff/less_package.html).

Built by the same service as `ruamjai less package` (handlers/services/less_package.py): read in
one short transaction, written into a temporary file with none open, then streamed from it, so
neither memory nor the database's writer lock is held for the photos' size. A package TGO
would send back is not built: the agency page shows the list of reasons instead (409).
"""

from __future__ import annotations

import tempfile
from datetime import date

from flask import Response, current_app, g, request, send_file, url_for

from bot.runtime import runtime
from bot.web.staff.core import language, now, staff_blueprint, transaction
from bot.web.staff.registrations import agency_page
from handlers.catalog import t
from handlers.services.less_package import (
    LessRefused,
    default_period,
    prepare_package,
    record_package,
    write_prepared,
)

LESS_ENDPOINTS = ("staff.agency", "staff.less_package")


def _chosen() -> tuple[date, date] | None:
    """The period the form sent; None when it sent none; ValueError when it cannot be read."""
    start, end = request.args.get("start", "").strip(), request.args.get("end", "").strip()
    if not start and not end:
        return None
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if first > last:
        raise ValueError("start after end")
    return first, last


@staff_blueprint.context_processor
def less_form() -> dict[str, object]:
    """What the agency page's LESS form shows: the period (the one asked for, else the active
    campaign's) and the reasons a download was refused, if it was."""
    if request.endpoint not in LESS_ENDPOINTS or g.get("visit") is None:
        return {}
    problems = g.get("less_problems", [])
    try:
        period = _chosen()
    except ValueError:
        period = None
    if period is None:
        with transaction() as session:
            period = default_period(session, now())
    agency_id = (request.view_args or {}).get("agency_id")
    return {
        "less_package": {
            "action": url_for("staff.less_package", agency_id=agency_id),
            "start": period[0].isoformat(),
            "end": period[1].isoformat(),
            "problems": problems,
        }
    }


@staff_blueprint.get("/agencies/<int:agency_id>/less-package.zip", endpoint="less_package")
def less_package(agency_id: int) -> Response:
    lang = language()
    try:
        period = _chosen()
    except ValueError:
        text = f"{request.args.get('start', '')} – {request.args.get('end', '')}"
        return _refused(agency_id, [t("less.web.bad_period", lang, text=text[:40])], 400)
    with transaction() as session:
        period = period or default_period(session, now())
        try:
            prepared = prepare_package(session, agency_id, period, now())
        except LessRefused as refused:
            problems = [problem.text(lang) for problem in refused.problems]
            prepared = None
    if prepared is None:
        return _refused(agency_id, problems, 409)
    spool = tempfile.TemporaryFile()
    try:
        # No transaction open while hundreds of megabytes are copied.
        write_prepared(prepared, spool, runtime(current_app).media)
        with transaction() as session:
            record_package(session, prepared.summary, f"staff:{g.visit.staff_member_id}", now())
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    name = f"less-agency-{agency_id}-{period[0].isoformat()}-{period[1].isoformat()}.zip"
    return send_file(spool, mimetype="application/zip", as_attachment=True, download_name=name)


def _refused(agency_id: int, problems: list[str], status: int) -> Response:
    """The agency page with the reasons beside the form."""
    g.less_problems = problems
    response = agency_page(agency_id)
    response.status_code = status
    return response
