"""FakeLinePlatform driven through the real SDK (linebot.v3)."""

from __future__ import annotations

import io
import json
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    BroadcastRequest,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuBulkLinkRequest,
    RichMenuRequest,
    RichMenuSize,
    ShowLoadingAnimationRequest,
    TextMessage,
)
from PIL import Image

from bot.fakeline import FakeLinePlatform
from tests.fakeline.conftest import TOKEN

USER = "U" + "1" * 32
TEXT = [TextMessage(text="สวัสดีค่ะ")]


def status_of(call, *args, **kwargs) -> int:
    with pytest.raises(ApiException) as info:
        call(*args, **kwargs)
    return info.value.status


def push(api: MessagingApi, key: str | None = None, to: str = USER, **kwargs):
    return api.push_message(PushMessageRequest(to=to, messages=TEXT), x_line_retry_key=key, **kwargs)


# -- reply tokens ---------------------------------------------------------------------------------


def test_reply_token_is_single_use(fake: FakeLinePlatform, api: MessagingApi) -> None:
    token = fake.issue_reply_token(USER)
    sent = api.reply_message(ReplyMessageRequest(reply_token=token, messages=TEXT))
    assert len(sent.sent_messages) == 1 and sent.sent_messages[0].quote_token
    assert status_of(api.reply_message, ReplyMessageRequest(reply_token=token, messages=TEXT)) == 400
    assert json.loads(fake.requests[-1].body)["replyToken"] == token
    assert fake.delivery_counts() == {USER: 1}
    assert [v.message for v in fake.violations] == ["Invalid reply token"]


def test_reply_token_expires(fake: FakeLinePlatform, api: MessagingApi) -> None:
    token = fake.issue_reply_token(USER)
    fake.advance(61)  # LINE.md: a reply token lives about a minute
    assert status_of(api.reply_message, ReplyMessageRequest(reply_token=token, messages=TEXT)) == 400
    assert fake.deliveries == []


def test_retry_key_on_reply_is_rejected(fake: FakeLinePlatform, raw) -> None:
    token = fake.issue_reply_token(USER)
    body = {"replyToken": token, "messages": [{"type": "text", "text": "x"}]}
    status, _, error = raw("POST", "/v2/bot/message/reply", body, {"X-Line-Retry-Key": str(uuid.uuid4())})
    assert status == 400 and "Retry-Key" in error["message"]
    assert fake.deliveries == [] and len(fake.violations) == 1


# -- retry keys -----------------------------------------------------------------------------------


def test_push_retry_key_delivers_once(fake: FakeLinePlatform, api: MessagingApi) -> None:
    key = str(uuid.uuid4())
    first = api.push_message_with_http_info(PushMessageRequest(to=USER, messages=TEXT), x_line_retry_key=key)
    with pytest.raises(ApiException) as info:
        push(api, key)
    assert info.value.status == 409
    assert info.value.headers["X-Line-Accepted-Request-Id"] == first.headers["X-Line-Request-Id"]
    assert fake.delivery_counts() == {USER: 1}
    assert fake.delivered_to(USER)[0].retry_key == key
    assert fake.violations == []
    fake.advance(24 * 3600)  # a key is remembered for 24 hours
    push(api, key)
    assert fake.delivery_counts() == {USER: 2}


def test_retry_key_must_be_uuid(fake: FakeLinePlatform, api: MessagingApi) -> None:
    assert status_of(push, api, "not-a-uuid") == 400
    assert fake.deliveries == [] and len(fake.violations) == 1


# -- limits the spec does not encode --------------------------------------------------------------


def test_six_messages_rejected(fake: FakeLinePlatform, raw) -> None:
    body = {"to": USER, "messages": [{"type": "text", "text": str(i)} for i in range(6)]}
    status, _, error = raw("POST", "/v2/bot/message/push", body)
    assert status == 400 and any(d["property"] == "messages" for d in error["details"])
    assert fake.deliveries == [] and fake.violations[0].status == 400


def test_thai_text_over_5000_utf16_units_rejected(fake: FakeLinePlatform, api: MessagingApi) -> None:
    ok = "ที่" * 1666 + "กข"  # 5,000 units: vowel and tone marks count (LINE.md)
    api.push_message(PushMessageRequest(to=USER, messages=[TextMessage(text=ok)]))
    too_long = ok + "่"
    assert len(too_long) == 5001
    assert (
        status_of(api.push_message, PushMessageRequest(to=USER, messages=[TextMessage(text=too_long)])) == 400
    )
    assert fake.violations[0].details == ("messages[0].text: Length must be between 0 and 5000",)
    assert fake.delivery_counts() == {USER: 1}


