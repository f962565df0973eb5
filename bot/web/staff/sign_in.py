"""`/staff/sign-in`: a one-time code and its QR code, the browser's wait for the confirmation in
LINE, the session it then collects, and sign-out.

The code's cookie holds the code's id, the code (to show it again on reload) and the browser's
own secret: only the browser that showed a code can collect the session it opens.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import segno
from flask import Response, current_app, jsonify, redirect, request, url_for

from bot.runtime import runtime
from bot.web.staff.core import (
    SESSION_COOKIE,
    current_visit,
    now,
    page,
    set_cookie,
    staff_blueprint,
    transaction,
)
from handlers.services.refusals import Refused
from handlers.services.staff_sessions import collect as collect_session
from handlers.services.staff_sessions import sign_out as end_session
from handlers.services.staff_sign_in import (
    CODE_LIFETIME,
    browser_code,
    code_state,
    describe_browser,
    grouped,
    has_code_shape,
    start_sign_in,
)
from handlers.services.thaitime import BANGKOK

CODE_COOKIE = "ruamjai_staff_sign_in"
NOTES = ("not_yet", "signed_out", "session_ended", "expired", "cancelled")


def _pending() -> tuple[int, str, str] | None:
    """(code id, code, browser secret) from this browser's sign-in cookie, if it has one."""
    code_id, _, rest = request.cookies.get(CODE_COOKIE, "").partition(".")
    code, _, secret = rest.partition(".")
    if not code_id.isdigit() or not has_code_shape(code) or len(secret) < 32:
        return None
    return int(code_id), code, secret


def _state(pending: tuple[int, str, str] | None) -> str:
    if pending is None:
        return "none"
    with transaction() as session:
        return code_state(browser_code(session, pending[0], pending[2]), now())


def _client_ip() -> str:
    return request.remote_addr or ""


def line_link(code: str) -> str | None:
    """The LINE URL scheme that opens the bot's chat with the code typed in, when the basic id is
    known (https://developers.line.biz/en/docs/messaging-api/using-line-url-scheme/)."""
    basic_id = runtime(current_app).settings.line_basic_id
    if not basic_id:
        return None
    return f"https://line.me/R/oaMessage/{quote(basic_id, safe='')}/?{quote(grouped(code), safe='')}"


@staff_blueprint.get("/sign-in")
def sign_in() -> Response:
    """The code to send, with its QR code; a new one unless this browser's code still waits."""
    if current_visit() is not None:
        return redirect(url_for("staff.dashboard"))
    note = request.args.get("m") if request.args.get("m") in NOTES else None
    pending = _pending()
    state = _state(pending)
    cookie = None
    if state not in ("waiting", "confirmed") or request.args.get("new"):
        if state in ("expired", "cancelled") and not request.args.get("new"):
            note = state
        try:
            with transaction() as session:
                made = start_sign_in(
                    session,
                    ip=_client_ip(),
                    user_agent=request.headers.get("User-Agent", ""),
                    now=now(),
                )
        except Refused:
            return page("staff/sign_in.html", status=429, too_many=True, note=None)
        pending, state = (made.id, made.code, made.browser_secret), "waiting"
        cookie = f"{made.id}.{made.code}.{made.browser_secret}"
    assert pending is not None
    code = pending[1]
    link = line_link(code)
    qr = (
        segno.make(link, error="m").svg_inline(scale=1, border=2, omitsize=True, light="#fff")
        if link
        else None
    )
    with transaction() as session:
        row = browser_code(session, pending[0], pending[2])
        valid_until = (row.expires_at if row else now() + CODE_LIFETIME).astimezone(BANGKOK)
    response = page(
        "staff/sign_in.html",
        code=grouped(code),
        qr=qr,
        link=link,
        basic_id=runtime(current_app).settings.line_basic_id,
        state=state,
        note=note,
        valid_until=f"{valid_until:%H:%M}",
        too_many=False,
    )
    if cookie:
        set_cookie(
            response, CODE_COOKIE, cookie, max_age=int((CODE_LIFETIME + timedelta(minutes=5)).total_seconds())
        )
    return response


@staff_blueprint.get("/sign-in/status")
def sign_in_status() -> Response:
    """What the waiting page polls: {"state": waiting | confirmed | cancelled | expired | …}."""
    return jsonify(state=_state(_pending()))


@staff_blueprint.post("/sign-in/collect")
def collect() -> Response:
    """This browser's session, once its code was confirmed in LINE; else back to the wait."""
    pending = _pending()
    token = None
    if pending is not None:
        with transaction() as session:
            token = collect_session(
                session,
                pending[0],
                pending[2],
                describe_browser(request.headers.get("User-Agent", "")),
                now(),
            )
    if token is None:
        return redirect(url_for("staff.sign_in", m="not_yet"))
    response = redirect(url_for("staff.dashboard"))
    set_cookie(response, SESSION_COOKIE, token)
    response.delete_cookie(CODE_COOKIE, path="/staff")
    return response


@staff_blueprint.post("/sign-out")
def sign_out() -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        with transaction() as session:
            end_session(session, token, now())
    response = redirect(url_for("staff.sign_in", m="signed_out"))
    response.delete_cookie(SESSION_COOKIE, path="/staff")
    return response
