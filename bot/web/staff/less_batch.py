"""`/staff/less/batch`: the program's submission batch to TGO. Lists every approved agency as ready
or not for a period (with what each still lacks, linked to its pages), takes the chosen ready ones
and returns one ZIP of their LESS packages with a cover sheet, recording the batch; past batches can
be rebuilt and compared with their recorded hashes (`/staff/less/batch/<id>`).

Built by handlers/services/less_batch.py: read in one short transaction, written into a temporary
file with none open, recorded in another, then streamed from the file. A retried POST (the form's
idempotency key) records nothing new."""

from __future__ import annotations

import secrets
import tempfile
from datetime import date

from flask import Response, abort, current_app, g, redirect, request, send_file, url_for

from bot.runtime import runtime
from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.catalog import t
from handlers.parsing.periods import Period, format_period
from handlers.services import less_batch, lor
from handlers.services.less_package import default_period
from handlers.services.thaitime import BANGKOK, thai_date


def _period(source) -> tuple[date, date] | None:
    """The period a form sent; None when it sent none; ValueError when it cannot be read."""
    start, end = source.get("start", "").strip(), source.get("end", "").strip()
    if not start and not end:
        return None
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if first > last:
        raise ValueError("start after end")
    return first, last


def _when(moment) -> str:
    return f"{thai_date(moment, language())} {moment.astimezone(BANGKOK):%H:%M}"


def _batch_page(
    period: tuple[date, date] | None,
    status: int = 200,
    problem: str = "",
    refused: dict[int, list[str]] | None = None,
) -> Response:
    lang = language()
    with transaction() as session:
        period = period or default_period(session, now())
        rows = [
            {
                "id": row.agency_id,
                "name": row.name,
                "ready": row.ready,
                "lacks": [{"text": p.text(lang), "ref": p.ref} for p in row.problems],
            }
            for row in less_batch.readiness(session, period, now())
        ]
        past = less_batch.past_batches(session)
        names = lor.actor_names(session, [item.batch for item in past], language())  # type: ignore[arg-type]
        batches = [
            {
                "id": item.batch.id,
                "label": item.batch.label,
                "when": _when(item.batch.created_at),
                "who": names.get(item.batch.actor, item.batch.actor),
                "period": format_period(Period(item.batch.period_start, item.batch.period_end, "day"), lang),
                "zip_sha256": item.batch.zip_sha256,
                "cover_sha256": item.batch.cover_sha256,
                "files": [{"name": p.file_name, "sha256": p.sha256} for p in item.packages],
            }
            for item in past
        ]
    return page(
        "staff/less_batch.html",
        status=status,
        start=period[0].isoformat(),
        end=period[1].isoformat(),
        rows=rows,
        any_ready=any(row["ready"] for row in rows),
        batches=batches,
        problem=problem,
        refused=refused or {},
        idempotency_key=secrets.token_hex(16),
    )


@staff_blueprint.get("/less/batch", endpoint="less_batch")
def batch_page() -> Response:
    try:
        period = _period(request.args)
    except ValueError:
        text = f"{request.args.get('start', '')} – {request.args.get('end', '')}"[:40]
        return _batch_page(None, 400, say("less_batch.page.bad_period", text=text))
    return _batch_page(period)


def _chosen_ids() -> list[int]:
    return sorted({int(value) for value in request.form.getlist("agency") if value.strip().isdigit()})


@staff_blueprint.post("/less/batch", endpoint="less_batch_download")
def batch_download() -> Response:
    lang = language()
    try:
        period = _period(request.form)
    except ValueError:
        period = None
    if period is None:
        text = f"{request.form.get('start', '')} – {request.form.get('end', '')}"[:40]
        return _batch_page(None, 400, say("less_batch.page.bad_period", text=text))
    chosen, key = _chosen_ids(), request.form.get("key", "").strip()[:64] or None
    moment = now()
    try:
        with transaction() as session:
            earlier = less_batch.recent_batch(session, key, less_batch.chosen_key(period, chosen), moment)
            day = earlier.batch_date if earlier else None
            prepared = less_batch.prepare_batch(session, chosen, period, moment, batch_date=day)
    except less_batch.BatchRefused as refusal:
        listed = {
            agency_id: [p.text(lang) for p in problems] for agency_id, problems in refusal.problems.items()
        }
        return _batch_page(period, 409, t(refusal.catalog_key, lang, **refusal.params), listed)
    media = runtime(current_app).media
    spool = tempfile.TemporaryFile()
    try:
        built = less_batch.write_batch(prepared, spool, media)  # no transaction open meanwhile
        with transaction() as session:
            less_batch.record_batch(
                session,
                prepared,
                built,
                f"staff:{g.visit.staff_member_id}",
                now(),
                idempotency_key=key,
                media=media,
            )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return send_file(
        spool, mimetype="application/zip", as_attachment=True, download_name=f"{prepared.label}.zip"
    )


def _rebuilt(batch_id: int):
    """The recorded batch rebuilt into a temporary file: (batch, file, differences), or the refusal."""
    with transaction() as session:
        try:
            found = less_batch.prepare_again(session, batch_id, now())
        except less_batch.BatchRefused as refusal:
            return None, None, refusal
        if found is None:
            abort(404)
        batch, prepared = found
        session.expunge(batch)
    spool = tempfile.TemporaryFile()
    try:
        built = less_batch.write_batch(prepared, spool, runtime(current_app).media)
        with transaction() as session:
            differences = less_batch.differences(session, batch, built)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return batch, spool, differences


@staff_blueprint.get("/less/batch/<int:batch_id>", endpoint="less_batch_check")
def batch_check(batch_id: int) -> Response:
    lang = language()
    batch, spool, result = _rebuilt(batch_id)
    if spool is None:
        lists = {aid: [p.text(lang) for p in problems] for aid, problems in result.problems.items()}
        return page("staff/less_batch_check.html", batch_id=batch_id, label="", refused=lists, differences=[])
    spool.close()
    return page(
        "staff/less_batch_check.html",
        batch_id=batch_id,
        label=batch.label,
        refused={},
        differences=result,
        names=", ".join("ZIP" if name == "*" else name for name in result),
    )


@staff_blueprint.get("/less/batch/<int:batch_id>.zip", endpoint="less_batch_again")
def batch_again(batch_id: int) -> Response:
    batch, spool, result = _rebuilt(batch_id)
    if spool is None:
        return redirect(url_for("staff.less_batch_check", batch_id=batch_id), 303)
    response = send_file(
        spool, mimetype="application/zip", as_attachment=True, download_name=f"{batch.label}.zip"
    )
    response.headers["X-Batch-Matches-Record"] = "no" if result else "yes"
    return response
