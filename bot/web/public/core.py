"""The public pages: no sign-in, Thai at the bare path and English under /en, served with
everything they need from this app (fonts, styles, scripts, pictures drawn on the server).

Shared by every public page module (results, open data, board, share image): the blueprint, the
security headers, the language of a request and `page()` to render a template in it. No personal
data is ever handed to these templates: they get figures and consented agency names only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import segno
from flask import Blueprint, Response, current_app, g, render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from bot.runtime import runtime
from bot.web.fonts import font_response
from bot.web.headers import content_security_policy
from handlers.catalog import t

SECURITY_HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

public_blueprint = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static/public",
    static_url_path="/public/static",
)


@contextmanager
def transaction() -> Iterator[Session]:
    with runtime(current_app).session_factory.begin() as session:
        yield session


def now():
    return runtime(current_app).clock.now()


def language() -> str:
    """English for paths under /en (the route passes lang="en"), Thai otherwise."""
    return g.get("public_language", "th")


def use_language(lang: str) -> None:
    g.public_language = "en" if lang == "en" else "th"


def say(key: str, **params: object) -> str:
    return t(key, language(), **params)


def page(template: str, status: int = 200, **context: object) -> Response:
    """Render a public template in the request's language; `_` is the catalog."""
    lang = language()
    html = render_template(
        template,
        _=lambda key, **params: t(key, lang, **params),
        lang=lang,
        other_language="en" if lang == "th" else "th",
        **context,
    )
    return Response(html, status=status, mimetype="text/html")


@public_blueprint.after_request
def protect(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@public_blueprint.get("/fonts/sarabun-<int:weight>.ttf")
def font(weight: int) -> Response:
    return font_response(weight)


def line_account() -> tuple[str | None, Markup | None]:
    """The link that adds the bot's LINE account (LINE_BASIC_ID) and its QR code as inline SVG (no
    external host, any size); (None, None) when the basic id is not set."""
    basic_id = runtime(current_app).settings.line_basic_id
    if not basic_id:
        return None, None
    link = f"https://line.me/R/ti/p/{quote(basic_id, safe='')}"
    qr = segno.make(link, error="m").svg_inline(scale=1, border=2, omitsize=True, light="#fff")
    return link, Markup(qr)  # noqa: S704 (segno draws it from our own link)
