"""Conversations, drafts and user preferences.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("line_user_id", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(16), nullable=False),
        sa.Column("flow", sa.String(32)),
        sa.Column("state", sa.String(64)),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("pending", sa.String(64)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "conversation_drafts",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("line_user_id", sa.String(64), nullable=False),
        sa.Column("flow", sa.String(32), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("line_user_id", "flow", name="uq_draft_user_flow"),
    )
    with op.batch_alter_table("line_users") as batch:
        batch.add_column(sa.Column("news_opt_in", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("province_code", sa.String(8)))
        batch.add_column(sa.Column("reminder_days", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("line_users") as batch:
        batch.drop_column("reminder_days")
        batch.drop_column("province_code")
        batch.drop_column("news_opt_in")
    op.drop_table("conversation_drafts")
    op.drop_table("conversations")
