"""POST /callback: verify, store in the inbox, hand off, answer 200. No business logic here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.line.event_ids import new_error_id
from bot.line.inbox_rows import inbox_batch, rejected_row

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.runtime import Runtime

log = logging.getLogger("ruamjai.webhook")


def signature_ok(channel_secret: str, body: bytes, signature: str) -> bool:
    """X-Line-Signature = base64(HMAC-SHA256(channel secret, raw body)), compared in constant time."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.encode())


class WebhookEndpoint:
    """`POST /callback` as a small WSGI app in front of Flask's routing (installed by
    `create_app` as `app.wsgi_app = WebhookEndpoint(runtime, app.wsgi_app)`); every other path
    goes on to Flask.

    LINE calls this for every event of every user, and counts an answer slower than 2 s as a
    failure. The endpoint needs nothing of what Flask gives a page (request context, cookie
    session, URL map, signals, response finalisation), and under load that machinery costs more
    than the endpoint's own work (docs/benchmarks.md, third round).
    """

    PATH = "/callback"

    def __init__(self, rt: Runtime, app: WSGIApplication) -> None:
        self.rt = rt
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            start_response(_STATUS[405], [("Allow", "POST"), ("Content-Length", "0")])
            return [b""]
        started = time.monotonic()
        try:
            with self.rt.executor.acknowledging():
                status, fields = self._acknowledge(environ)
        except Exception:
            # LINE redelivers on a 500; whatever part of the body was stored makes that a no-op.
            status, fields = 500, {"error_id": new_error_id()}
            log.exception("webhook", extra={"status": status, "duration_ms": _ms_since(started), **fields})
        else:
            log.info("webhook", extra={"status": status, "duration_ms": _ms_since(started), **fields})
        start_response(_STATUS[status], [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]

    def _acknowledge(self, environ: WSGIEnvironment) -> tuple[int, dict[str, object]]:
        rt = self.rt
        limit = rt.settings.max_body_bytes
        try:
            length = int(environ["CONTENT_LENGTH"]) if environ.get("CONTENT_LENGTH") else None
        except ValueError:
            return 400, {"reason": "malformed body"}
        if length is not None and length > limit:
            return 413, {"reason": "too large"}
        stream = environ["wsgi.input"]
        if length is not None:
            body = stream.read(length)
        elif environ.get("wsgi.input_terminated"):  # chunked: the server marks the end
            body = stream.read(limit + 1)
        else:
            body = b""
        if len(body) > limit:
            return 413, {"reason": "too large"}
        signature = environ.get("HTTP_X_LINE_SIGNATURE", "")
        if not signature or not signature_ok(rt.settings.line_channel_secret, body, signature):
            return 400, {"reason": "bad signature"}
        try:
            payload = json.loads(body)
            events = payload["events"]
            if not isinstance(events, list):
                raise TypeError("events is not a list")
        except (ValueError, KeyError, TypeError, RecursionError):
            # RecursionError: nested deeper than the parser follows; LINE never nests that deep.
            return 400, {"reason": "malformed body"}
        if not events:
            return 200, {"events": 0}  # the console's "Verify" button
        # Each event on its own: one the columns cannot hold is stored as rejected, and the
        # others in the same delivery go on as usual (bot/line/inbox_rows.py).
        batch = inbox_batch(events, rt.clock.now())
        new, unstorable = self._store(batch.rows)
        pending_sources = {source for _, source, status in new if status == "pending"}
        if pending_sources:
            rt.executor.submit(pending_sources)
        fields: dict[str, object] = {"events": len(events), "new": len(new)}
        if batch.rejected or batch.unstorable or unstorable:
            fields.update(rejected=batch.rejected, unstorable=batch.unstorable + unstorable)
        return 200, fields

    def _store(self, rows: list[dict]) -> tuple[list, int]:
        """Insert the rows; returns the new ones and how many could not be stored at all.

        The checks in inbox_rows should leave nothing for the database to refuse. If it still
        refuses a value (a limit the checks missed), the rows are tried one by one and the one it
        refuses is kept as rejected, so the delivery still answers 200. Anything else (connection
        lost, disk full) is raised: the caller answers 500 and LINE redelivers.
        """
        if not rows:
            return [], 0
        try:
            return self.rt.inbox.add(rows), 0
        except self._refused_value:
            log.exception("webhook: the database refused a checked value; storing events one by one")
        new: list = []
        unstorable = 0
        for row in rows:
            try:
                new += self.rt.inbox.add([row])
                continue
            except self._refused_value:
                pass
            event = json.loads(row["payload"])
            try:
                refused = rejected_row(event, "database refused a value", row["received_at"])
                new += self.rt.inbox.add([refused])
            except self._refused_value:
                unstorable += 1
                log.exception("webhook event not stored", extra={"error_id": new_error_id()})
        return new, unstorable

    @property
    def _refused_value(self) -> tuple[type[BaseException], ...]:
        """Errors that mean "this value does not fit", not "the database is unwell"."""
        dbapi = self.rt.engine.dialect.loaded_dbapi
        return (dbapi.DataError, OverflowError, UnicodeError)


_STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
}


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
