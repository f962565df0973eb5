"""The public pages' figures, computed once and kept: one row (id 1) holding the latest
snapshot as JSON, whether something that changes the figures happened since (`stale`), and a
generation bumped by each such change so a refresh racing a change does not clear it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class PublicSnapshot(Base):
    __tablename__ = "public_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stale: Mapped[bool] = mapped_column(Boolean, default=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)  # bumped by each mark_stale
    token: Mapped[str | None] = mapped_column(String(32))  # new for each refresh: the memo's key
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    figures: Mapped[str | None] = mapped_column(Text)  # JSON; null: no active campaign
