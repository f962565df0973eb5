"""Downloading a user's photo from LINE's content API: streamed, capped, 404/410 told apart."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.fakeline.events import new_message_id
from bot.line.gateway import ContentTooLarge, LineApiError, LineGateway
from tests.conftest import TEST_ACCESS_TOKEN

MB = 1024 * 1024


@pytest.fixture
def gateway(fake_line):
    gateway = LineGateway(TEST_ACCESS_TOKEN, base_url=fake_line.base_url, timeout=2.0)
    yield gateway
    gateway.close()


def test_content_is_downloaded_from_the_content_api_with_the_token(gateway, fake_line):
    message_id = new_message_id()
    fake_line.register_content(message_id, b"\xff\xd8jpeg bytes")
    assert gateway.download_message_content(message_id, 20 * MB) == b"\xff\xd8jpeg bytes"
    [call] = fake_line.calls("GET", f"/v2/bot/message/{message_id}/content")
    assert call.status == 200 and call.headers["authorization"] == f"Bearer {TEST_ACCESS_TOKEN}"


def test_content_over_the_cap_is_refused(gateway, fake_line):
    message_id = new_message_id()
    fake_line.register_content(message_id, b"\0" * (30 * MB))
    with pytest.raises(ContentTooLarge):
        gateway.download_message_content(message_id, 20 * MB)
    # The connection was dropped, not pooled half-read: the next download works.
    fake_line.register_content(message_id, b"small")
    assert gateway.download_message_content(message_id, 20 * MB) == b"small"


def test_unknown_and_unsent_content_are_told_apart(gateway, fake_line):
    with pytest.raises(LineApiError) as unknown:
        gateway.download_message_content(new_message_id(), MB)
    assert unknown.value.status == 404
    message_id = new_message_id()
    fake_line.register_content(message_id, b"x")
    fake_line.mark_unsent(message_id)
    with pytest.raises(LineApiError) as unsent:
        gateway.download_message_content(message_id, MB)
    assert unsent.value.status == 410


class _EndlessContent(BaseHTTPRequestHandler):
    """A content server that does not say how big the body is, and would send 200 MB."""

    sent = 0

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"\xff" * 65536
        try:
            for _ in range(200 * MB // len(chunk)):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                type(self).sent += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client hung up: what we expect
            pass

    def log_message(self, *args):
        pass


def test_a_body_without_a_length_is_cut_off_at_the_cap_not_read_to_the_end():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EndlessContent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway = LineGateway("token", base_url=f"http://127.0.0.1:{server.server_port}", timeout=5.0)
    try:
        with pytest.raises(ContentTooLarge):
            gateway.download_message_content("1", 5 * MB)
    finally:
        gateway.close()
        server.shutdown()
        server.server_close()
    # Socket buffers let the server get a little ahead; nowhere near the 200 MB it meant to send.
    assert _EndlessContent.sent < 50 * MB
