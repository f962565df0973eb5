"""`/staff/registrations`: agencies waiting for approval (with the agencies they may duplicate) and
join requests; `/staff/agencies/<id>`: one agency, to approve or reject with a reason.

Decisions call the same services as `ruamjai agency approve|reject|decide-join`, so coordinators
hear them in LINE through the outbox exactly as from the CLI. Coordinators' phones are shown on
the agency page only (staff call them), and never logged.
"""

from __future__ import annotations

import geothai
from flask import Response, abort, g, redirect, request, url_for

from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.catalog import label, t
from handlers.parsing.phone import format_thai_mobile
from handlers.services.agencies import approve_agency, province_name, reject_agency
from handlers.services.refusals import REASON_MAX_CHARS, Refused
from handlers.services.staff_registrations import (
    agency_file,
    decide_join,
    waiting_agencies,
    waiting_join_requests,
)
from handlers.services.staff_sessions import moment_words
from storage.models.program import Agency

# Outcomes shown after a decision (`?done=`), each a catalog sentence.
DONE = ("approved", "rejected", "join_approved", "join_declined")


def _actor() -> str:
    return f"staff:{g.visit.staff_member_id}"


def _place(agency: Agency) -> str:
    lang = language()
    province = province_name(agency.province_code, lang)
    district = geothai.district(agency.district_code) if agency.district_code else None
    return f"{label(district, lang, field='name')}, {province}" if district else province


def _phone(e164: str | None) -> str:
    return format_thai_mobile(e164) if e164 else ""


def _row(agency: Agency) -> dict[str, object]:
    """What a list shows of an agency."""
    return {
        "id": agency.id,
        "name": agency.name,
        "place": _place(agency),
        "type": say(f"register.type_{agency.agency_type}"),
        "status": say(f"staffweb.registrations.status_{agency.status}"),
        "when": moment_words(agency.created_at, language()),
        "public": say(
            "staffweb.publicity.line",
            name=say(f"staffweb.publicity.{'yes' if agency.show_name_publicly else 'no'}"),
            photos=say(f"staffweb.publicity.{'yes' if agency.show_photos_publicly else 'no'}"),
        ),
    }


def _done_note() -> str:
    done = request.args.get("done", "")
    return say(f"staffweb.registrations.done_{done}") if done in DONE else ""


@staff_blueprint.get("/registrations", endpoint="registrations")
def registrations_page() -> Response:
    return _registrations_page()


def _registrations_page(status: int = 200, problem: str = "") -> Response:
    with transaction() as session:
        waiting = [
            {**_row(item.agency), "similar": [_row(other) for other in item.similar]}
            for item in waiting_agencies(session)
        ]
        joins = [
            {
                "id": join.id,
                "when": moment_words(join.created_at, language()),
                "agency": _row(agency),
            }
            for join, agency in waiting_join_requests(session)
        ]
    return page(
        "staff/registrations.html",
        status=status,
        waiting=waiting,
        joins=joins,
        done=_done_note(),
        problem=problem,
    )


def _agency_page(agency_id: int, status: int = 200, problem: str = "", reason: str = "") -> Response:
    with transaction() as session:
        try:
            found = agency_file(session, agency_id)
        except Refused:
            abort(404)
        agency = found.agency
        context = {
            "agency": _row(agency),
            "status_code": agency.status,
            "reject_reason": agency.reject_reason,
            "decided": moment_words(agency.decided_at, language()) if agency.decided_at else "",
            "coordinators": [
                {"name": c.name, "position": c.position, "phone": _phone(c.phone_e164)}
                for c in found.coordinators
            ],
            "joins": [
                {
                    "id": j.id,
                    "name": j.name,
                    "position": j.position,
                    "phone": _phone(j.phone_e164),
                    "when": moment_words(j.created_at, language()),
                }
                for j in found.join_requests
            ],
            "similar": [_row(other) for other in found.similar],
        }
    return page(
        "staff/agency.html",
        status=status,
        problem=problem,
        reason=reason,
        reason_max=REASON_MAX_CHARS,
        done=_done_note(),
        **context,
    )


@staff_blueprint.get("/agencies/<int:agency_id>", endpoint="agency")
def agency_page(agency_id: int) -> Response:
    return _agency_page(agency_id)


@staff_blueprint.post("/agencies/<int:agency_id>/approve", endpoint="approve_agency")
def approve(agency_id: int) -> Response:
    try:
        with transaction() as session:
            approve_agency(session, agency_id, _actor(), now())
    except Refused as refusal:
        return _agency_page(agency_id, 400, t(refusal.catalog_key, language(), **refusal.params))
    return redirect(url_for("staff.agency", agency_id=agency_id, done="approved"), 303)


@staff_blueprint.post("/agencies/<int:agency_id>/reject", endpoint="reject_agency")
def reject(agency_id: int) -> Response:
    reason = request.form.get("reason", "")
    try:
        with transaction() as session:
            reject_agency(session, agency_id, reason, _actor(), now())
    except Refused as refusal:
        problem = t(refusal.catalog_key, language(), **refusal.params)
        return _agency_page(agency_id, 400, problem, reason[: REASON_MAX_CHARS * 2])
    return redirect(url_for("staff.agency", agency_id=agency_id, done="rejected"), 303)


@staff_blueprint.post("/join-requests/<int:request_id>", endpoint="decide_join")
def decide(request_id: int) -> Response:
    decision = request.form.get("decision")
    if decision not in ("approve", "decline"):
        abort(400)
    back = request.form.get("back") == "agency"
    try:
        with transaction() as session:
            join = decide_join(session, request_id, decision == "approve", _actor(), now())
            agency_id = join.agency_id
    except Refused as refusal:
        return _registrations_page(400, t(refusal.catalog_key, language(), **refusal.params))
    done = "join_approved" if decision == "approve" else "join_declined"
    if back:
        return redirect(url_for("staff.agency", agency_id=agency_id, done=done), 303)
    return redirect(url_for("staff.registrations", done=done), 303)
