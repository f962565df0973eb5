"""POST /callback: verify, store in the inbox, hand off, answer 200. No business logic here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

from flask import Blueprint, Response, current_app, request
from linebot.v3.webhooks import Event

from bot.executor import source_key_of
from bot.runtime import runtime

log = logging.getLogger("ruamjai.webhook")
blueprint = Blueprint("webhook", __name__)


def signature_ok(channel_secret: str, body: bytes, signature: str) -> bool:
    """X-Line-Signature = base64(HMAC-SHA256(channel secret, raw body)), compared in constant time."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.encode())


def _answer(status: int, started: float, **fields) -> Response:
    log.info(
        "webhook",
        extra={"status": status, "duration_ms": round((time.monotonic() - started) * 1000, 1), **fields},
    )
    return Response(status=status)


def inbox_row(event: dict, now) -> dict:
    """An inbox row for one event as LINE sent it. Unknown types and standby mode are kept but
    never answered (LINE.md: standby events have no reply token)."""
    # A type the SDK knows (its discriminator map), as WebhookParser decides; the full typed parse
    # happens in the executor, off the 2-second path.
    known = Event.get_discriminator_value(event) is not None
    mode = str(event.get("mode") or "active")
    return {
        "webhook_event_id": str(event["webhookEventId"]),
        "source_key": source_key_of(event),
        "event_type": str(event.get("type") or "?")[:32],
        "mode": mode[:16],
        "timestamp_ms": int(event["timestamp"]),
        "reply_token": event.get("replyToken"),
        "payload": json.dumps(event, ensure_ascii=False, separators=(",", ":")),
        "status": "pending" if known and mode == "active" else "ignored",
        "attempts": 0,
        "error_id": None,
        "received_at": now,
        "processed_at": None,
    }


@blueprint.post("/callback")
def callback() -> Response:
    started = time.monotonic()
    rt = runtime(current_app)
    with rt.executor.acknowledging():
        return _acknowledge(rt, started)


def _acknowledge(rt, started: float) -> Response:
    length = request.content_length
    if length is not None and length > rt.settings.max_body_bytes:
        return _answer(413, started, reason="too large")
    body = request.stream.read(rt.settings.max_body_bytes + 1)
    if len(body) > rt.settings.max_body_bytes:
        return _answer(413, started, reason="too large")
    signature = request.headers.get("X-Line-Signature", "")
    if not signature or not signature_ok(rt.settings.line_channel_secret, body, signature):
        return _answer(400, started, reason="bad signature")
    try:
        payload = json.loads(body)
        events = payload["events"]
        if not isinstance(events, list):
            raise TypeError("events is not a list")
        now = rt.clock.now()
        rows = [inbox_row(event, now) for event in events]
    except (ValueError, KeyError, TypeError):
        return _answer(400, started, reason="malformed body")
    if not rows:
        return _answer(200, started, events=0)  # the console's "Verify" button
    new = rt.inbox.add(rows)
    pending_sources = {source for _, source, status in new if status == "pending"}
    if pending_sources:
        rt.executor.submit(pending_sources)
    return _answer(200, started, events=len(rows), new=len(new))
