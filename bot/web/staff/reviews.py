"""`/staff/reviews`: the report review queue, and one report to decide on.

The queue lists submitted reports oldest first (filters in the query string, counts on top, bulk
approval of those without warnings); a report's page shows every answer, the photos with their
checks, the calculation, and the decisions. Opening a report claims it for a few minutes
(handlers/services/report_queue.py) so two staff never decide on it at once. Decisions go
through the same services as `ruamjai report …`: audited, and the reporter hears them in LINE.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, abort, current_app, g, redirect, request, url_for

import calc
from bot.web.media import signed_media_url
from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.catalog import default_catalog, label
from handlers.parsing.numbers import format_number
from handlers.services import report_queue as queue_service
from handlers.services.agencies import province_name
from handlers.services.refusals import REASON_MAX_CHARS, Refused
from handlers.services.report_queue import QueueFilter, find_report
from handlers.services.report_reference import parse_reference, reference
from handlers.services.report_review import check_photos, find_concerns, status_history
from handlers.services.reports import FIX_EXTRAS, field_label, report_details, report_photos
from handlers.services.staff_sessions import moment_words
from handlers.services.thaitime import BANGKOK, thai_date
from storage.models import Photo
from storage.models.program import Agency
from storage.models.reports import Report

DONE = ("approved", "needs_fix", "rejected", "taken")
PAGE_ROWS = 100  # queue rows per page, oldest first


def _visitor() -> int:
    return g.visit.staff_member_id


def day_words(day: date, lang: str) -> str:
    return thai_date(datetime.combine(day, time(12), tzinfo=BANGKOK), lang)


def _period(report: Report, lang: str) -> str:
    start, end = (day_words(day, lang) for day in (report.period_start, report.period_end))
    return start if start == end else f"{start} – {end}"


def concern_text(concern: str, numbers: dict[int, int]) -> str:
    """A concern as `report_review.concerns` names it, said in the page's language; a photo by
    the number staff see (`numbers`: photo id -> 1, 2, …)."""
    if concern.startswith("calc:"):
        code = concern.removeprefix("calc:")
        key = f"staffweb_review.calc_warning.{code}"
        return say("staffweb_review.concern.calc", code=say(key) if default_catalog().has(key) else code)
    if concern.startswith("photo "):
        photo_id, _, flag = concern.removeprefix("photo ").partition(": ")
        number = numbers.get(int(photo_id), photo_id) if photo_id.isdigit() else photo_id
        return say(f"staffweb_review.concern.{flag}", photo=number)
    key = f"staffweb_review.concern.{concern}"
    return say(key) if default_catalog().has(key) else concern


def concern_texts(
    session, report: Report, concerns: list[str], numbers: dict[int, int] | None = None
) -> list[str]:
    """Each concern said once (two factors may both be stand-ins: one line). `numbers`: the
    report's photo numbers by photo id, when already read."""
    if numbers is None:
        numbers = {photo.id: n for n, photo in enumerate(report_photos(session, report.id), start=1)}
    return list(dict.fromkeys(concern_text(c, numbers) for c in concerns))


def value_text(activity_key: str, name: str, value: Any, lang: str) -> str:
    """A stored answer as people read it: "1,250 kg", a choice's label, or the words given."""
    if isinstance(value, dict) and "value" in value:
        try:
            amount = format_number(Decimal(str(value["value"])))
        except InvalidOperation:
            amount = str(value["value"])
        return f"{amount} {value.get('unit') or ''}".strip()
    if isinstance(value, dict) and {"start", "end"} <= set(value):
        return " – ".join(day_words(date.fromisoformat(value[k]), lang) for k in ("start", "end"))
    if isinstance(value, list):
        return ", ".join("–" if v is None else f"{v:.5f}" for v in value)
    if value is None:
        return "–"
    try:
        field = calc.activity_type(activity_key).field(name)
    except KeyError:
        return str(value)
    choice = next((c for c in field.choices if c.key == value), None)
    return label(choice, lang) if choice else str(value)


