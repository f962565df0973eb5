"""Flex card pieces the chat's cards share (the report summary, "my agency", the program's
results): texts, label/value rows, a footer button and the bubble around them."""

from __future__ import annotations

from typing import Any

MAX_ALT_TEXT = 400  # LINE's limit on a Flex message's alt text
GREEN = "#06563E"  # the program's colour
GREY = "#666666"


def card_text(text: str, **style: Any) -> dict[str, Any]:
    """A wrapped text, small unless `size` says otherwise (never empty: LINE refuses that)."""
    return {"type": "text", "text": text or " ", "wrap": True, "size": style.pop("size", "sm"), **style}


def card_row(label: str, value: str) -> dict[str, Any]:
    """A grey label and its value on one line."""
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "sm",
        "contents": [card_text(label, color=GREY, flex=4), card_text(value, flex=6)],
    }


def button_footer(action: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
    """A card's footer: one primary button in the program's green, any others quieter below it."""
    button = {"type": "button", "style": "primary", "color": GREEN, "action": action}
    others = [{"type": "button", "style": "secondary", "height": "sm", "action": a} for a in more]
    return {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [button, *others]}


def bubble(
    title: str,
    body: list[dict[str, Any]],
    *,
    subtitle: str | None = None,
    footer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A wide bubble: a bold title (and a grey subtitle) above the body, a footer if given."""
    header = [card_text(title, weight="bold", size="lg")]
    if subtitle is not None:
        header.append(card_text(subtitle, color=GREY))
    card: dict[str, Any] = {
        "type": "bubble",
        "size": "giga",
        "header": {"type": "box", "layout": "vertical", "contents": header},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
    }
    if footer is not None:
        card["footer"] = footer
    return card
