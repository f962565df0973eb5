"""Webhook event builders and signing, shaped exactly as LINE sends them (webhook.yml).

Facts from shared/domain/LINE.md: every event carries a ULID ``webhookEventId`` and
``deliveryContext.isRedelivery``; ``mode: standby`` events carry no reply token; the body is signed
with base64(HMAC-SHA256(channel secret, raw body)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from typing import Any

__all__ = [
    "follow_event",
    "image_event",
    "location_event",
    "new_message_id",
    "new_reply_token",
    "new_user_id",
    "new_webhook_event_id",
    "postback_event",
    "sign",
    "sticker_event",
    "text_event",
    "unfollow_event",
    "unsend_event",
    "webhook_body",
]

Event = dict[str, Any]
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ulid_lock = threading.Lock()
_ulid_last = (0, 0)  # (ms, random part) of the previous id, to stay strictly increasing


def sign(channel_secret: str, body: bytes) -> str:
    """``X-Line-Signature`` for ``body``: base64(HMAC-SHA256(channel secret, raw body))."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def new_webhook_event_id(timestamp_ms: int | None = None) -> str:
    """A 26-char ULID (48-bit ms time + 80 random bits, Crockford base32), monotonic per process."""
    global _ulid_last
    with _ulid_lock:
        last_ms, last_rand = _ulid_last
        # Ids for "now" never go back behind one made earlier for a later time (tests make events
        # with timestamps ahead of the clock): the ULID spec's monotonic generator.
        ms = max(int(time.time() * 1000), last_ms) if timestamp_ms is None else timestamp_ms
        # Same millisecond: increment the random part so ids stay strictly time-ordered.
        rand = last_rand + 1 if ms == last_ms else secrets.randbits(80)
        if ms >= last_ms:
            _ulid_last = (ms, rand)
    value = (ms << 80) | (rand & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_user_id() -> str:
    """A LINE user id: ``U`` + 32 lowercase hex chars."""
    return "U" + secrets.token_hex(16)


def new_reply_token() -> str:
    """A random reply token (unknown to any fake platform unless registered there)."""
    return secrets.token_hex(16)


def new_message_id() -> str:
    """A numeric message id string like LINE's (18 digits)."""
    return str(10**17 + int.from_bytes(os.urandom(7), "big") % (9 * 10**17))


def _base(
    kind: str,
    user_id: str,
    *,
    timestamp_ms: int,
    reply_token: str | None,
    webhook_event_id: str | None,
    redelivery: bool,
    mode: str,
    replyable: bool = True,
) -> Event:
    if mode not in ("active", "standby"):
        raise ValueError(f"mode must be 'active' or 'standby', not {mode!r}")
    event: Event = {
        "type": kind,
        "mode": mode,
        "timestamp": timestamp_ms,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": webhook_event_id or new_webhook_event_id(timestamp_ms),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    # Standby events carry no reply token (LINE.md); unfollow never has one.
    if replyable and mode == "active":
        event["replyToken"] = reply_token or new_reply_token()
    return event


def _message_event(user_id: str, message: dict[str, Any], **common: Any) -> Event:
    event = _base("message", user_id, **common)
    message.setdefault("id", new_message_id())
    if message["type"] in ("text", "image", "video", "sticker"):  # the quotable kinds (webhook.yml)
        message.setdefault("quoteToken", secrets.token_urlsafe(24))
    event["message"] = message
    return event


def text_event(
    user_id: str,
    text: str,
    *,
    timestamp_ms: int,
    reply_token: str | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
    message_id: str | None = None,
) -> Event:
    """A text message event from a 1:1 chat."""
    message: dict[str, Any] = {"type": "text", "text": text}
    if message_id:
        message["id"] = message_id
    return _message_event(
        user_id,
        message,
        timestamp_ms=timestamp_ms,
        reply_token=reply_token,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
    )


def image_event(
    user_id: str,
    message_id: str,
    image_set: dict[str, Any] | None = None,
    *,
    timestamp_ms: int,
    reply_token: str | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    """An image message event (content on LINE: ``contentProvider.type == "line"``).

    ``image_set`` is ``{"id", "index", "total"}`` when several photos were sent together; each photo
    is then its own event (LINE.md).
    """
    message: dict[str, Any] = {"type": "image", "id": message_id, "contentProvider": {"type": "line"}}
    if image_set is not None:
        message["imageSet"] = dict(image_set)
    return _message_event(
        user_id,
        message,
        timestamp_ms=timestamp_ms,
        reply_token=reply_token,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
    )


def sticker_event(
    user_id: str,
    package_id: str = "446",
    sticker_id: str = "1988",
    *,
    timestamp_ms: int,
    reply_token: str | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
    resource_type: str = "STATIC",
) -> Event:
    """A sticker message event."""
    message = {
        "type": "sticker",
        "packageId": package_id,
        "stickerId": sticker_id,
        "stickerResourceType": resource_type,
    }
    return _message_event(
        user_id,
        message,
        timestamp_ms=timestamp_ms,
        reply_token=reply_token,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
    )


def location_event(
    user_id: str,
    latitude: float,
    longitude: float,
    *,
    timestamp_ms: int,
    title: str | None = None,
    address: str | None = None,
    reply_token: str | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    """A location message event."""
    message: dict[str, Any] = {"type": "location", "latitude": latitude, "longitude": longitude}
    if title is not None:
        message["title"] = title
    if address is not None:
        message["address"] = address
    return _message_event(
        user_id,
        message,
        timestamp_ms=timestamp_ms,
        reply_token=reply_token,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
    )


def follow_event(
    user_id: str,
    *,
    timestamp_ms: int,
    is_unblocked: bool = False,
    reply_token: str | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    """A follow event (friend added, or unblocked when ``is_unblocked``)."""
    event = _base(
        "follow",
        user_id,
        timestamp_ms=timestamp_ms,
        reply_token=reply_token,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
    )
    event["follow"] = {"isUnblocked": is_unblocked}
    return event


def unfollow_event(
    user_id: str,
    *,
    timestamp_ms: int,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    """An unfollow event: the user blocked the account; it has no reply token."""
    return _base(
        "unfollow",
        user_id,
        timestamp_ms=timestamp_ms,
        reply_token=None,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
        replyable=False,
    )


def unsend_event(
    user_id: str,
    message_id: str,
    *,
    timestamp_ms: int,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    """An unsend event: the user took back message ``message_id``; it has no reply token."""
    event = _base(
        "unsend",
        user_id,
        timestamp_ms=timestamp_ms,
        reply_token=None,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
        replyable=False,
    )
    event["unsend"] = {"messageId": message_id}
    return event


def postback_event(
    user_id: str,
    data: str,
    params: dict[str, str] | None = None,
    *,
    timestamp_ms: int,
    reply_token: str | None = None,
    webhook_event_id: str | None = None,
    redelivery: bool = False,
    mode: str = "active",
) -> Event:
    """A postback event; ``params`` holds e.g. ``{"date": "2025-01-31"}`` from a datetime picker."""
    event = _base(
        "postback",
        user_id,
        timestamp_ms=timestamp_ms,
        reply_token=reply_token,
        webhook_event_id=webhook_event_id,
        redelivery=redelivery,
        mode=mode,
    )
    event["postback"] = {"data": data} if params is None else {"data": data, "params": dict(params)}
    return event


def webhook_body(events: list[Event], destination: str | None = None) -> bytes:
    """The raw webhook POST body: compact UTF-8 JSON ``{"destination", "events"}``."""
    payload = {"destination": destination or new_user_id(), "events": events}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