def change_lines(report: Report, changes: list[dict], lang: str) -> list[str]:
    """What the coordinator's correction changed, one line per field."""
    lines = []
    for change in changes:
        name = change["field"]
        if name == "photos":
            lines.append(
                say("staffweb_review.changed_photos", replaced=", ".join(map(str, change["replaced"])) or "–",
                    added=change["added"], count=change["count"])
            )  # fmt: skip
            continue
        lines.append(
            say(
                "staffweb_review.changed",
                field=field_label(report.activity_key, name, lang),
                before=value_text(report.activity_key, name, change.get("before"), lang),
                after=value_text(report.activity_key, name, change.get("after"), lang),
            )
        )
    return lines


def _filters() -> QueueFilter:
    agency = request.args.get("agency", "")
    warning = request.args.get("warning") or None
    return QueueFilter(
        agency_id=int(agency) if agency.isdigit() else None,
        activity=request.args.get("activity") or None,
        province=request.args.get("province") or None,
        warning=warning if warning in queue_service.WARNING_FILTERS else None,
    )


def _done_note() -> str:
    done = request.args.get("done")
    if done not in DONE:
        return ""
    count, skipped = request.args.get("count", ""), request.args.get("skipped", "0")
    if count.isdigit() and skipped.isdigit():
        return say("staffweb_review.done_many", count=count, skipped=skipped)
    ref = request.args.get("ref", "")
    if done != "taken" and parse_reference(ref) is None:
        return ""  # only ever a reference this page made
    return say(f"staffweb_review.done.{done}", ref=ref)


