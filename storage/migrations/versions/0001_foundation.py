"""Foundation: LINE users, webhook inbox, source leases, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_users",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("line_user_id", sa.String(64), nullable=False, unique=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("blocked", sa.Boolean, nullable=False),
        sa.Column("followed_at", UTCDateTime),
        sa.Column("blocked_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "inbox_events",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("webhook_event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("source_key", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
        sa.Column("reply_token", sa.String(255)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error_id", sa.String(32)),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("processed_at", UTCDateTime),
    )
    op.create_index("ix_inbox_source_pending", "inbox_events", ["source_key", "status", "timestamp_ms"])
    op.create_index("ix_inbox_status_received", "inbox_events", ["status", "received_at"])
    op.create_table(
        "source_leases",
        sa.Column("source_key", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(64)),
        sa.Column("lease_until", UTCDateTime),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("retry_key", sa.String(36), nullable=False),
        sa.Column("reply_token", sa.String(255)),
        sa.Column("reply_token_expires_at", UTCDateTime),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("lease_until", UTCDateTime),
        sa.Column("last_error", sa.String(500)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
    )
    op.create_index("ix_outbox_due", "outbox_messages", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("outbox_messages")
    op.drop_table("source_leases")
    op.drop_index("ix_inbox_status_received", table_name="inbox_events")
    op.drop_index("ix_inbox_source_pending", table_name="inbox_events")
    op.drop_table("inbox_events")
    op.drop_table("line_users")
