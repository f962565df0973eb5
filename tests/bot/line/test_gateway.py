"""The LINE gateway against the fake platform: timeouts, fallbacks, content, rich menus."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from bot.line.gateway import LineApiError, LineGateway

TEXT = [{"type": "text", "text": "ทดสอบ"}]


@pytest.fixture
def gateway(fake_line):
    gw = LineGateway("test-access-token", base_url=fake_line.base_url, timeout=0.5)
    yield gw
    gw.close()


def test_every_call_has_a_timeout(gateway, fake_line):
    fake_line.inject_fault("timeout", delay=1.5, path_prefix="/v2/bot/profile/")
    started = time.monotonic()
    with pytest.raises(LineApiError) as error:
        gateway.get_profile("U" + "0" * 32)
    assert error.value.status is None and error.value.retryable
    assert time.monotonic() - started < 1.4


def test_reply_falls_back_to_push_when_the_token_was_used(gateway, fake_line):
    user = "U" + "1" * 32
    token = fake_line.issue_reply_token(user)
    assert (
        gateway.reply_or_push(token, user, TEXT, retry_key="4c9f1c52-6a0e-4a55-9a3c-0a8d6a1b2c3d") == "reply"
    )
    fake_line.reset()
    assert gateway.reply_or_push(None, user, TEXT, retry_key="4c9f1c52-6a0e-4a55-9a3c-0a8d6a1b2c3e") == "push"
    expired = fake_line.issue_reply_token(user)
    fake_line.advance(61)
    assert (
        gateway.reply_or_push(expired, user, TEXT, retry_key="4c9f1c52-6a0e-4a55-9a3c-0a8d6a1b2c3f") == "push"
    )
    assert [d.kind for d in fake_line.delivered_to(user)] == ["push", "push"]


def test_rate_limit_and_server_errors_are_retryable_and_409_means_accepted(gateway, fake_line):
    user = "U" + "2" * 32
    fake_line.inject_fault("429", count=1)
    with pytest.raises(LineApiError) as error:
        gateway.push(user, TEXT, retry_key="0b7a8e8e-1d44-4a5e-9d0b-0c1c2d3e4f50")
    assert error.value.status == 429 and error.value.retryable
    gateway.push(user, TEXT, retry_key="0b7a8e8e-1d44-4a5e-9d0b-0c1c2d3e4f50")
    with pytest.raises(LineApiError) as again:
        gateway.push(user, TEXT, retry_key="0b7a8e8e-1d44-4a5e-9d0b-0c1c2d3e4f50")
    assert again.value.already_accepted and not again.value.retryable
    assert fake_line.delivery_counts()[user] == 1


def test_message_content_profile_and_loading(gateway, fake_line):
    fake_line.register_content("m1", b"\xff\xd8jpeg-bytes", "image/jpeg")
    assert gateway.get_message_content("m1") == b"\xff\xd8jpeg-bytes"
    with pytest.raises(LineApiError) as missing:
        gateway.get_message_content("nope")
    assert missing.value.status == 404
    user = "U" + "3" * 32
    fake_line.register_profile(user, "สมชาย", language="en")
    profile = gateway.get_profile(user)
    assert (profile.user_id, profile.language) == (user, "en")
    gateway.show_loading(user, 20)


def test_rich_menu_calls(gateway, fake_line):
    menu = {
        "size": {"width": 2500, "height": 843},
        "selected": True,
        "name": "main",
        "chatBarText": "เมนู",
        "areas": [
            {
                "bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
                "action": {"type": "message", "text": "เมนู"},
            }
        ],
    }
    menu_id = gateway.create_rich_menu(menu)
    image = io.BytesIO()
    Image.new("RGB", (2500, 843), "green").save(image, "PNG")
    gateway.set_rich_menu_image(menu_id, image.getvalue(), "image/png")
    gateway.set_default_rich_menu(menu_id)
    user = "U" + "4" * 32
    gateway.link_rich_menu_bulk([user], menu_id)
    gateway.create_rich_menu_alias("main-tab", menu_id)
    assert [m["richMenuId"] for m in gateway.list_rich_menus()] == [menu_id]
    assert fake_line.rich_menu_for(user) == menu_id
    gateway.delete_rich_menu(menu_id)


def test_a_multicast_sends_exactly_the_body_the_sdks_own_model_makes(gateway, fake_line):
    """Fan-outs build the request from messages checked once per content (bot.line.gateway's
    checked_multicast); what reaches LINE is byte for byte what the SDK's model would send,
    for each of several lists, and requests LINE would refuse never leave."""
    from linebot.v3.messaging import ApiClient, Configuration, MulticastRequest
    from pydantic.v1 import ValidationError

    from handlers.services.outreach import find_post, post_message

    flex = [post_message(find_post("results-at-tcac"), "th"), *TEXT]
    client = ApiClient(Configuration(access_token="x"))
    for start in (0, 500):
        ids = [f"U{i:032x}" for i in range(start, start + 500)]
        gateway.multicast(ids, flex, retry_key=f"4c9f1c52-6a0e-4a55-9a3c-0a8d6a1b2{start:03d}")
        expected = client.sanitize_for_serialization(
            MulticastRequest.from_dict({"to": ids, "messages": flex})
        )
        [call] = fake_line.calls("POST", "/v2/bot/message/multicast")[start // 500 :][:1]
        assert call.status == 200 and not call.schema_errors
        assert call.json == expected and list(call.json) == list(expected)
    for ids in ([], [f"U{i:032x}" for i in range(501)], ["U" + "0" * 32, ""]):
        with pytest.raises(ValueError):
            gateway.multicast(ids, TEXT, retry_key="4c9f1c52-6a0e-4a55-9a3c-0a8d6a1b2c40")
    with pytest.raises(ValidationError):
        gateway.multicast(
            ["U" + "0" * 32],
            [{"type": "text", "text": ""}] * 6,
            retry_key="4c9f1c52-6a0e-4a55-9a3c-0a8d6a1b2c41",
        )
    assert len(fake_line.calls("POST", "/v2/bot/message/multicast")) == 2