def test_quick_reply_label_counted_in_graphemes(fake: FakeLinePlatform, api: MessagingApi) -> None:
    def message(label: str) -> TextMessage:
        action = PostbackAction(label=label, data="x=1")
        return TextMessage(text="?", quick_reply=QuickReply(items=[QuickReplyItem(action=action)]))

    api.push_message(PushMessageRequest(to=USER, messages=[message("ที่" * 20)]))  # 60 code points
    assert status_of(api.push_message, PushMessageRequest(to=USER, messages=[message("ก" * 21)])) == 400
    assert fake.violations[0].details == (
        "messages[0].quickReply.items[0].action.label: Length must be between 0 and 20",
    )


def test_multicast_over_500_rejected(fake: FakeLinePlatform, raw) -> None:
    body = {"to": [f"U{i:032x}" for i in range(501)], "messages": [{"type": "text", "text": "x"}]}
    status, _, _ = raw("POST", "/v2/bot/message/multicast", body)
    assert status == 400 and fake.deliveries == []
    assert "to: more than 500 items" in fake.violations[0].details


def test_unknown_path_and_bad_token(fake: FakeLinePlatform, raw) -> None:
    assert raw("GET", "/v2/bot/nothing")[0] == 404
    assert raw("GET", "/v2/bot/profile/U1", headers={"Authorization": "Bearer wrong"})[0] == 401
    assert [v.status for v in fake.violations] == [404, 401]


def test_schema_errors_recorded(fake: FakeLinePlatform, raw) -> None:
    status, _, error = raw("POST", "/v2/bot/message/push", {"to": USER, "messages": [{"type": "text"}]})
    assert status == 400 and error["details"][0]["property"] == "messages[0]"
    assert fake.requests[0].schema_errors == ("messages[0]: 'text' is a required property",)


def test_a_client_that_dies_mid_body_leaves_no_request_and_no_violation(fake: FakeLinePlatform) -> None:
    # A sender killed while writing a multicast (kill -9 mid-send): LINE never sees a request.
    body = json.dumps({"to": [USER], "messages": [{"type": "text", "text": "ข่าว"}]}).encode()
    host, port = fake.base_url.split("//", 1)[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            b"POST /v2/bot/message/multicast HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1024) == b""  # no answer: the connection is closed
    assert fake.requests == [] and fake.violations == [] and fake.deliveries == []


# -- rate limits ----------------------------------------------------------------------------------


def test_multicast_rate_limit(fake: FakeLinePlatform, api: MessagingApi, monkeypatch) -> None:
    request = MulticastRequest(to=[USER], messages=TEXT)

    def call(_: int) -> int:
        try:
            api.multicast(request)
            return 200
        except ApiException as e:
            return e.status

    # The 201 calls happen within one second of the fake's clock, however slow this machine is.
    frozen = fake.now()
    monkeypatch.setattr(fake, "now", lambda: frozen)
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(call, range(201)))
    assert statuses.count(200) == 200 and statuses.count(429) == 1
    assert len(fake.limit_violations) == 1
    assert fake.violations == []
    assert call(0) == 429  # still the same second
    monkeypatch.setattr(fake, "now", lambda: frozen + 1.0)
    assert call(0) == 200  # a second later the window has room again


def test_broadcast_and_narrowcast_share_hourly_limit(fake: FakeLinePlatform, api: MessagingApi, raw) -> None:
    for _ in range(60):
        api.broadcast(BroadcastRequest(messages=TEXT))
    status, _, _ = raw("POST", "/v2/bot/message/narrowcast", {"messages": [{"type": "text", "text": "x"}]})
    assert status == 429 and len(fake.limit_violations) == 1
    fake.advance(3600)
    status, headers, _ = raw(
        "POST", "/v2/bot/message/narrowcast", {"messages": [{"type": "text", "text": "x"}]}
    )
    assert status == 202 and headers["X-Line-Request-Id"]
    assert fake.delivery_counts() == {"broadcast": 60, "narrowcast": 1}


# -- faults ---------------------------------------------------------------------------------------


def test_fault_429(fake: FakeLinePlatform, api: MessagingApi) -> None:
    fake.inject_fault("429", count=1)
    assert status_of(push, api) == 429
    push(api)
    assert fake.delivery_counts() == {USER: 1}
    assert fake.violations == [] and fake.limit_violations == []


