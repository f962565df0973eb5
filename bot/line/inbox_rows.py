"""Webhook events → inbox rows, each event checked on its own against what the columns hold.

LINE redelivers a whole body that got a 500, so one event the database cannot store (a timestamp
beyond 64 bits, an id longer than its column, a NUL character that PostgreSQL's text refuses)
would otherwise fail the other users' events delivered with it, again and again. Every stored field
is checked here, before the inbox write, against limits read from the table itself; an event that
fails becomes a `rejected` row with a short reason that names the field, never its value.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from linebot.v3.webhooks import Event
from sqlalchemy import String

from bot.line.event_ids import new_error_id, source_key_of
from storage.models import InboxEvent

log = logging.getLogger("ruamjai.webhook")

_COLUMNS = InboxEvent.__table__.c


def _length(column: str) -> int:
    kind = _COLUMNS[column].type
    assert isinstance(kind, String) and kind.length, column
    return kind.length


# BIGINT on PostgreSQL, INTEGER (8 bytes) on SQLite.
MIN_BIGINT, MAX_BIGINT = -(2**63), 2**63 - 1
ID_MAX = _length("webhook_event_id")
SOURCE_MAX = _length("source_key")
TYPE_MAX = _length("event_type")
MODE_MAX = _length("mode")
REPLY_TOKEN_MAX = _length("reply_token")
REASON_MAX = _length("reject_reason")


@dataclass
class InboxBatch:
    """What one delivery's events became: rows to insert, and events that could not be rows."""

    rows: list[dict[str, Any]]
    rejected: int = 0
    unstorable: int = 0


def storable_text(value: object, limit: int) -> str | None:
    """Why `value` cannot go into a text column of `limit` characters on both databases, or None."""
    if not isinstance(value, str):
        return "not text"
    if not value:
        return "empty"
    if len(value) > limit:
        return "too long"
    if "\x00" in value:
        return "NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode"
    return None


def _timestamp_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "not a number"
    if isinstance(value, float) and not value.is_integer():
        return "not a whole number"
    if not MIN_BIGINT <= value <= MAX_BIGINT:
        return "out of range"
    return None


def event_problem(event: dict[str, Any]) -> str | None:
    """The first stored field of `event` the inbox columns cannot hold, as "field: why"; None if
    every one fits."""
    problem = storable_text(event.get("webhookEventId"), ID_MAX)
    if problem:
        return f"webhookEventId: {problem}"
    problem = storable_text(event.get("type"), TYPE_MAX)
    if problem:
        return f"type: {problem}"
    if "mode" in event and event["mode"] is not None:
        problem = storable_text(event["mode"], MODE_MAX)
        if problem:
            return f"mode: {problem}"
    problem = _timestamp_problem(event.get("timestamp"))
    if problem:
        return f"timestamp: {problem}"
    if event.get("replyToken") is not None:
        problem = storable_text(event["replyToken"], REPLY_TOKEN_MAX)
        if problem:
            return f"replyToken: {problem}"
    source = event.get("source")
    if source is not None:
        if not isinstance(source, dict):
            return "source: not an object"
        for key in ("userId", "groupId", "roomId"):
            if source.get(key) is not None:
                problem = storable_text(source[key], SOURCE_MAX)
                if problem:
                    return f"source.{key}: {problem}"
    return None


def _payload(event: dict[str, Any]) -> str:
    """The event as JSON text any text column accepts. JSON escapes NUL and other control
    characters itself; a lone surrogate (not encodable as UTF-8) is kept escaped instead."""
    text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(event, separators=(",", ":"))
    return text


def inbox_row(event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An inbox row for one event whose fields all fit (see `event_problem`). Unknown types and
    standby mode are kept but never answered (LINE.md: standby events have no reply token)."""
    # A type the SDK knows (its discriminator map), as WebhookParser decides; the full typed parse
    # happens in the executor, off the 2-second path.
    known = Event.get_discriminator_value(event) is not None
    mode = str(event.get("mode") or "active")
    return {
        "webhook_event_id": event["webhookEventId"],
        "source_key": source_key_of(event),
        "event_type": event["type"],
        "mode": mode,
        "timestamp_ms": int(event["timestamp"]),
        "reply_token": event.get("replyToken"),
        "payload": _payload(event),
        "status": "pending" if known and mode == "active" else "ignored",
        "attempts": 0,
        "error_id": None,
        "reject_reason": None,
        "received_at": now,
        "processed_at": None,
    }


def rejected_row(event: dict[str, Any], reason: str, now: datetime) -> dict[str, Any]:
    """A row recording an event the inbox cannot keep as it is: every column holds a value that
    fits, the event as ASCII JSON (storable anywhere), and never a reply token (it is not
    answered)."""
    raw_id = event.get("webhookEventId")
    if storable_text(raw_id, ID_MAX) is None:
        key = raw_id
    else:
        # The same bad id delivered again must meet its first copy: derive the key from it (or,
        # with no id at all, from the event without its delivery details).
        basis = raw_id if raw_id is not None else {k: v for k, v in event.items() if k != "deliveryContext"}
        digest = hashlib.sha256(json.dumps(basis, sort_keys=True, default=repr).encode()).hexdigest()
        key = "rejected:" + digest[: ID_MAX - len("rejected:")]
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    source_key = source_key_of({"source": source})
    if storable_text(source_key, SOURCE_MAX) is not None:
        source_key = "-"
    kind = event.get("type")
    timestamp = event.get("timestamp")
    return {
        "webhook_event_id": key,
        "source_key": source_key,
        "event_type": kind if storable_text(kind, TYPE_MAX) is None else "?",
        "mode": "?",
        "timestamp_ms": int(timestamp) if _timestamp_problem(timestamp) is None else 0,
        "reply_token": None,
        "payload": json.dumps(event, separators=(",", ":"), default=repr),
        "status": "rejected",
        "attempts": 0,
        "error_id": None,
        "reject_reason": reason[:REASON_MAX],
        "received_at": now,
        "processed_at": now,
    }


def inbox_batch(events: list[Any], now: datetime) -> InboxBatch:
    """Rows for one delivery: each event checked on its own, so one bad event never fails the
    others. An element that is not even an object cannot be stored or deduplicated; it is counted
    and logged with an error id."""
    batch = InboxBatch(rows=[])
    for event in events:
        if not isinstance(event, dict):
            batch.unstorable += 1
            error_id = new_error_id()
            log.error("webhook event not stored", extra={"error_id": error_id, "reason": "not an object"})
            continue
        problem = event_problem(event)
        if problem is None:
            batch.rows.append(inbox_row(event, now))
        else:
            batch.rejected += 1
            batch.rows.append(rejected_row(event, problem, now))
    return batch
