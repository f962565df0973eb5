"""The LINE-facing rows: users, inbox events and leases, the outbox, conversations and drafts,
photos, rich-menu links and scheduled posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigIntPK, UTCDateTime


class LineUser(Base):
    """A LINE user who has talked to or followed the account."""

    __tablename__ = "line_users"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="th")
    # unfollow = the user blocked the account: never push to them until they follow again.
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    followed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Preferences the user chose (the preferences flow).
    news_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    province_code: Mapped[str | None] = mapped_column(String(8))
    reminder_days: Mapped[int | None] = mapped_column(Integer)
    # Which version of the privacy notice this person was shown, and when (PDPA: proof of notice).
    privacy_notice_version: Mapped[str | None] = mapped_column(String(16))
    privacy_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboxEvent(Base):
    """One webhook event as LINE delivered it; `webhook_event_id` makes redeliveries no-ops."""

    __tablename__ = "inbox_events"
    __table_args__ = (
        Index("ix_inbox_source_pending", "source_key", "status", "timestamp_ms"),
        # The sweeper's question ("what has waited too long?") must not scan all history.
        Index("ix_inbox_status_received", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The LINE user (or group/room) whose events must be processed in order.
    source_key: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16), default="active")
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    reply_token: Mapped[str | None] = mapped_column(String(255))
    # The event JSON as received. It can hold message text: stored, never logged.
    payload: Mapped[str] = mapped_column(Text)
    # pending → done | failed; standby and unknown types are stored as ignored; an event whose
    # fields the columns cannot hold is stored as rejected, with `reject_reason`.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_id: Mapped[str | None] = mapped_column(String(32))
    # Why an event was rejected, as a short code naming the field ("timestamp: out of range"); never
    # the field's value, which may be personal data.
    reject_reason: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceLease(Base):
    """Who is draining one source's events right now, across all processes.

    A lease, not a lock held by a connection: a killed process's lease simply expires and the
    sweeper takes over.
    """

    __tablename__ = "source_leases"

    source_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A message to LINE that is written down before it is sent (docs/architecture.md: outbound messages)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # reply | push | multicast | broadcast | narrowcast
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    # X-Line-Retry-Key: fixed at creation so every retry of this row is the same request to LINE.
    retry_key: Mapped[str] = mapped_column(String(36))
    reply_token: Mapped[str | None] = mapped_column(String(255))
    reply_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of LINE user ids
    payload: Mapped[str] = mapped_column(Text)  # JSON: {"messages": [...], narrowcast extras}
    # pending → sending → sent | dead | skipped
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Urgent rows go out at once; the rest (news, knowledge posts) wait out quiet hours.
    urgent: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Conversation(Base):
    """Where one LINE user is in a conversation. One row per user, locked while an event runs."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    # A new id each time a flow starts: buttons carry it, so old buttons are recognised as stale.
    conversation_id: Mapped[str] = mapped_column(String(16))
    flow: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    history: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of earlier states (for back)
    # An engine question waiting for yes/no: "leave:<flow>" or "resume:<flow>".
    pending: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConversationDraft(Base):
    """Answers of a flow left unfinished (cancel, menu, idle timeout), offered back next time."""

    __tablename__ = "conversation_drafts"
    __table_args__ = (UniqueConstraint("line_user_id", "flow", name="uq_draft_user_flow"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64))
    flow: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(64))
    answers: Mapped[str] = mapped_column(Text)
    history: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Photo(Base):
    """An evidence photo a user sent: its stored copies (keys into the media store, never bytes),
    what its EXIF said, its hashes, and where it went (storage/photo_repository.py)."""

    __tablename__ = "photos"
    __table_args__ = (
        Index("ix_photos_sha256", "sha256"),
        Index("ix_photos_user_report", "line_user_id", "report_id"),
        Index("ix_photos_report", "report_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64))
    # LINE's message id: a redelivered image event finds its photo here instead of storing another.
    line_message_id: Mapped[str] = mapped_column(String(64), unique=True)
    # Photos sent together (LINE's imageSet): each its own event, counted by the set.
    image_set_id: Mapped[str | None] = mapped_column(String(64))
    image_set_index: Mapped[int | None] = mapped_column(Integer)
    image_set_total: Mapped[int | None] = mapped_column(Integer)
    display_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes LINE gave us
    phash: Mapped[str] = mapped_column(String(16))  # 64-bit perceptual hash, hex
    width: Mapped[int] = mapped_column(Integer)  # the original's size, upright
    height: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # EXIF, when the photo says
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    # received (in the user's draft) → attached (to a report) → replaced (swapped in a correction;
    # report_id kept for the record) | removed (unsent; files deleted)
    status: Mapped[str] = mapped_column(String(16), default="received")
    # Set by the report flow when the report is stored (reports arrive in a later migration).
    report_id: Mapped[int | None] = mapped_column(BigInteger)
    # The same or a near-identical photo already in another report or another user's draft.
    flagged_duplicate_of: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("photos.id", name="fk_photos_duplicate_of", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RichMenuAssignment(Base):
    """Which role's rich menu a LINE user should see: written with every rich-menu link the outbox
    is asked for, so a sync that replaces menus can link everyone again. Subscribers have no row:
    they see the default menu."""

    __tablename__ = "richmenu_assignments"
    __table_args__ = (Index("ix_richmenu_assignments_menu", "menu"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    menu: Mapped[str] = mapped_column(String(16))  # coordinator | staff
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When LINE last accepted the link (None: asked for, not yet linked).
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduledPost(Base):
    """A post to send to a segment at a time: a content file's (handlers/content) or, keyed
    `written-<id>`, one staff wrote on the web (WrittenPost).

    scheduled → queued (its outbox rows are written) | cancelled | refused (`note` says why:
    over the monthly quota, an unknown post or segment) | missed (the clock reached it more than
    handlers.services.outreach.MISSED_AFTER late; `note` says when).
    """

    __tablename__ = "scheduled_posts"
    __table_args__ = (Index("ix_scheduled_posts_due", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_key: Mapped[str] = mapped_column(String(64))
    # A segment spec: "everyone", "news", "province:10" (see handlers.services.outreach.segments).
    segment: Mapped[str] = mapped_column(String(64))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)  # outbox rows written
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WrittenPost(Base):
    """A post staff wrote on the staff web (the shipped ones are files in handlers/content). A
    scheduled post names it as `written-<id>`; it is sent like a content file's post."""

    __tablename__ = "written_posts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # knowledge | news
    topic: Mapped[str] = mapped_column(String(16))
    title_th: Mapped[str] = mapped_column(String(100))
    body_th: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(String(100))
    body_en: Mapped[str] = mapped_column(Text)
    # JSON list of {"label", "uri"} or {"label", "text"}: the buttons under the post
    buttons: Mapped[str] = mapped_column(Text, default="[]")
    image_key: Mapped[str | None] = mapped_column(String(200))  # in the media store: posts/…
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
