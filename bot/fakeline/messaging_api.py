"""The fake platform's messaging endpoints (reply, push, multicast, broadcast, narrowcast, quota,
content, profile, loading) and the test set-up they read: a mixin of FakeLinePlatform (server.py),
which routes `/v2/bot/message/…`, `/v2/bot/profile/…` and `/v2/bot/chat/loading/…` here and holds
the state below under its lock."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any

from ._wire import _error, _Reject, _Response
from .records import Delivery, _Fault, _RetryEntry
from .routes import _DAY, _RETRY_KEY_KINDS, _UUID


class MessagingEndpoints:
    """State and `_h_<kind>` handlers of the messaging API (the server calls them by route kind)."""

    _lock: threading.RLock
    reply_token_ttl: float
    _reply_tokens: dict[str, tuple[float, str, bool]]
    _unseen_replies: set[str]
    _contents: dict[str, tuple[bytes, str]]
    _unsent: set[str]
    _profiles: dict[str, dict[str, str]]
    _quota_limit: int | None
    _quota_used: int
    _deliveries: list[Delivery]
    _retry_keys: dict[str, _RetryEntry]
    _message_seq: int
    now: Callable[[], float]

    def issue_reply_token(self, user_id: str = "", token: str | None = None) -> str:
        """Make a reply token valid from now for ``reply_token_ttl`` seconds (single use).

        Pass ``token`` to make an existing token (e.g. from a built event) usable.
        """
        token = token or secrets.token_hex(16)
        with self._lock:
            self._reply_tokens[token] = (self.now(), user_id, False)
        return token

    def register_content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """Content the bot can download via ``GET /v2/bot/message/{id}/content``."""
        with self._lock:
            self._contents[message_id] = (bytes(data), content_type)
            self._unsent.discard(message_id)

    def content(self, message_id: str) -> tuple[bytes, str] | None:
        """Registered content and its type (what the bot downloads), or None."""
        with self._lock:
            return self._contents.get(message_id)

    def mark_unsent(self, message_id: str) -> None:
        """The user unsent the message: its content now answers 410 (LINE.md)."""
        with self._lock:
            self._unsent.add(message_id)

    def register_profile(
        self, user_id: str, display_name: str, language: str = "th", picture_url: str | None = None
    ) -> None:
        """A profile for ``GET /v2/bot/profile/{userId}`` (others answer 404)."""
        profile = {"userId": user_id, "displayName": display_name, "language": language}
        if picture_url:
            profile["pictureUrl"] = picture_url
        with self._lock:
            self._profiles[user_id] = profile

    def set_quota(self, limit: int | None, used: int = 0) -> None:
        """The month's message quota (None: unlimited, LINE's "none") and how many messages were
        used before now. Pushes and multicasts count one per recipient on top of `used`; a send
        that would go past the limit is answered 429 "You have reached your monthly limit"."""
        with self._lock:
            self._quota_limit, self._quota_used = limit, used

    def quota_used(self) -> int:
        """Messages counted against the monthly quota so far."""
        with self._lock:
            return self._quota_used + sum(
                1 for d in self._deliveries if d.kind in ("push", "multicast", "broadcast", "narrowcast")
            )

    def bot_died_after_reply(self, reply_token: str) -> None:
        """The bot's process died after LINE took the reply with this token and before the bot
        wrote that down: a second use of the token is then its retry, not a bug (LINE still
        refuses it, as it refuses any used token)."""
        with self._lock:
            self._unseen_replies.add(reply_token)

    def _check_retry_key(self, kind: str, key: str, request_id: str, reserved: list[str]) -> None:
        # LINE.md: X-Line-Retry-Key (a UUID) only on push, multicast, narrowcast, broadcast.
        if kind not in _RETRY_KEY_KINDS:
            raise _Reject(_error(400, "X-Line-Retry-Key is not supported for this endpoint"))
        if not _UUID.match(key):
            raise _Reject(_error(400, "The retry key must be a UUID"))
        with self._lock:
            entry = self._retry_keys.get(key)
            if entry is not None and self.now() - entry.time >= _DAY:
                entry = None
            if entry is not None:  # accepted (or in flight): 409, never a second delivery
                body: dict[str, Any] = {"message": "The retry key is already accepted"}
                if entry.sent_messages:
                    body["sentMessages"] = entry.sent_messages
                raise _Reject(
                    _Response(409, body, headers={"X-Line-Accepted-Request-Id": entry.request_id}),
                    violation=False,
                )
            self._retry_keys[key] = _RetryEntry(request_id, self.now())
            reserved.append(key)

    def _sent(self, messages: list[dict[str, Any]]) -> list[dict[str, str]]:
        with self._lock:
            out = []
            for _ in messages:
                self._message_seq += 1
                out.append(
                    {
                        "id": str(500_000_000_000_000_000 + self._message_seq),
                        "quoteToken": secrets.token_urlsafe(24),
                    }
                )
            return out

    def _deliver(
        self, kind: str, recipients: list[str], body: dict[str, Any], retry_key: str | None, request_id: str
    ) -> None:
        messages = tuple(body.get("messages") or ())
        with self._lock:
            now = self.now()
            self._deliveries.extend(
                Delivery(kind, to, messages, retry_key, now, request_id) for to in recipients
            )

    def _h_reply(
        self, *, body: dict[str, Any], request_id: str, fault: _Fault | None = None, **_: Any
    ) -> _Response:
        token = body.get("replyToken")
        with self._lock:
            entry = self._reply_tokens.get(token) if isinstance(token, str) else None
            if entry is not None and entry[2]:
                # Replying twice with one token is a bug in the bot, unless the bot never saw the
                # answer to the first use (a fault made it time out or fail): then retrying is right.
                raise _Reject(_error(400, "Invalid reply token"), violation=token not in self._unseen_replies)
            if fault is not None and isinstance(token, str):
                self._unseen_replies.add(token)
            if entry is None or self.now() - entry[0] > self.reply_token_ttl:
                # Late or unknown: a condition the bot must handle (fall back to push), not a bug.
                raise _Reject(_error(400, "Invalid reply token"), violation=False)
            self._reply_tokens[token] = (entry[0], entry[1], True)
            self._deliver("reply", [entry[1]], body, None, request_id)
        return _Response(200, {"sentMessages": self._sent(body["messages"])})

    def _spend(self, count: int) -> None:
        with self._lock:
            if self._quota_limit is not None and self.quota_used() + count > self._quota_limit:
                raise _Reject(_error(429, "You have reached your monthly limit."), violation=False)

    def _h_quota(self, **_: Any) -> _Response:
        with self._lock:
            limit = self._quota_limit
        return _Response(200, {"type": "none"} if limit is None else {"type": "limited", "value": limit})

    def _h_quota_consumption(self, **_: Any) -> _Response:
        return _Response(200, {"totalUsage": self.quota_used()})

    def _h_push(self, *, body: dict[str, Any], retry_key: str | None, request_id: str, **_: Any) -> _Response:
        self._spend(1)
        self._deliver("push", [body.get("to", "")], body, retry_key, request_id)
        return _Response(200, {"sentMessages": self._sent(body.get("messages") or [])})

    def _h_multicast(
        self, *, body: dict[str, Any], retry_key: str | None, request_id: str, **_: Any
    ) -> _Response:
        self._spend(len(body.get("to") or []))
        self._deliver("multicast", list(body.get("to") or []), body, retry_key, request_id)
        return _Response(200, {})

    def _h_broadcast(
        self, *, body: dict[str, Any], retry_key: str | None, request_id: str, **_: Any
    ) -> _Response:
        self._deliver("broadcast", ["broadcast"], body, retry_key, request_id)
        return _Response(200, {})

    def _h_narrowcast(
        self, *, body: dict[str, Any], retry_key: str | None, request_id: str, **_: Any
    ) -> _Response:
        self._deliver("narrowcast", ["narrowcast"], body, retry_key, request_id)
        return _Response(202, {})  # progress is looked up by the X-Line-Request-Id header

    def _h_content(self, *, message_id: str, **_: Any) -> _Response:
        with self._lock:
            if message_id in self._unsent:
                raise _Reject(_error(410, "Gone"), violation=False)
            found = self._contents.get(message_id)
        if found is None:
            raise _Reject(_error(404, "Not found"), violation=False)
        return _Response(200, found[0], content_type=found[1])

    def _h_profile(self, *, user_id: str, **_: Any) -> _Response:
        with self._lock:
            profile = self._profiles.get(user_id)
        if profile is None:
            raise _Reject(_error(404, "Not found"), violation=False)
        return _Response(200, dict(profile))

    def _h_loading(self, **_: Any) -> _Response:
        return _Response(202, {})
