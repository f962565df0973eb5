"""Whether the user's current question takes photos.

The executor downloads, checks, stores and records a photo before the event's transaction (never
holding the database during network or Pillow work), and only when `wants_photo` says the user's
question takes photos: an image sent at any other moment is not fetched (the engine answers that
no photo is needed now). What became of the photo is a `ReceivedPhoto` (handlers.chat.received_photo).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.chat.engine import Flow
from handlers.chat.flows import FLOWS
from handlers.chat.received_photo import ReceivedPhoto, received_text, refusal_text
from storage.models import Conversation

__all__ = ["ReceivedPhoto", "received_text", "refusal_text", "wants_photo"]


def wants_photo(session: Session, line_user_id: str, flows: Sequence[Flow] = FLOWS) -> bool:
    """Whether the user's current question accepts images (a step whose `accepts` has "image")."""
    row = session.execute(
        select(Conversation.flow, Conversation.state, Conversation.pending).where(
            Conversation.line_user_id == line_user_id
        )
    ).first()
    if row is None or row.flow is None or row.pending:
        return False
    flow = next((f for f in flows if f.name == row.flow), None)
    step = flow.steps.get(row.state or "") if flow else None
    return step is not None and "image" in step.accepts
