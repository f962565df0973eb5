"""Small helpers for tests: signed webhook posts, waiting for background work."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.fakeline.events import sign, webhook_body

TEST_CHANNEL_SECRET = "test-channel-secret"


def signed_headers(body: bytes, secret: str = TEST_CHANNEL_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Line-Signature": sign(secret, body)}


def post_events(client, events: list, secret: str = TEST_CHANNEL_SECRET):
    """POST events to /callback as LINE would (signed) through the Flask test client."""
    body = webhook_body(events)
    return client.post("/callback", data=body, headers=signed_headers(body, secret))


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.02):
    """Poll until `predicate()` is truthy; fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