def test_fault_500(fake: FakeLinePlatform, api: MessagingApi) -> None:
    fake.inject_fault("500", count=1)
    assert status_of(push, api) == 500
    assert fake.deliveries == []
    key = str(uuid.uuid4())
    fake.inject_fault("500", count=1, accept=True)
    assert status_of(push, api, key) == 500  # accepted, then answered 500
    assert status_of(push, api, key) == 409  # so the retry is recognised
    assert fake.delivery_counts() == {USER: 1} and fake.violations == []


def test_fault_probability_is_seeded() -> None:
    def pattern() -> list[int]:
        with FakeLinePlatform(seed=7) as fake:
            fake.inject_fault("500", probability=0.5)
            config = Configuration(host=fake.base_url, access_token="test-access-token")
            with ApiClient(config) as client:
                api = MessagingApi(client)
                out = []
                for _ in range(12):
                    try:
                        api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=USER))
                        out.append(202)
                    except ApiException as e:
                        out.append(e.status)
                client.rest_client.pool_manager.clear()
            return out

    first = pattern()
    assert first == pattern() and {202, 500} <= set(first)


def test_fault_timeout_then_retry_gets_409(fake: FakeLinePlatform, api: MessagingApi) -> None:
    fake.inject_fault("timeout", path_prefix="/v2/bot/message/push", count=1, delay=0.6)
    key = str(uuid.uuid4())
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        push(api, key, _request_timeout=0.2)
    deadline = time.monotonic() + 5
    while not fake.calls("POST", "/v2/bot/message/push") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.calls("POST", "/v2/bot/message/push")[0].status == 200  # accepted after all
    assert status_of(push, api, key) == 409
    assert fake.delivery_counts() == {USER: 1} and fake.violations == []


# -- content, profile, loading --------------------------------------------------------------------


def test_message_content(fake: FakeLinePlatform, blob: MessagingApiBlob) -> None:
    fake.register_content("100001", b"\xff\xd8\xff fake jpeg", "image/jpeg")
    assert bytes(blob.get_message_content("100001")) == b"\xff\xd8\xff fake jpeg"
    assert status_of(blob.get_message_content, "999") == 404
    fake.mark_unsent("100001")
    assert status_of(blob.get_message_content, "100001") == 410
    assert fake.violations == []


def test_profile(fake: FakeLinePlatform, api: MessagingApi) -> None:
    fake.register_profile(USER, "สมชาย", picture_url="https://example.com/p.jpg")
    profile = api.get_profile(USER)
    assert (profile.display_name, profile.language, profile.picture_url) == (
        "สมชาย",
        "th",
        "https://example.com/p.jpg",
    )
    assert status_of(api.get_profile, "U" + "9" * 32) == 404


def test_loading_animation(fake: FakeLinePlatform, api: MessagingApi) -> None:
    api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=USER, loading_seconds=20))
    assert fake.calls("POST", "/v2/bot/chat/loading")[0].status == 202


# -- rich menus -----------------------------------------------------------------------------------


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 64)).save(out, format="PNG")
    return out.getvalue()


def test_rich_menu_lifecycle(fake: FakeLinePlatform, api: MessagingApi, blob: MessagingApiBlob) -> None:
    area = RichMenuArea(
        bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
        action=PostbackAction(label="บันทึก", data="menu=log"),
    )
    request = RichMenuRequest(
        size=RichMenuSize(width=2500, height=843),
        selected=True,
        name="main",
        chat_bar_text="เมนู",
        areas=[area],
    )
    api.validate_rich_menu_object(request)
    menu_id = api.create_rich_menu(request).rich_menu_id
    # The image must be uploaded before the menu can be applied.
    assert status_of(api.set_default_rich_menu, menu_id) == 400
    # Quirk: set_rich_menu_image ignores `_content_type`; the header has to be passed explicitly.
    image = {"Content-Type": "image/png"}
    blob.set_rich_menu_image(menu_id, body=png(2500, 843), _headers=image)
    assert status_of(blob.set_rich_menu_image, menu_id, body=png(2500, 843), _headers=image) == 400
    api.set_default_rich_menu(menu_id)
    assert api.get_default_rich_menu_id().rich_menu_id == menu_id
    other = api.create_rich_menu(request).rich_menu_id
    blob.set_rich_menu_image(other, body=png(1200, 405), _headers=image)
    api.link_rich_menu_id_to_users(
        RichMenuBulkLinkRequest(rich_menu_id=other, user_ids=[USER, "U" + "2" * 32])
    )
    assert fake.rich_menu_for(USER) == other  # per-user beats default
    assert fake.rich_menu_for("U" + "3" * 32) == menu_id
    assert api.get_rich_menu_id_of_user(USER).rich_menu_id == other
    assert {m.rich_menu_id for m in api.get_rich_menu_list().richmenus} == {menu_id, other}
    api.delete_rich_menu(other)
    assert fake.rich_menu_for(USER) == menu_id
    assert len(fake.violations) == 2  # the two deliberate 400s above


