"""LINE limits that messaging-api.yml does not encode (shared/domain/LINE.md, "Replies and pushes").

Each check returns ``(property, message)`` pairs in the style of LINE's 400 ``details``.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

MAX_MESSAGES = 5
MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20
MAX_POSTBACK_DATA = 300
MAX_ALT_TEXT = 1500
MAX_MULTICAST_TO = 500
MAX_BULK_USERS = 500
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_BUBBLE_BYTES = 30 * 1024
MAX_CAROUSEL_BYTES = 50 * 1024
MAX_CAROUSEL_BUBBLES = 12
MAX_RICH_MENU_AREAS = 20

Problems = list[tuple[str, str]]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, LINE's unit for text (Thai vowel and tone marks count)."""
    return len(text.encode("utf-16-le")) // 2


def grapheme_len(text: str) -> int:
    """Approximate count of extended grapheme clusters (UAX #29).

    LINE counts action labels in grapheme clusters, not UTF-16 units (developers.line.biz,
    "Counting characters in text"), so "ที่" is one character there. Combining marks, Thai/Lao
    SARA AM, emoji modifiers, ZWJ sequences and flag pairs join the preceding cluster.
    """
    count, after_zwj, open_flag = 0, False, False
    for ch in text:
        cp = ord(ch)
        if after_zwj:
            after_zwj = False
            continue
        if cp == 0x200D:
            after_zwj = True
            continue
        if (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or cp in (0x0E33, 0x0EB3)
            or 0x1F3FB <= cp <= 0x1F3FF
            or 0xE0020 <= cp <= 0xE007F
        ):
            continue
        if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators pair up into one flag
            open_flag = not open_flag
            count += 1 if open_flag else 0
            continue
        open_flag = False
        count += 1
    return max(count, 1) if text else 0


def _compact_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def check_messages(messages: Any, prop: str = "messages") -> Problems:
    """Count, text length, altText, quick reply, labels, postback data and Flex size."""
    if not isinstance(messages, list):
        return []
    problems: Problems = []
    if len(messages) > MAX_MESSAGES:
        problems.append((prop, f"Size must be between 1 and {MAX_MESSAGES}"))
    for i, message in enumerate(messages):
        if isinstance(message, dict):
            problems += _check_message(message, f"{prop}[{i}]")
    return problems


def _check_message(message: dict[str, Any], prop: str) -> Problems:
    problems: Problems = []
    text = message.get("text")
    if message.get("type") in ("text", "textV2") and isinstance(text, str):
        if utf16_len(text) > MAX_TEXT_UTF16:
            problems.append((f"{prop}.text", f"Length must be between 0 and {MAX_TEXT_UTF16}"))
    alt = message.get("altText")
    if isinstance(alt, str) and len(alt) > MAX_ALT_TEXT:
        problems.append((f"{prop}.altText", f"Length must be between 0 and {MAX_ALT_TEXT}"))
    quick = message.get("quickReply")
    if isinstance(quick, dict) and isinstance(quick.get("items"), list):
        if len(quick["items"]) > MAX_QUICK_REPLY_ITEMS:
            problems.append(
                (f"{prop}.quickReply.items", f"Size must be between 0 and {MAX_QUICK_REPLY_ITEMS}")
            )
    if message.get("type") == "flex":
        problems += _check_flex(message.get("contents"), f"{prop}.contents")
    problems += check_actions(message, prop)
    return problems


def _check_flex(contents: Any, prop: str) -> Problems:
    if not isinstance(contents, dict):
        return []
    if contents.get("type") == "carousel":
        problems: Problems = []
        bubbles = contents.get("contents")
        if isinstance(bubbles, list) and len(bubbles) > MAX_CAROUSEL_BUBBLES:
            problems.append((f"{prop}.contents", f"Size must be between 1 and {MAX_CAROUSEL_BUBBLES}"))
        if _compact_size(contents) > MAX_CAROUSEL_BYTES:
            problems.append((prop, "Flex carousel exceeds 50 KB"))
        return problems
    if _compact_size(contents) > MAX_BUBBLE_BYTES:
        return [(prop, "Flex bubble exceeds 30 KB")]
    return []


def check_actions(node: Any, prop: str, *, in_flex: bool = False) -> Problems:
    """Walk ``node`` for action objects: label ≤ 20 graphemes, postback ``data`` ≤ 300.

    Labels inside Flex components are not checked: LINE.md gives the 20-character limit for quick
    replies (and templates/rich menus use the same), not for Flex buttons.
    """
    problems: Problems = []
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{prop}.{key}" if prop else key
            if key in ("action", "defaultAction") and isinstance(value, dict):
                problems += _check_action(value, sub, check_label=not in_flex)
            elif key == "actions" and isinstance(value, list):
                for i, action in enumerate(value):
                    if isinstance(action, dict):
                        problems += _check_action(action, f"{sub}[{i}]", check_label=not in_flex)
            if isinstance(value, dict | list):
                flex = in_flex or (key == "contents" and node.get("type") == "flex")
                problems += check_actions(value, sub, in_flex=flex)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            problems += check_actions(value, f"{prop}[{i}]", in_flex=in_flex)
    return problems


def _check_action(action: dict[str, Any], prop: str, *, check_label: bool) -> Problems:
    problems: Problems = []
    label = action.get("label")
    if check_label and isinstance(label, str) and grapheme_len(label) > MAX_LABEL:
        problems.append((f"{prop}.label", f"Length must be between 0 and {MAX_LABEL}"))
    data = action.get("data")
    if isinstance(data, str) and len(data) > MAX_POSTBACK_DATA:
        problems.append((f"{prop}.data", f"Length must be between 0 and {MAX_POSTBACK_DATA}"))
    return problems


def check_rich_menu(menu: Any) -> Problems:
    """Rich menu object rules the spec leaves out (LINE.md "Rich menus": ≤ 20 areas)."""
    if not isinstance(menu, dict):
        return []
    problems: Problems = [
        (key, "must be specified") for key in ("size", "name", "chatBarText", "areas") if key not in menu
    ]
    size = menu.get("size")
    if isinstance(size, dict):
        width, height = size.get("width"), size.get("height")
        if isinstance(width, int) and not 800 <= width <= 2500:
            problems.append(("size.width", "must be between 800 and 2500"))
        if isinstance(height, int) and height < 250:
            problems.append(("size.height", "must be at least 250"))
        if isinstance(width, int) and isinstance(height, int) and height > 0 and width / height < 1.45:
            problems.append(("size", "width/height must be at least 1.45"))
    areas = menu.get("areas")
    if isinstance(areas, list) and len(areas) > MAX_RICH_MENU_AREAS:
        problems.append(("areas", f"Size must be between 0 and {MAX_RICH_MENU_AREAS}"))
    problems += check_actions({"areas": areas}, "") if isinstance(areas, list) else []
    return problems
