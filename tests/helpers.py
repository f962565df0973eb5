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


def wait_until_drained(app, timeout: float = 15.0) -> None:
    """Wait until every stored event has been handled and every message queued for LINE has gone
    (or been given up): whatever the bot was going to send by then has reached the fake platform,
    so "nothing was sent" holds for good rather than for a fixed pause."""
    from sqlalchemy import func, select

    from bot.runtime import runtime
    from storage.models import InboxEvent, OutboxMessage

    def drained() -> bool:
        with runtime(app).session_factory() as session:
            events = select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")
            queued = select(func.count()).select_from(OutboxMessage)
            queued = queued.where(OutboxMessage.status.in_(("pending", "sending")))
            return session.scalar(events) == 0 and session.scalar(queued) == 0

    wait_for(drained, timeout)


def post_body(base_url: str, body: bytes, secret: str = TEST_CHANNEL_SECRET, pool=None) -> int:
    """POST a raw webhook body over real HTTP; returns the status code."""
    import urllib3

    pool = pool or urllib3.PoolManager()
    response = pool.request("POST", base_url + "/callback", body=body, headers=signed_headers(body, secret))
    return response.status


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebProcess:
    """`gunicorn` running `bot:create_app()` in a child process, as the Procfile's web line does
    (`app` names another factory, for a test that needs test-only handlers in the child)."""

    def __init__(
        self, env: dict[str, str], workers: int = 1, log_path=None, app: str = "bot:create_app()"
    ) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)}
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:bot.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{self.port}",
                app,
            ],
            env=full_env,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,  # its own process group, so kill() reaches the workers too
        )
        import urllib3

        http = urllib3.PoolManager()

        def healthy():
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}")
            try:
                return http.request("GET", self.url + "/healthz", timeout=1, retries=False).status == 200
            except urllib3.exceptions.HTTPError:
                return False

        wait_for(healthy, timeout=30, interval=0.1)

    def kill(self) -> None:
        """kill -9 the arbiter and its workers at once: no graceful anything."""
        import os
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if hasattr(self._log, "close"):
            self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except Exception:
                self.process.kill()
                self.process.wait()
        self._close_log()


class FakeClock:
    """The clock boundary, under the test's control: real time plus whatever was `advance`d."""

    def __init__(self) -> None:
        from datetime import timedelta

        self.offset = timedelta(0)

    def now(self):
        from datetime import UTC, datetime

        return datetime.now(UTC) + self.offset

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.offset += timedelta(**delta)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class Chat:
    """One LINE user talking to the bot through signed webhooks; reads answers from the fake.

    `say()`, `tap()` and friends send one event and return the texts of the bot's answer;
    `buttons` are the quick-reply labels of the last answer.
    """

    def __init__(self, client, fake_line, user_id: str | None = None) -> None:
        from bot.fakeline.events import new_user_id

        self.client = client
        self.fake = fake_line
        self.user = user_id or new_user_id()
        self.clock_ms = int(time.time() * 1000)
        self.last: list[dict] = []
        self.history: list[list[dict]] = []

    def _send(self, build) -> list[str]:
        self.clock_ms += 1000
        before = len(self.fake.delivered_to(self.user))
        token = self.fake.issue_reply_token(self.user)
        event = build(timestamp_ms=self.clock_ms, reply_token=token)
        response = post_events(self.client, [event])
        assert response.status_code == 200
        deliveries = wait_for(
            lambda: (lambda d: d if len(d) > before else None)(self.fake.delivered_to(self.user))
        )
        assert len(deliveries) == before + 1, "the bot answered one event more than once"
        self.last = [dict(m) for m in deliveries[-1].messages]
        self.history.append(self.last)
        return self.texts

    @property
    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.last]

    @property
    def text(self) -> str:
        return "\n\n".join(self.texts)

    @property
    def buttons(self) -> list[str]:
        quick = (self.last[-1].get("quickReply") or {}) if self.last else {}
        return [item["action"]["label"] for item in quick.get("items", [])]

    def button_data(self, label: str, messages: list[dict] | None = None) -> str:
        messages = self.last if messages is None else messages
        for item in (messages[-1].get("quickReply") or {}).get("items", []):
            if item["action"]["label"] == label:
                return item["action"]["data"]
        raise AssertionError(f"no button {label!r}; buttons are {self.buttons}")

    def say(self, text: str) -> list[str]:
        from bot.fakeline.events import text_event

        return self._send(lambda **kw: text_event(self.user, text, **kw))

    def tap(self, label: str) -> list[str]:
        return self.tap_data(self.button_data(label))

    def tap_data(self, data: str) -> list[str]:
        from bot.fakeline.events import postback_event

        return self._send(lambda **kw: postback_event(self.user, data, **kw))

    def send_sticker(self) -> list[str]:
        from bot.fakeline.events import sticker_event

        return self._send(lambda **kw: sticker_event(self.user, **kw))

    def send_location(self) -> list[str]:
        from bot.fakeline.events import location_event

        return self._send(lambda **kw: location_event(self.user, 13.7563, 100.5018, **kw))

    def send_image(self) -> list[str]:
        from bot.fakeline.events import image_event, new_message_id

        return self._send(lambda **kw: image_event(self.user, new_message_id(), **kw))
