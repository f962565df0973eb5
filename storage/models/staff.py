"""The staff web's tables: one-time sign-in codes, the sessions they open, and sign-in attempts.

Only hashes of secrets are stored (the code, the browser's secret, the session token). A session
belongs to a staff member and goes with them: removing or erasing the member deletes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, UTCDateTime


class StaffSignInCode(Base):
    """A code a browser shows and a staff member sends to the bot from their phone.

    waiting → asked (the bot showed a staff member the confirm card) → confirmed (they tapped
    confirm; the code is bound to them) → collected (the browser that showed it got its session);
    or cancelled. It is good for a few minutes only.
    """

    __tablename__ = "staff_sign_in_codes"
    __table_args__ = (
        Index("ix_staff_sign_in_codes_code", "code_sha256", unique=True),
        Index("ix_staff_sign_in_codes_ip", "ip_sha256", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    browser_sha256: Mapped[str] = mapped_column(String(64))  # the secret in the browser's cookie
    ip_sha256: Mapped[str] = mapped_column(String(64))  # for the per-address creation limit
    browser: Mapped[str] = mapped_column(String(80))  # "Chrome on Windows"
    place: Mapped[str] = mapped_column(String(64))  # the address's rough form: "203.0.113.x"
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", name="fk_staff_sign_in_codes_staff", ondelete="CASCADE")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSignInAttempt(Base):
    """A code sent to the bot that opened nothing, kept for the per-person limit on wrong codes.
    The sender is a hash of their LINE user id; rows older than the limit's window are deleted."""

    __tablename__ = "staff_sign_in_attempts"
    __table_args__ = (Index("ix_staff_sign_in_attempts_sender", "sender_sha256", "at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    sender_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffWebSession(Base):
    """A signed-in browser: the cookie holds the token, this row its hash. Ends on sign-out, after
    inactivity, or when the staff member is removed."""

    __tablename__ = "staff_web_sessions"
    __table_args__ = (Index("ix_staff_web_sessions_token", "token_sha256", unique=True),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64))
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", name="fk_staff_web_sessions_staff", ondelete="CASCADE"), index=True
    )
    browser: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
