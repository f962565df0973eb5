"""LESS submission batches: the ZIP of agencies' packages the program sends to TGO, with who made it,
when, and each file's SHA-256, so a batch can be rebuilt later and compared byte for byte."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, UTCDateTime


class LessBatch(Base):
    """One batch as recorded when staff downloaded it."""

    __tablename__ = "less_batches"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    label: Mapped[str] = mapped_column(String(64))  # the cover sheet's batch id (from period and agencies)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", name="fk_less_batches_campaign", ondelete="SET NULL")
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    batch_date: Mapped[date] = mapped_column(Date)  # the cover sheet's date (Bangkok)
    actor: Mapped[str] = mapped_column(String(64))  # "staff:3", "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    chosen_key: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 of period and agency ids
    cover_sha256: Mapped[str] = mapped_column(String(64))
    zip_sha256: Mapped[str] = mapped_column(String(64))


class LessBatchPackage(Base):
    """One agency's package in a batch."""

    __tablename__ = "less_batch_packages"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("less_batches.id", name="fk_less_batch_packages_batch", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(BigIntPK)  # kept as a number: the record outlives the agency
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    reports: Mapped[int] = mapped_column(Integer)
