"""Rendering within LINE's limits: button labels, text split into messages, postback data."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from linebot.v3.messaging import Message, QuickReply, TextMessage

# LINE limits the engine designs around: messages per reply, text length, quick-reply buttons,
# label length, postback data.
MAX_MESSAGES = 5
MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY = 13
MAX_LABEL_UTF16 = 20
MAX_POSTBACK_DATA = 300


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_label(text: str) -> str:
    """A button label LINE accepts (≤ 20 characters, counted the strictest way)."""
    if utf16_len(text) <= MAX_LABEL_UTF16:
        return text
    out = ""
    for char in text:
        if utf16_len(out + char) > MAX_LABEL_UTF16 - 1:
            break
        out += char
    return out + "…"


def split_text(text: str, limit: int = MAX_TEXT_UTF16) -> list[str]:
    """Split long text into pieces LINE accepts, at paragraph, line or space boundaries."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = len(rest)
        while utf16_len(rest[:cut]) > limit:
            cut = int(cut * 0.9)
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > cut // 2:
                cut = position + len(separator)
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def postback_data(**fields: str) -> str:
    data = urlencode(fields)
    if len(data) > MAX_POSTBACK_DATA:
        raise ValueError("postback data too long")
    return data


def assemble(texts: Sequence[str], quick_reply: QuickReply | None = None) -> list[Message]:
    """Texts as at most 5 LINE messages, the quick reply on the last one."""
    joined = "\n\n".join(text for text in texts if text)
    parts = split_text(joined) or [""]
    if len(parts) > MAX_MESSAGES:
        # Over 20,000 characters: never written by us; keep the start and the question at the end.
        parts = [*parts[: MAX_MESSAGES - 1], parts[-1]]
    messages: list[Message] = [TextMessage(text=part) for part in parts[:-1]]
    messages.append(TextMessage(text=parts[-1], quick_reply=quick_reply))
    return messages
