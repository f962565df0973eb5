"""Outreach: outbox rows that may wait out quiet hours, and scheduled posts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        # Every row written before this revision answered someone: urgent (never held back).
        batch.add_column(sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_table(
        "scheduled_posts",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("post_key", sa.String(64), nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("scheduled_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("batches", sa.Integer, nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("queued_at", UTCDateTime),
    )
    op.create_index("ix_scheduled_posts_due", "scheduled_posts", ["status", "scheduled_at"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_posts_due", table_name="scheduled_posts")
    op.drop_table("scheduled_posts")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("urgent")
