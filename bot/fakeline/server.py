"""A fake LINE Messaging API platform: a local HTTP server the real SDK can be pointed at.

``Configuration(host=fake.base_url, access_token=...)`` sends every call, the api-data ones
included, to this one host (shared/domain/LINE.md, "The SDK"). The fake validates each request
against LINE's OpenAPI spec and the limits the spec leaves out, keeps a ledger of accepted
messages, enforces retry keys, reply tokens and rate limits, and can inject faults.

What counts as a *violation* (``fake.violations``): anything LINE would reject because the request
itself is wrong: 400s, 401, unknown endpoints. Rate-limit 429s go to ``fake.limit_violations``.
Answers about platform state (unknown content or profile: 404, unsent content: 410, 409 for a
repeated retry key) and injected faults are not violations.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import limits, schema
from ._wire import _error, _Reject, _Response
from .messaging_api import MessagingEndpoints
from .records import Delivery, Ledger, RecordedRequest, Violation, _Fault, _RetryEntry
from .richmenu_api import RichMenuEndpoints
from .routes import _BINARY_KINDS, _DEFAULT_RATE, _RATE_LIMITS, _SHARED_BUCKET, route
from .schema import validate_request_details

__all__ = ["Delivery", "FakeLinePlatform", "RecordedRequest", "Violation", "running_at"]

# Fakes serving in this process, by base URL: the app factory looks its LINE_API_BASE_URL up here
# to know it talks to a fake it can reach (and then serves the LINE simulator).
_RUNNING: dict[str, FakeLinePlatform] = {}
_RUNNING_LOCK = threading.Lock()


def running_at(base_url: str | None) -> FakeLinePlatform | None:
    """The fake platform this process runs at `base_url` (trailing slash ignored), if any."""
    if not base_url:
        return None
    with _RUNNING_LOCK:
        return _RUNNING.get(base_url.rstrip("/"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # bursts of hundreds of concurrent calls must not be refused
    platform: FakeLinePlatform

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout tests) leaves a broken pipe: expected, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as urllib3 pools connections
    timeout = 30  # idle keep-alive connections end eventually
    disable_nagle_algorithm = True  # headers and body go out separately: avoid 40 ms delayed-ACK stalls
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.platform._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.platform._track(self.connection, add=False)

    def _any(self) -> None:
        self.server.platform._serve(self)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass  # never log request lines or bodies


class FakeLinePlatform(MessagingEndpoints, RichMenuEndpoints, Ledger):
    """A fake LINE platform for tests and the simulator. Thread-safe; use as a context manager.

    >>> with FakeLinePlatform() as fake:  # doctest: +SKIP
    ...     config = Configuration(host=fake.base_url, access_token="test-access-token")
    """

    def __init__(
        self,
        *,
        access_token: str = "test-access-token",  # noqa: S107 - the tests' dummy token
        validate: bool = True,
        reply_token_ttl: float = 60.0,
        seed: int = 0,
    ) -> None:
        self.access_token = access_token
        self.validate = validate
        self.reply_token_ttl = reply_token_ttl  # LINE.md: single use, about 1 minute
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._offset = 0.0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._message_seq = 0
        self._contents: dict[str, tuple[bytes, str]] = {}
        self._unsent: set[str] = set()
        self._profiles: dict[str, dict[str, str]] = {}
        self._init_state()

    def _init_state(self) -> None:
        self._requests: list[RecordedRequest] = []
        self._deliveries: list[Delivery] = []
        self._violations: list[Violation] = []
        self._limit_violations: list[Violation] = []
        self._faults: list[_Fault] = []
        # How many requests held by a "timeout" fault were inside the fake at the same moment:
        # shows a client's concurrency without timing it.
        self._delayed_now = 0
        self.peak_delayed = 0
        # Reply tokens used by a request whose answer a fault hid from the client.
        self._unseen_replies: set[str] = set()
        self._reply_tokens: dict[str, tuple[float, str, bool]] = {}  # token -> (issued, user, used)
        self._retry_keys: dict[str, _RetryEntry] = {}
        self._windows: dict[str, deque[float]] = {}
        self.rich_menus: dict[str, dict[str, Any]] = {}
        self.rich_menu_images: dict[str, tuple[bytes, str]] = {}
        self.default_rich_menu: str | None = None
        self.user_rich_menus: dict[str, str] = {}
        self.rich_menu_aliases: dict[str, str] = {}
        # The monthly message quota: None = unlimited; `_quota_used` counts sends before this run.
        self._quota_limit: int | None = None
        self._quota_used = 0

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeLinePlatform:
        """Listen on 127.0.0.1 (ephemeral port) in a background thread; returns self."""
        if self._server is not None:
            return self
        if self.validate:
            schema.preload()  # a missing spec fails here, loudly, not on the first request
        server = _Server(("127.0.0.1", 0), _Handler)
        server.platform = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakeline", daemon=True
        )
        self._thread.start()
        with _RUNNING_LOCK:
            _RUNNING[self.base_url] = self
        return self

    def stop(self) -> None:
        """Stop serving, drop open keep-alive connections and close the listening socket."""
        if self._server is None:
            return
        with _RUNNING_LOCK:
            _RUNNING.pop(self.base_url, None)
        server, self._server = self._server, None
        server.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # wake handler threads blocked on idle keep-alive reads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        deadline = time.monotonic() + 5
        while self._connections and time.monotonic() < deadline:
            time.sleep(0.01)

    def __enter__(self) -> FakeLinePlatform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (start() first)."""
        if self._server is None:
            raise RuntimeError("FakeLinePlatform is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    # -- clock ----------------------------------------------------------------------------------

    def now(self) -> float:
        """The fake's clock: ``time.monotonic()`` plus everything passed to :meth:`advance`."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (expires reply tokens, retry keys, rate-limit windows)."""
        with self._lock:
            self._offset += seconds

    def inject_fault(
        self,
        kind: str,
        *,
        path_prefix: str = "/v2/bot/",
        probability: float = 1.0,
        count: int | None = None,
        delay: float = 0.0,
        accept: bool = False,
    ) -> None:
        """Make matching requests fail.

        ``"429"``/``"500"`` answer at once without processing (``"500"`` with ``accept=True``
        processes the request, so a message is delivered, then answers 500). ``"timeout"`` sleeps
        ``delay`` real seconds and then processes normally: the message is accepted even though the
        client gave up, so a retry with the same retry key gets 409. ``count`` limits how many
        requests fire; draws use ``random.Random(seed)``. Faults are never violations.
        """
        if kind not in ("429", "500", "timeout"):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.append(_Fault(kind, path_prefix, probability, count, delay, accept))

    def clear_faults(self) -> None:
        """Remove all injected faults."""
        with self._lock:
            self._faults.clear()

    def reset(self) -> None:
        """Forget recordings, ledger, violations, faults, tokens, retry keys and rich menus."""
        with self._lock:
            self._init_state()

    # -- request handling ----------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        method = handler.command.upper()
        headers = {k.lower(): v for k, v in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            # The client went away mid-body (a process killed while sending): a real server never
            # sees a request here, so nothing is recorded, counted or answered.
            handler.close_connection = True
            return
        parsed: list[Any] = [None]
        schema_errors: list[str] = []
        try:
            response = self._process(method, handler.path, headers, body, parsed, schema_errors)
        except Exception as exc:  # a bug in the fake must not look like a dropped connection
            response = _error(500, f"fake platform error: {type(exc).__name__}")
        payload = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
        # Record before answering, so a test sees the request as soon as its SDK call returns.
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    method,
                    handler.path,
                    headers,
                    body,
                    parsed[0],
                    response.status,
                    self.now(),
                    tuple(schema_errors),
                )
            )
        with contextlib.suppress(ConnectionError, TimeoutError):
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
            handler.wfile.flush()

    def _process(
        self,
        method: str,
        raw_path: str,
        headers: dict[str, str],
        body: bytes,
        parsed: list[Any],
        schema_errors: list[str],
    ) -> _Response:
        request_id = str(uuid.uuid4())
        path = unquote(urlsplit(raw_path).path)
        if path.startswith("/__fake__/"):
            return self._inspect(method, path, parse_qs(urlsplit(raw_path).query))
        retry_key = headers.get("x-line-retry-key")
        reserved: list[str] = []
        try:
            response, accept_then_500 = self._checked(
                method, path, headers, body, parsed, schema_errors, retry_key, request_id, reserved
            )
        except _Reject as reject:
            response, accept_then_500 = reject.response, False
            if reject.violation:
                self._note(reject, method, raw_path)
        with self._lock:
            for key in reserved:  # a retry key counts only once its request was accepted
                entry = self._retry_keys.get(key)
                if entry is not None and entry.request_id == request_id:
                    if 200 <= response.status < 300:
                        entry.accepted, entry.time = True, self.now()
                        entry.sent_messages = (
                            response.body.get("sentMessages") if isinstance(response.body, dict) else None
                        )
                    else:
                        del self._retry_keys[key]
        if accept_then_500 and 200 <= response.status < 300:
            response = _error(500, "Internal Server Error")
        response.headers.setdefault("X-Line-Request-Id", request_id)
        return response

    def _inspect(self, method: str, path: str, query: dict[str, list[str]]) -> _Response:
        """Control endpoints for a separate process (the demo's `send-demo-event`, the simulator):
        not part of LINE's API, never validated against it."""
        user = (query.get("user") or [""])[0]
        if method == "POST" and path == "/__fake__/reply-token":
            return _Response(200, {"replyToken": self.issue_reply_token(user)})
        if method == "GET" and path == "/__fake__/deliveries":
            return _Response(
                200,
                [
                    {"kind": d.kind, "to": d.to, "messages": list(d.messages), "time": d.time}
                    for d in (self.delivered_to(user) if user else self.deliveries)
                ],
            )
        return _error(404, "Not found")

    def _note(self, reject: _Reject, method: str, path: str) -> None:
        body = reject.response.body if isinstance(reject.response.body, dict) else {}
        details = tuple(
            f"{d['property']}: {d['message']}" if d.get("property") else d["message"]
            for d in body.get("details", [])
        )
        status, message = reject.response.status, body.get("message", "")
        violation = Violation(method, path, status, message, details, self.now())
        with self._lock:
            (self._limit_violations if reject.limit else self._violations).append(violation)

    def _checked(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        parsed: list[Any],
        schema_errors: list[str],
        retry_key: str | None,
        request_id: str,
        reserved: list[str],
    ) -> tuple[_Response, bool]:
        if len(body) > limits.MAX_BODY_BYTES:  # LINE.md: request body ≤ 2 MB
            raise _Reject(_error(400, "The request body exceeds the 2 MB limit"))
        if headers.get("authorization") != f"Bearer {self.access_token}":
            raise _Reject(
                _error(
                    401,
                    "Authentication failed. Confirm that the access token in the "
                    "authorization header is valid.",
                )
            )
        fault = self._draw_fault(path)
        if fault is not None:
            if fault.kind == "429":
                raise _Reject(_error(429, "Too Many Requests"), violation=False)
            if fault.kind == "500" and not fault.accept:
                raise _Reject(_error(500, "Internal Server Error"), violation=False)
            if fault.kind == "timeout":
                with self._lock:
                    self._delayed_now += 1
                    self.peak_delayed = max(self.peak_delayed, self._delayed_now)
                try:
                    time.sleep(fault.delay)
                finally:
                    with self._lock:
                        self._delayed_now -= 1
        route_found = route(method, path)
        if route_found is None:
            raise _Reject(
                _error(
                    404,
                    "Not found",
                    [(path, f"{method} {path} is not a LINE endpoint (or not implemented by the fake)")],
                )
            )
        kind, params = route_found
        self._rate_limit(kind)
        if retry_key is not None:
            self._check_retry_key(kind, retry_key, request_id, reserved)
        if kind not in _BINARY_KINDS and body:
            try:
                parsed[0] = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise _Reject(_error(400, "The request body is not valid JSON")) from None
        problems: list[tuple[str, str]] = []
        if self.validate and kind not in _BINARY_KINDS:
            problems = validate_request_details(method, path, parsed[0])
            schema_errors.extend(f"{p}: {m}" if p else m for p, m in problems)
        problems += self._extra_limits(kind, parsed[0])
        if problems:
            raise _Reject(_error(400, f"The request body has {len(problems)} error(s)", problems))
        handler: Callable[..., _Response] = getattr(self, f"_h_{kind}")
        try:
            response = handler(
                fault=fault,
                body=parsed[0],
                raw=body,
                headers=headers,
                retry_key=retry_key,
                request_id=request_id,
                **params,
            )
        except (KeyError, TypeError, AttributeError):  # only reachable with validate=False
            raise _Reject(_error(400, "The request body is malformed")) from None
        return response, bool(fault and fault.kind == "500" and fault.accept)

    def _draw_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if not path.startswith(fault.path_prefix) or fault.count == 0:
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None

    def _rate_limit(self, kind: str) -> None:
        limit, window = _RATE_LIMITS.get(kind, _DEFAULT_RATE)
        bucket = _SHARED_BUCKET.get(kind, kind)
        with self._lock:
            now = self.now()
            calls = self._windows.setdefault(bucket, deque())
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= limit:
                raise _Reject(_error(429, "Too Many Requests"), limit=True)
            calls.append(now)

    @staticmethod
    def _extra_limits(kind: str, body: Any) -> list[tuple[str, str]]:
        if not isinstance(body, dict):
            return []
        problems = limits.check_messages(body.get("messages"))
        to = body.get("to")
        if kind == "multicast" and isinstance(to, list) and len(to) > limits.MAX_MULTICAST_TO:
            problems.append(("to", f"Size must be between 1 and {limits.MAX_MULTICAST_TO}"))
        if kind in ("bulk_link", "bulk_unlink") and isinstance(body.get("userIds"), list):
            if len(body["userIds"]) > limits.MAX_BULK_USERS:
                problems.append(("userIds", f"Size must be between 1 and {limits.MAX_BULK_USERS}"))
        if kind == "loading" and isinstance(body.get("loadingSeconds"), int) and body["loadingSeconds"] % 5:
            problems.append(("loadingSeconds", "must be a multiple of 5"))
        if kind in ("richmenu_create", "richmenu_validate"):
            problems += limits.check_rich_menu(body)
        return problems