@pytest.mark.parametrize(
    ("image", "content_type"),
    [
        (png(799, 500), "image/png"),
        (png(1000, 800), "image/png"),
        (png(2500, 843), "image/jpeg"),
        (b"not an image", "image/png"),
        (png(2500, 843), "image/gif"),
    ],
)
def test_rich_menu_image_rules(fake: FakeLinePlatform, raw, image: bytes, content_type: str) -> None:
    menu = {
        "size": {"width": 2500, "height": 843},
        "selected": False,
        "name": "m",
        "chatBarText": "x",
        "areas": [],
    }
    menu_id = raw("POST", "/v2/bot/richmenu", menu)[2]["richMenuId"]
    status, _, _ = raw("POST", f"/v2/bot/richmenu/{menu_id}/content", image, {"Content-Type": content_type})
    assert status == 400 and fake.rich_menu_images == {}


def test_rich_menu_alias(fake: FakeLinePlatform, raw) -> None:
    menu = {
        "size": {"width": 2500, "height": 843},
        "selected": False,
        "name": "m",
        "chatBarText": "x",
        "areas": [],
    }
    menu_id = raw("POST", "/v2/bot/richmenu", menu)[2]["richMenuId"]
    assert (
        raw("POST", "/v2/bot/richmenu/alias", {"richMenuAliasId": "tab-a", "richMenuId": menu_id})[0] == 200
    )
    assert (
        raw("POST", "/v2/bot/richmenu/alias", {"richMenuAliasId": "Tab A", "richMenuId": menu_id})[0] == 400
    )
    assert raw("GET", "/v2/bot/richmenu/alias/list")[2] == {
        "aliases": [{"richMenuAliasId": "tab-a", "richMenuId": menu_id}]
    }
    assert raw("GET", "/v2/bot/richmenu/alias/tab-a")[2] == {
        "richMenuAliasId": "tab-a",
        "richMenuId": menu_id,
    }
    other = raw("POST", "/v2/bot/richmenu", menu)[2]["richMenuId"]
    assert raw("POST", "/v2/bot/richmenu/alias/tab-a", {"richMenuId": other})[0] == 200
    assert fake.rich_menu_aliases == {"tab-a": other}
    assert raw("POST", "/v2/bot/richmenu/alias/tab-a", {"richMenuId": "richmenu-nope"})[0] == 400
    assert raw("POST", "/v2/bot/richmenu/alias/tab-a", {"menu": other})[0] == 400  # schema: richMenuId
    assert raw("DELETE", "/v2/bot/richmenu/alias/tab-a")[0] == 200
    assert raw("GET", "/v2/bot/richmenu/alias/tab-a")[0] == 404


def test_reset(fake: FakeLinePlatform, api: MessagingApi) -> None:
    fake.inject_fault("500")
    assert status_of(push, api) == 500
    fake.reset()
    push(api)
    assert len(fake.requests) == 1 and fake.delivery_counts() == {USER: 1}


def test_rich_menu_create_delete_and_alias_delete_share_100_an_hour(fake: FakeLinePlatform, raw) -> None:
    menu = {
        "size": {"width": 2500, "height": 843},
        "selected": False,
        "name": "m",
        "chatBarText": "x",
        "areas": [],
    }
    ids = [raw("POST", "/v2/bot/richmenu", menu)[2]["richMenuId"] for _ in range(98)]
    assert raw("POST", "/v2/bot/richmenu/alias", {"richMenuAliasId": "a", "richMenuId": ids[0]})[0] == 200
    assert raw("DELETE", "/v2/bot/richmenu/alias/a")[0] == 200
    assert raw("DELETE", f"/v2/bot/richmenu/{ids[1]}")[0] == 200
    assert raw("POST", "/v2/bot/richmenu", menu)[0] == 429
    assert raw("DELETE", f"/v2/bot/richmenu/{ids[2]}")[0] == 429
    fake.advance(3600)
    assert raw("POST", "/v2/bot/richmenu", menu)[0] == 200