@staff_blueprint.get("/reviews", endpoint="reviews")
def queue_page() -> Response:
    lang, wanted, moment = language(), _filters(), now()
    with transaction() as session:
        queue = queue_service.review_queue(session, wanted, _visitor(), moment)
        pages = max(1, -(-len(queue.rows) // PAGE_ROWS))
        number = min(
            max(int(request.args["page"]) if request.args.get("page", "").isdigit() else 1, 1), pages
        )
        shown = queue.rows[(number - 1) * PAGE_ROWS : number * PAGE_ROWS]
        rows = [
            {
                "ref": reference(row.report),
                "agency": row.agency.name if row.agency else "",
                "province": province_name(row.agency.province_code, lang) if row.agency else "",
                "activity": label(calc.activity_type(row.report.activity_key), lang),
                "period": _period(row.report, lang),
                "submitted": moment_words(row.report.created_at, lang),
                "concerns": concern_texts(session, row.report, row.concerns, row.photo_numbers),
                "corrected": row.corrected,
                "changes": change_lines(row.report, row.changes, lang),
                "held_by": say("staffweb_review.has_open", name=row.claim.name or "") if row.claim else "",
                "bulk": not row.concerns and row.claim is None,
                "id": row.report.id,
            }
            for row in shown
        ]
        agencies = [(a.id, a.name) for a in queue.agencies]
        provinces = [(code, province_name(code, lang)) for code in queue.provinces]
        counts = {"waiting": queue.waiting, "with_concerns": queue.with_concerns,
                  "without": queue.waiting - queue.with_concerns, "corrected": queue.corrected,
                  "shown": len(queue.rows)}  # fmt: skip
    activities = [(kind.key, label(kind, lang)) for kind in calc.activity_types()]
    return page(
        "staff/reviews.html",
        rows=rows,
        counts=counts,
        agencies=agencies,
        provinces=provinces,
        activities=activities,
        wanted=wanted,
        note=_done_note(),
        page_number=number,
        pages=pages,
        page_link=lambda n: url_for("staff.reviews", **{**request.args.to_dict(), "page": n}),
    )


@staff_blueprint.post("/reviews/approve-many", endpoint="reviews_approve_many")
def approve_many() -> Response:
    ids = [int(i) for i in request.form.getlist("report") if i.isdigit()]
    with transaction() as session:
        approved, skipped = queue_service.approve_many(session, ids, _visitor(), now())
    return redirect(url_for("staff.reviews", done="approved", count=len(approved), skipped=len(skipped)))


@staff_blueprint.get("/reviews/next", endpoint="review_next")
def next_page() -> Response:
    after = request.args.get("after", "")
    with transaction() as session:
        report = queue_service.next_report(
            session, _visitor(), now(), int(after) if after.isdigit() else None
        )
        target = reference(report) if report else None
    params = {k: request.args[k] for k in ("done", "ref") if k in request.args}
    if target is None:
        return redirect(url_for("staff.reviews", **params))
    return redirect(url_for("staff.review", key=target, **params))


@staff_blueprint.get("/reviews/<key>", endpoint="review")
def report_page(key: str) -> Response:
    return _report_page(key)


def _report_page(key: str, error: str = "", status: int = 200, form: dict | None = None) -> Response:
    lang, moment = language(), now()
    with transaction() as session:
        try:
            report = find_report(session, key)
        except Refused:
            abort(404)
        claim = None
        if report.status == "submitted":
            claim = queue_service.open_report(session, report, _visitor(), moment)
        context = sheet(session, report, lang)
        next_report = queue_service.next_report(session, _visitor(), moment, after=report.id)
        context["next_ref"] = reference(next_report) if next_report else None
    held = claim is not None and claim.staff_member_id != _visitor()
    context.update(
        held=held,
        held_by=say("staffweb_review.has_open", name=claim.name or "") if held and claim else "",
        held_until=say("staffweb_review.take_over_after", when=moment_words(claim.expires_at, lang))
        if held and claim
        else "",
        error=error,
        note=_done_note(),
        form=form or {},
        failed=request.endpoint if error else "",
        reason_max=REASON_MAX_CHARS,
    )
    return page("staff/review.html", status=status, **context)


def sheet(session, report: Report, lang: str) -> dict[str, Any]:
    """The report's page: answers, photos with their checks, calculation, history."""
    details = report_details(session, report)
    activity = calc.activity_type(report.activity_key)
    checks = {check.id: check for check in check_photos(session, report)}
    reused = queue_service.reused_photo_reports(session, report)
    answers = [
        {"label": label(field, lang), "value": value_text(report.activity_key, field.name,
                                                          details["inputs"][field.name], lang)}
        for field in activity.fields
        if field.name in details["inputs"]
    ]  # fmt: skip
    photos = []
    for photo in details["photos"]:
        check = checks[photo["id"]]
        other = reused.get(photo["id"])
        photos.append(
            {
                "number": photo["number"],
                "thumb": _url(_thumb_key(session, photo["id"])),
                "large": _url(photo["display_key"]),
                "taken": moment_words(check.captured_at, lang) if check.captured_at else "",
                "gps": f"{check.lat:.5f}, {check.lon:.5f}"
                if check.lat is not None and check.lon is not None
                else "",
                "km": format_number(Decimal(str(check.km_from_province)), max_decimals=0)
                if check.km_from_province is not None
                else "",
                "flags": [say(f"staffweb_review.photo_flag.{flag}") for flag in check.flags],
                "reused": photo["duplicate_of"] is not None,
                "reused_ref": other[1] if other else "",
                "marked_wrong": photo["marked_wrong"],
            }
        )
    result = details["result"]
    steps = [
        {
            "name": step["name"],
            "formula": step["formula"],
            "factor": f"{step['factor']['dataset']}@{step['factor']['version']}" if step["factor"] else "",
            "source": _source(step["factor"]),
            "url": (step["factor"] or {}).get("source", {}).get("url") or "",
        }
        for step in result.get("steps", [])
    ]
    fix_fields = [(field.name, label(field, lang)) for field in activity.fields]
    fix_fields += [(name, field_label(report.activity_key, name, lang)) for name in FIX_EXTRAS]
    history = [
        {
            "when": moment_words(datetime.fromisoformat(entry["at"]), lang),
            "step": say(f"staffweb_review.step.{entry['step']}") if entry["step"] in STEPS else entry["step"],
            "reason": entry["reason"] or "",
        }
        for entry in status_history(session, report)
    ]
    agency = details_agency(session, report, lang)
    corrected = "corrected" in details["flags"]
    return {
        "report": report,
        "ref": details["reference"],
        "status_text": say(f"staffweb.status.{report.status}"),
        "submitted": report.status == "submitted",
        "agency": agency,
        "activity": label(activity, lang),
        "period": _period(report, lang),
        "created": moment_words(report.created_at, lang),
        "answers": answers,
        "place": details["place"],
        "photos": photos,
        "steps": steps,
        "total": format_number(Decimal(report.kg_co2e) / 1000) if report.kg_co2e is not None else "",
        "calc_status": report.calc_status,
        "concerns": concern_texts(session, report, find_concerns(session, report)),
        "corrected": corrected,
        "changes": change_lines(report, details["changes"] or [], lang) if corrected else [],
        "fix_fields": fix_fields,
        "history": history,
    }


STEPS = ("submit", "resubmit", "approved", "needs_fix", "rejected", "withdraw", "review_take_over")


def details_agency(session, report: Report, lang: str) -> dict[str, str]:
    agency = session.get(Agency, report.agency_id)
    if agency is None:
        return {"name": "", "province": ""}
    return {"name": agency.name, "province": province_name(agency.province_code, lang)}


def _source(factor: dict | None) -> str:
    if not factor:
        return ""
    source = factor.get("source") or {}
    return ", ".join(
        part for part in (source.get("title"), source.get("publisher"), source.get("date")) if part
    )


def _thumb_key(session, photo_id: int) -> str:
    photo = session.get(Photo, photo_id)
    return photo.thumb_key if photo else ""


def _url(key: str) -> str:
    return signed_media_url(current_app, key) if key else ""


def _decide(key: str, decide) -> Response:
    """Run one decision on the report called `key`, then on to the next report; a refusal shows
    the page again with why (nothing changed: the transaction is rolled back)."""
    try:
        with transaction() as session:
            try:
                report = find_report(session, key)
            except Refused:
                abort(404)
            done = decide(session, report)
            report_id, ref = report.id, reference(report)
    except Refused as refused:
        return _report_page(key, error=say(refused.catalog_key, **_params(refused)), status=409,
                            form=request.form.to_dict(flat=False))  # fmt: skip
    if done == "taken":
        return redirect(url_for("staff.review", key=ref, done="taken"))
    return redirect(url_for("staff.review_next", after=report_id, done=done, ref=ref))


def _params(refused: Refused) -> dict[str, object]:
    params = dict(refused.params)
    if "until" in params:
        params["until"] = moment_words(params["until"], language())
    return params


@staff_blueprint.post("/reviews/<key>/approve", endpoint="review_approve")
def approve(key: str) -> Response:
    despite = request.form.get("despite") == "yes"

    def decide(session, report):
        queue_service.approve(session, report, _visitor(), now(), despite)
        return "approved"

    return _decide(key, decide)


@staff_blueprint.post("/reviews/<key>/needs-fix", endpoint="review_needs_fix")
def send_back(key: str) -> Response:
    fields = request.form.getlist("field")
    photos = [int(n) for n in request.form.getlist("photo") if n.isdigit()]
    reason = request.form.get("reason", "")

    def decide(session, report):
        queue_service.send_back(session, report, fields, photos, reason, _visitor(), now())
        return "needs_fix"

    return _decide(key, decide)


@staff_blueprint.post("/reviews/<key>/reject", endpoint="review_reject")
def reject(key: str) -> Response:
    reason = request.form.get("reason", "")

    def decide(session, report):
        queue_service.reject(session, report, reason, _visitor(), now())
        return "rejected"

    return _decide(key, decide)


@staff_blueprint.post("/reviews/<key>/take-over", endpoint="review_take_over")
def take_over(key: str) -> Response:
    def decide(session, report):
        queue_service.take_over(session, report, _visitor(), now())
        return "taken"

    return _decide(key, decide)
