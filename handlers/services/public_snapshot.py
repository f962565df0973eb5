"""Marking the public figures stale: called in the same transaction as whatever changes them (a
report approved or sent back, an agency's consent or LOR changed), so the clock recomputes them
within seconds. A leaf (storage only), so the services that change figures need not import the figures."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models.public import PublicSnapshot

SNAPSHOT_ID = 1


def mark_stale(session: Session) -> None:
    """The stored figures no longer hold; bumping the generation tells a refresh running now."""
    session.execute(
        update(PublicSnapshot)
        .where(PublicSnapshot.id == SNAPSHOT_ID)
        .values(stale=True, generation=PublicSnapshot.generation + 1)
    )
