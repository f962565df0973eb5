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
    """`gunicorn` running `bot:create_app()` in a child process, as the Procfile's web line does."""

    def __init__(self, env: dict[str, str], workers: int = 1, log_path=None) -> None:
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
                "bot:create_app()",
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
