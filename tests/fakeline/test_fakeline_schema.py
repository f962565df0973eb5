"""bot.fakeline.schema: requests checked against LINE's messaging-api.yml with discriminators expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.fakeline import schema
from bot.fakeline.schema import SpecNotFoundError, find_spec_dir, validate_request

PUSH = "/v2/bot/message/push"
USER = "U" + "0" * 32


def push(*messages: dict) -> list[str]:
    return validate_request("POST", PUSH, {"to": USER, "messages": list(messages)})


def test_valid_text_push_passes() -> None:
    assert push({"type": "text", "text": "สวัสดีครับ"}) == []


def test_text_without_text_fails() -> None:
    assert push({"type": "text"}) == ["messages[0]: 'text' is a required property"]


def test_unknown_message_type_fails() -> None:
    errors = push({"type": "bogus", "text": "x"})
    assert len(errors) == 1 and "messages[0].type: unknown 'bogus'" in errors[0]


def test_message_without_type_fails() -> None:
    assert push({"text": "x"})[0].startswith("messages[0].type: missing")


def test_flex_bubble_with_nested_box_validates() -> None:
    bubble = {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": "ยอดลดก๊าซ", "weight": "bold"},
                {
                    "type": "box",
                    "layout": "horizontal",
                    "contents": [
                        {"type": "text", "text": "12.5 kgCO2e"},
                        {"type": "button", "action": {"type": "postback", "label": "ดู", "data": "a=1"}},
                    ],
                },
            ],
        },
    }
    assert push({"type": "flex", "altText": "สรุป", "contents": bubble}) == []
    # Quirk: FlexText does not require `text` in the spec (spans may replace it), so break a box.
    bubble["body"]["contents"][1]["contents"][0] = {"type": "box", "contents": []}
    assert push({"type": "flex", "altText": "สรุป", "contents": bubble}) == [
        "messages[0].contents.body.contents[1].contents[0]: 'layout' is a required property"
    ]


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ({"type": "postbakc", "label": "a", "data": "x"}, "action.type: unknown 'postbakc'"),
        ({"label": "a", "data": "x"}, "action.type: missing"),
        ({"type": "postback", "label": "a", "data": "x" * 301}, "action.data: longer than 300"),
        ({"type": "clipboard", "label": "a"}, "'clipboardText' is a required property"),
    ],
)
def test_bad_quick_reply_action_fails(action: dict, expected: str) -> None:
    message = {
        "type": "text",
        "text": "เลือก",
        "quickReply": {"items": [{"type": "action", "action": action}]},
    }
    errors = push(message)
    assert len(errors) == 1 and expected in errors[0], errors


def test_valid_quick_reply_passes() -> None:
    items = [{"type": "action", "action": {"type": "message", "label": "ใช่", "text": "ใช่"}}]
    assert push({"type": "text", "text": "ยืนยัน?", "quickReply": {"items": items}}) == []


def test_unknown_path_and_method_fail() -> None:
    assert validate_request("POST", "/v2/bot/message/pushh", {}) != []
    assert validate_request("PUT", PUSH, {}) != []


def test_templated_paths_and_non_json_bodies() -> None:
    assert schema.match_path("/v2/bot/richmenu/list") == "/v2/bot/richmenu/list"
    assert schema.match_path("/v2/bot/richmenu/richmenu-1") == "/v2/bot/richmenu/{richMenuId}"
    assert validate_request("GET", "/v2/bot/profile/U1?x=1", None) == []
    # The rich-menu image upload has a binary body: nothing to check as JSON.
    assert validate_request("POST", "/v2/bot/richmenu/richmenu-1/content", None) == []
    assert validate_request("POST", PUSH, None) == ["request body must be JSON"]


def test_limits_encoded_in_spec_are_reported_briefly() -> None:
    errors = validate_request(
        "POST", "/v2/bot/message/multicast", {"to": [USER] * 501, "messages": [{"type": "text", "text": "x"}]}
    )
    assert errors == ["to: more than 500 items"]


def test_spec_dir_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert (find_spec_dir() / "webhook.yml").is_file()
    monkeypatch.setenv("LINE_OPENAPI_DIR", str(tmp_path))
    with pytest.raises(SpecNotFoundError, match="does not contain"):
        find_spec_dir()


def test_missing_spec_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LINE_OPENAPI_DIR", raising=False)
    monkeypatch.setattr(schema, "__file__", str(tmp_path / "repo" / "bot" / "fakeline" / "schema.py"))
    with pytest.raises(SpecNotFoundError, match=r"Searched: .*repo/bot/shared/line-openapi"):
        find_spec_dir()
