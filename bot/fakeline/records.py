"""What the fake platform records (requests, deliveries, violations) and how tests read it back."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it, with the status it answered."""

    method: str
    path: str  # as sent, including any query string
    headers: dict[str, str]  # names lowercased
    body: bytes
    json: Any  # parsed body, or None when absent/not JSON
    status: int
    time: float  # the fake's clock (see FakeLinePlatform.now)
    schema_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """One accepted send; push/multicast give one entry per recipient."""

    kind: str  # "reply", "push", "multicast", "broadcast", "narrowcast"
    to: str  # user id; "broadcast"/"narrowcast" for those; "" for a reply token with no user
    messages: tuple[dict[str, Any], ...]
    retry_key: str | None
    time: float
    request_id: str


@dataclass(frozen=True)
class Violation:
    """A request LINE would have rejected (or, in ``limit_violations``, rate-limited)."""

    method: str
    path: str
    status: int
    message: str
    details: tuple[str, ...] = ()
    time: float = 0.0


@dataclass
class _Fault:
    kind: str
    path_prefix: str
    probability: float
    count: int | None
    delay: float
    accept: bool


@dataclass
class _RetryEntry:
    request_id: str
    time: float
    accepted: bool = False
    sent_messages: list[dict[str, str]] | None = None


class Ledger:
    """Read-only views of what the fake saw: a mixin of FakeLinePlatform (server.py)."""

    _lock: threading.RLock
    _requests: list[RecordedRequest]
    _deliveries: list[Delivery]
    _violations: list[Violation]
    _limit_violations: list[Violation]
    user_rich_menus: dict[str, str]
    default_rich_menu: str | None

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request served so far, in completion order."""
        with self._lock:
            return list(self._requests)

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[RecordedRequest]:
        """Recorded requests filtered by method (any if None) and path prefix."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper()) and r.path.startswith(path_prefix)
        ]

    @property
    def deliveries(self) -> list[Delivery]:
        """A snapshot of the ledger of accepted sends."""
        with self._lock:
            return list(self._deliveries)

    def delivered_to(self, user_id: str) -> list[Delivery]:
        """Accepted sends addressed to ``user_id`` (reply, push and multicast)."""
        return [d for d in self.deliveries if d.to == user_id]

    def delivery_counts(self, kind: str | None = None) -> Counter[str]:
        """Recipient -> number of accepted sends, to check "exactly once"."""
        return Counter(d.to for d in self.deliveries if kind is None or d.kind == kind)

    @property
    def violations(self) -> list[Violation]:
        """Requests LINE would reject as invalid (400/401/unknown endpoint)."""
        with self._lock:
            return list(self._violations)

    @property
    def limit_violations(self) -> list[Violation]:
        """Calls over a rate limit (answered 429)."""
        with self._lock:
            return list(self._limit_violations)

    def rich_menu_for(self, user_id: str) -> str | None:
        """The menu a user sees: a per-user link beats the default (LINE.md)."""
        with self._lock:
            return self.user_rich_menus.get(user_id, self.default_rich_menu)
