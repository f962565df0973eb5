"""`/my-data/<token>.json|.csv`: a person's own data, through the link "my data" gives them.

The token is the only credential (256 random bits, stored hashed, 24 hours): an unknown, malformed
or expired token is a plain 404, the same for all three so the route tells a guesser nothing.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, current_app

from bot.runtime import runtime
from handlers.services.people import as_csv, data_for_token

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,100}$")
_PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}

mydata_blueprint = Blueprint("mydata", __name__)


@mydata_blueprint.get("/my-data/<token>.<fmt>")
def my_data(token: str, fmt: str) -> Response:
    """The person's data as a JSON or CSV download; 404 for any token that does not open it."""
    if fmt not in ("json", "csv") or not _TOKEN.match(token):
        abort(404)
    rt = runtime(current_app)
    with rt.session_factory() as session:
        data = data_for_token(session, token, rt.clock.now(), rt.media, rt.settings.media_url_seconds)
    if data is None:
        abort(404)
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2)
        mimetype = "application/json"
    else:
        body = "\ufeff" + as_csv(data)  # a BOM so Excel opens Thai text as UTF-8
        mimetype = "text/csv"
    response = Response(body, mimetype=mimetype, headers=_PRIVATE)
    response.headers["Content-Disposition"] = f'attachment; filename="ruamjai-my-data.{fmt}"'
    response.charset = "utf-8"
    return response
