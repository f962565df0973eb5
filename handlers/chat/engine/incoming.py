"""One user input, whatever LINE event carried it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from linebot.v3.webhooks import (
    AudioMessageContent,
    Event,
    FileMessageContent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    VideoMessageContent,
)

from handlers.parsing import strip_unstorable

# Every kind of input the engine tells apart (anything else is "other").
INPUT_KINDS = ("text", "postback", "image", "video", "audio", "file", "location", "sticker")


@dataclass(frozen=True)
class Incoming:
    """One user input, whatever LINE event carried it."""

    kind: str  # text | postback | image | video | audio | file | location | sticker
    text: str = ""
    data: Mapping[str, str] = field(default_factory=dict)  # a postback's fields
    message_id: str | None = None
    # A shared location (LINE's location message): where, and the address LINE gives.
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""

    @classmethod
    def from_event(cls, event: Event) -> Incoming | None:
        """The input in `event`, its text and postback fields stripped of characters no column
        could store (a NUL, a lone surrogate): whatever a flow keeps of it fits the database."""
        if isinstance(event, PostbackEvent):
            fields = parse_qsl(strip_unstorable(event.postback.data or ""), keep_blank_values=True)
            return cls("postback", data={key: strip_unstorable(value) for key, value in fields})
        if not isinstance(event, MessageEvent):
            return None
        message = event.message
        kinds = {
            TextMessageContent: "text",
            ImageMessageContent: "image",
            VideoMessageContent: "video",
            AudioMessageContent: "audio",
            FileMessageContent: "file",
            LocationMessageContent: "location",
            StickerMessageContent: "sticker",
        }
        kind = next((k for cls_, k in kinds.items() if isinstance(message, cls_)), "other")
        text = message.text if isinstance(message, TextMessageContent) else ""
        if isinstance(message, LocationMessageContent):
            return cls(
                kind,
                message_id=message.id,
                latitude=message.latitude,
                longitude=message.longitude,
                address=strip_unstorable(message.address or message.title or "")[:300],
            )
        return cls(kind, text=strip_unstorable(text or ""), message_id=getattr(message, "id", None))
