"""The program's tables: campaigns, agencies, coordinators, join requests, invitations, staff,
the audit log and personal-data exports.

Personal data (a person's name, position, phone, LINE user id) sits only in nullable columns of
`coordinators`, `join_requests`, `staff_members` and `data_exports`, so erasing a person blanks
those columns (or deletes the row) while agencies, and everything that points at an agency, stay.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.types import BigIntPK, UTCDateTime


class Campaign(Base):
    """One round of the program (e.g. ปีงบประมาณ 2567). Exactly one is active at a time."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # The campaign file's stable identifier: loading a file again updates this row, never adds one.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    year_be: Mapped[int] = mapped_column(Integer)
    target_agencies: Mapped[int] = mapped_column(Integer)
    activity_types: Mapped[str] = mapped_column(Text)  # JSON list of calc.activity_types() keys
    # Evidence photos per report; NULL: the default (PHOTOS_MIN_DEFAULT / PHOTOS_MAX_DEFAULT in
    # handlers/services/campaigns.py).
    photos_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    photos_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # JSON of the campaign file's [contact] (who people can reach); NULL: the file has none.
    contact: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    # SHA-256 of the loaded file's meaning: the same content loaded again changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    phases: Mapped[list[CampaignPhase]] = relationship(
        order_by="CampaignPhase.position", cascade="all, delete-orphan"
    )
    deadlines: Mapped[list[CampaignDeadline]] = relationship(
        order_by="CampaignDeadline.due_at", cascade="all, delete-orphan"
    )


class CampaignPhase(Base):
    __tablename__ = "campaign_phases"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(16))  # "4.1", "4.2.1" … as in the program document
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class CampaignDeadline(Base):
    __tablename__ = "campaign_deadlines"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # registration | report | evidence | …
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the file gives Bangkok time; stored UTC
    # Whom it concerns: all | subscribers | coordinators | pending_agencies | approved_agencies
    applies_to: Mapped[str] = mapped_column(String(32))
    label_th: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    # JSON list of days before `due_at` when reminders go out (09:00 Bangkok); None: the default.
    remind_days: Mapped[str | None] = mapped_column(Text)

    def label(self, language: str) -> str:
        return self.label_th if language == "th" else self.label_en


class Agency(Base):
    """A participating organisation. Outlives every person who coordinated it."""

    __tablename__ = "agencies"
    __table_args__ = (Index("ix_agencies_province_norm", "province_code", "normalised_name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalised_name: Mapped[str] = mapped_column(String(300))
    agency_type: Mapped[str] = mapped_column(String(32))
    province_code: Mapped[str] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    show_name_publicly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether the agency's evidence photos may be shown on the public pages (board, results).
    show_photos_publicly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # None: registered while no campaign was active; it joins the next campaign loaded.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who decided, as an actor label ("cli", "staff:3"): never a person's name or LINE id.
    decided_by: Mapped[str | None] = mapped_column(String(64))


class Coordinator(Base):
    """A person acting for an agency. Personal columns become NULL when the person is erased."""

    __tablename__ = "coordinators"
    __table_args__ = (Index("ix_coordinators_user", "line_user_id", "status"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    line_user_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | left | erased
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JoinRequest(Base):
    __tablename__ = "join_requests"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    line_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|approved|declined|erased
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The coordinator row, not the person: erasing the person leaves the invitation's history.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("coordinators.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffMember(Base):
    """Program staff (DCCE/TGO) whose LINE accounts are told about registrations."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who did what to personal data or to an agency's standing. Holds ids, never personal data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "self", "cli", "staff:3"
    action: Mapped[str] = mapped_column(String(64))  # "approve_agency", "erase_person" …
    subject: Mapped[str] = mapped_column(String(128))  # "agency:12", "erasure:<uuid>" …
    detail: Mapped[str | None] = mapped_column(Text)  # JSON, no personal data


class DataExport(Base):
    """A personal-data download link. Only the token's SHA-256 is stored; it expires in 24 hours."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    line_user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
