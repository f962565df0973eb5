"""Activity reports: what a coordinator reported, the calculation pinned as it was shown,
and where staff review stands. Photos point at reports (`photos.report_id`).

A report belongs to its agency; the reporter's LINE user id is kept for telling them about staff
decisions (it is personal data: erasing the person blanks it, the report stays).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, UTCDateTime

# submitted → approved | needs_fix (→ submitted again once fixed) | rejected; withdrawn by the reporter.
REPORT_STATUSES = ("submitted", "needs_fix", "approved", "rejected", "withdrawn")


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("year_be", "sequence", name="uq_reports_reference"),
        Index("ix_reports_agency_created", "agency_id", "created_at"),
        Index("ix_reports_status", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # Made when the draft started: confirming twice (or a redelivered confirm) finds this row again.
    submit_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The reference people see: R-<year_be>-<sequence, 5 digits>.
    year_be: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    reporter_line_user_id: Mapped[str | None] = mapped_column(String(64))
    activity_key: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    inputs: Mapped[str] = mapped_column(Text)  # JSON: field -> {"value", "unit"} or a choice key
    result: Mapped[str] = mapped_column(Text)  # JSON: calc Result.to_dict() (factors pinned)
    calc_status: Mapped[str] = mapped_column(String(16))  # ok | needs_review | needs_factor
    kg_co2e: Mapped[str | None] = mapped_column(String(64))  # exact decimal; None: needs a factor
    warnings: Mapped[str] = mapped_column(Text)  # JSON list of calc warnings
    flags: Mapped[str] = mapped_column(Text)  # JSON list: outside_campaign_period, duplicate_photo
    place_lat: Mapped[float | None] = mapped_column(Float)
    place_lon: Mapped[float | None] = mapped_column(Float)
    place_address: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    review_reason: Mapped[str | None] = mapped_column(Text)
    fix_fields: Mapped[str | None] = mapped_column(Text)  # JSON list of fields staff asked to fix
    fix_photos: Mapped[str | None] = mapped_column(Text)  # JSON list of photo ids staff marked wrong
    changes: Mapped[str | None] = mapped_column(Text)  # JSON list: what the last correction changed
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportCounter(Base):
    """The last reference number given in a Buddhist-era year (one row per year, bumped in place)."""

    __tablename__ = "report_counters"

    year_be: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class ReportReviewClaim(Base):
    """A staff member has the report open for review until `expires_at` (renewed on each view and
    action): others see who, and cannot decide on it meanwhile. One row per report at most."""

    __tablename__ = "report_review_claims"

    report_id: Mapped[int] = mapped_column(
        BigIntPK,
        ForeignKey("reports.id", name="fk_report_review_claims_report", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    staff_member_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("staff_members.id", name="fk_report_review_claims_staff", ondelete="CASCADE")
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
