"""Fixtures: a running FakeLinePlatform and SDK clients pointed at it (closed cleanly)."""

from __future__ import annotations

import functools
import http.client
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob

from bot.fakeline import FakeLinePlatform

TOKEN = "test-access-token"


@pytest.fixture
def fake() -> Iterator[FakeLinePlatform]:
    with FakeLinePlatform(access_token=TOKEN) as platform:
        yield platform


@pytest.fixture
def api_client(fake: FakeLinePlatform) -> Iterator[ApiClient]:
    config = Configuration(host=fake.base_url, access_token=TOKEN)
    config.connection_pool_maxsize = 32
    client = ApiClient(config)
    try:
        yield client
    finally:
        client.close()
        # ApiClient.close() leaves urllib3's pooled sockets open (ResourceWarning under -W error).
        client.rest_client.pool_manager.clear()


@pytest.fixture
def api(api_client: ApiClient) -> MessagingApi:
    return MessagingApi(api_client)


@pytest.fixture
def blob(api_client: ApiClient) -> MessagingApiBlob:
    return MessagingApiBlob(api_client)


RawRequest = Callable[..., tuple[int, dict[str, str], Any]]


@pytest.fixture
def raw(fake: FakeLinePlatform) -> RawRequest:
    """Send requests the SDK's client-side checks would refuse to build."""
    return functools.partial(raw_request, fake)


def raw_request(
    fake: FakeLinePlatform,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One raw HTTP request to the fake; returns (status, headers, parsed JSON body)."""
    conn = http.client.HTTPConnection(fake.base_url.removeprefix("http://"), timeout=10)
    try:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        all_headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
            **(headers or {}),
        }
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, dict(response.getheaders()), json.loads(payload) if payload else None
    finally:
        conn.close()
