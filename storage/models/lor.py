"""LOR tracking: where each agency's Letter of Recognition (ใบประกาศเกียรติคุณ, issued by TGO under
LESS) stands in a campaign, and every change to it with who made it and when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, UTCDateTime

# preparing → package_ready → submitted → issued, or → returned (then ready and submitted again).
LOR_STATUSES = ("preparing", "package_ready", "submitted", "issued", "returned")


class LorCase(Base):
    """One agency's LOR in one campaign (no campaign: the agency joined between rounds)."""

    __tablename__ = "lor_cases"
    __table_args__ = (Index("ix_lor_cases_agency_campaign", "agency_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", name="fk_lor_cases_agency", ondelete="CASCADE")
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", name="fk_lor_cases_campaign", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="preparing")
    submitted_on: Mapped[date | None] = mapped_column(Date)
    lor_number: Mapped[str | None] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    certificate_key: Mapped[str | None] = mapped_column(String(200))  # in the media store
    returned_reason: Mapped[str | None] = mapped_column(Text)
    returned_reports: Mapped[str | None] = mapped_column(Text)  # JSON list of report references
    changes: Mapped[int] = mapped_column(
        Integer, default=0
    )  # how many changes so far: the notices' dedupe keys
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class LorChange(Base):
    """One change of a case's status: its history (actor labels like "staff:3", never names)."""

    __tablename__ = "lor_changes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("lor_cases.id", name="fk_lor_changes_case", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: dates, numbers, reason, references
