"""`/staff/lor`: every approved agency's Letter of Recognition (LOR) status in the active campaign;
`/staff/lor/<agency_id>`: one agency's case, its history, and the next steps as forms (package
ready, submitted, issued with the certificate, returned with the reports to fix). Each step calls
handlers.services.lor, which audits it and tells the coordinators in LINE through the outbox."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, g, redirect, request, url_for

from bot.runtime import runtime
from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.catalog import t
from handlers.services import lor
from handlers.services.refusals import REASON_MAX_CHARS, Refused
from handlers.services.report_reference import reference
from handlers.services.staff_sessions import moment_words
from handlers.services.thaitime import bangkok_date

# The forms each status offers, in order.
ACTIONS = {
    "preparing": ("ready",),
    "returned": ("ready",),
    "package_ready": ("submitted",),
    "submitted": ("issued", "returned"),
    "issued": (),
}
# Links to the certificate on the page: as long as any other media link.
PAGE_LINK_SECONDS = 15 * 60


def _actor() -> str:
    return f"staff:{g.visit.staff_member_id}"


def _media():
    return runtime(current_app).media


@staff_blueprint.get("/lor", endpoint="lor")
def lor_list() -> Response:
    with transaction() as session:
        rows = [
            {
                "id": item.agency.id,
                "name": item.agency.name,
                "status_code": item.status,
                "status": say(f"lor.status.{item.status}"),
                "updated": moment_words(item.case.updated_at, language()) if item.case else "",
            }
            for item in lor.agencies_with_lor(session, now())
        ]
    return page("staff/lor.html", rows=rows)


def _case_page(agency_id: int, status: int = 200, problem: str = "", form: dict | None = None) -> Response:
    with transaction() as session:
        try:
            agency = lor.approved_agency(session, agency_id)
        except Refused:
            abort(404)
        case = lor.case_of(session, agency_id, now())
        state = case.status if case else "preparing"
        lang = language()
        kept = lor.history(session, case)
        names = lor.actor_names(session, kept, lang)
        changes = [
            {
                "status": say(f"lor.status.{change.status}"),
                "when": moment_words(change.at, lang),
                "who": names.get(change.actor, change.actor),
            }
            for change in kept
        ]
        context = {
            "agency": {"id": agency.id, "name": agency.name},
            "status_code": state,
            "state": say(f"lor.status.{state}"),
            "submitted_on": lor.day_text(case.submitted_on, lang) if case and case.submitted_on else "",
            "lor_number": case.lor_number if case else "",
            "issued_on": lor.day_text(case.issued_on, lang) if case and case.issued_on else "",
            "certificate": lor.certificate_link(_media(), case, PAGE_LINK_SECONDS) if case else None,
            "returned_reason": case.returned_reason if case and state == "returned" else "",
            "changes": changes,
            "reports": [reference(report) for report in lor.returnable_reports(session, agency_id)],
        }
    return page(
        "staff/lor_case.html",
        status=status,
        problem=problem,
        actions=ACTIONS[state],
        today=bangkok_date(now()).isoformat(),
        reason_max=REASON_MAX_CHARS,
        form=form or {},
        done=say("lor.page.done") if request.args.get("done") == "1" else "",
        **context,
    )


@staff_blueprint.get("/lor/<int:agency_id>", endpoint="lor_case")
def lor_case(agency_id: int) -> Response:
    return _case_page(agency_id)


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise lor.LorRefused("bad_date") from None


@staff_blueprint.post("/lor/<int:agency_id>/<action>", endpoint="lor_change")
def lor_change(agency_id: int, action: str) -> Response:
    if action not in ("ready", "submitted", "issued", "returned"):
        abort(404)
    media, actor, moment = _media(), _actor(), now()
    try:
        with transaction() as session:
            if action == "ready":
                lor.mark_ready(session, agency_id, actor, moment, media)
            elif action == "submitted":
                lor.mark_submitted(session, agency_id, _day("submitted_on"), actor, moment, media)
            elif action == "issued":
                upload = request.files.get("certificate")
                data = upload.read(lor.CERTIFICATE_MAX_BYTES + 1) if upload else b""
                number = request.form.get("lor_number", "")
                lor.mark_issued(session, media, agency_id, number, _day("issued_on"), data, actor, moment)
            else:
                refs = request.form.getlist("reports")
                lor.mark_returned(
                    session, agency_id, request.form.get("reason", ""), refs, actor, moment, media
                )
    except Refused as refusal:
        problem = t(refusal.catalog_key, language(), **refusal.params)
        return _case_page(agency_id, 400, problem, form=request.form.to_dict())
    return redirect(url_for("staff.lor_case", agency_id=agency_id, done=1), 303)
