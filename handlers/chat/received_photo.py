"""A photo as conversation input: what the executor did with an image (or unsend) event's photo
before the event's transaction (`ReceivedPhoto`, handed to the chat through `EventContext.photo`),
and the sentences for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from handlers.catalog import t
from storage.photo_repository import ReuseMatch


@dataclass(frozen=True)
class ReceivedPhoto:
    """What became of an image (or unsend) event's photo.

    `kind`: "stored" (`photo_id` is a `photos` row, status received), "refused" (`refusal` is a
    `storage.photos.REFUSAL_CODES` code; nothing was stored) or "removed" (the user unsent the
    photo `photo_id`; its files are deleted). `reused`: for a stored photo, the earlier photo in
    another report or another user's draft it matches (accept it, flag it, tell the user politely:
    the report flow says which). `redelivered`: the photo had been stored by an earlier run of
    this event.
    """

    kind: str
    photo_id: int | None = None
    refusal: str | None = None
    reused: ReuseMatch | None = None
    image_set_id: str | None = None
    image_set_index: int | None = None
    image_set_total: int | None = None
    redelivered: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, to keep in a conversation's answers (a photo held for a question)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReceivedPhoto:
        photo = cls(**{k: v for k, v in data.items() if k != "reused"})
        reused = data.get("reused")
        return replace(photo, reused=ReuseMatch(**reused)) if reused else photo


def refusal_text(code: str, language: str, *, max_bytes: int = 20 * 1024 * 1024) -> str:
    """The polite sentence for a refused photo (`photos.refused.<code>`)."""
    return t(f"photos.refused.{code}", language, max_mb=max_bytes // (1024 * 1024))


def received_text(photo: ReceivedPhoto, language: str) -> str:
    """ "Photo received", or "photo 2 of 5 received" for photos sent together."""
    if photo.image_set_total and photo.image_set_index:
        return t("photos.received_of_set", language, index=photo.image_set_index, total=photo.image_set_total)
    return t("photos.received", language)
