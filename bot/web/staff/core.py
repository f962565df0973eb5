"""`/staff`: the program staff's web pages, in Thai with an English switch.

Every page but sign-in and the static files needs a live staff web session (a cookie holding a
token whose hash is a `staff_web_sessions` row); without one it redirects to sign-in. Pages carry
security headers (a CSP without inline code, no framing, no caching); every POST carries a CSRF
token (Flask-WTF's CSRFProtect, wired in the app factory). The sign-in routes are in
bot/web/staff/sign_in.py, the dashboard in bot/web/staff/dashboard.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session

from bot.runtime import runtime
from bot.web.fonts import font_response
from bot.web.headers import content_security_policy, media_origin
from handlers.catalog import LANGUAGES, t
from handlers.services.staff_sessions import StaffVisit, visit_of

SESSION_COOKIE = "ruamjai_staff_session"
LANGUAGE_COOKIE = "ruamjai_staff_language"
COOKIE_PATH = "/staff"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Reachable without a session: signing in, and what the sign-in page itself needs.
OPEN_ENDPOINTS = frozenset(
    {"staff.sign_in", "staff.sign_in_status", "staff.collect", "staff.sign_out", "staff.static", "staff.font"}
)

staff_blueprint = Blueprint(
    "staff",
    __name__,
    url_prefix=COOKIE_PATH,
    template_folder="templates",
    static_folder="static/staff",
    static_url_path="/static",
)


@contextmanager
def transaction() -> Iterator[Session]:
    with runtime(current_app).session_factory.begin() as session:
        yield session


def now():
    return runtime(current_app).clock.now()


def secure_cookies(app: Flask) -> bool:
    """Cookies only over HTTPS when the app is served over HTTPS."""
    return (runtime(app).settings.public_base_url or "").startswith("https://")


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=secure_cookies(current_app),
        httponly=True,
        samesite="Lax",
    )


def language() -> str:
    """The page's language: asked for (`?lang=en`), else remembered in a cookie, else Thai."""
    chosen = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or "th"
    return chosen if chosen in LANGUAGES else "th"


def say(key: str, **params: object) -> str:
    """A catalog sentence in the page's language (templates call it `_`)."""
    return t(key, language(), **params)


def current_visit() -> StaffVisit | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    idle = timedelta(minutes=runtime(current_app).settings.staff_session_idle_minutes)
    with transaction() as session:
        return visit_of(session, token, now(), idle)


def page(template: str, status: int = 200, **context: object) -> Response:
    """A staff page rendered in the chosen language."""
    body = render_template(
        template,
        _=say,
        lang=language(),
        other_language="en" if language() == "th" else "th",
        visit=g.get("visit"),
        **context,
    )
    return Response(body, status=status, mimetype="text/html")


@staff_blueprint.before_request
def sign_in_first():
    """Send anyone without a live session to sign-in."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    visit = current_visit()
    if visit is None:
        ended = SESSION_COOKIE in request.cookies
        response = redirect(url_for("staff.sign_in", m="session_ended" if ended else None))
        if ended:
            response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        return response
    g.visit = visit
    return None


@staff_blueprint.after_request
def protect(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    origin = media_origin(current_app)
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy([origin] if origin else [])
    )
    if request.endpoint not in ("staff.static", "staff.font"):
        response.headers["Cache-Control"] = "no-store"
    if request.args.get("lang") in LANGUAGES:
        set_cookie(response, LANGUAGE_COOKIE, language(), max_age=365 * 24 * 3600)
    return response


@staff_blueprint.errorhandler(CSRFError)
def refuse_forged(_error: CSRFError) -> Response:
    """A form without its token, or with another's: refused, and nothing changed."""
    return page("staff/refused.html", status=403)


@staff_blueprint.get("/fonts/sarabun-<int:weight>.ttf")
def font(weight: int) -> Response:
    return font_response(weight)
