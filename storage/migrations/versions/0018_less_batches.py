"""LESS submission batches: each batch the program downloaded for TGO, and each agency's package in
it by file name and SHA-256.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "less_batches",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column(
            "campaign_id",
            BigIntPK,
            sa.ForeignKey("campaigns.id", name="fk_less_batches_campaign", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("batch_date", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=True, unique=True),
        sa.Column("chosen_key", sa.String(64), nullable=False),
        sa.Column("cover_sha256", sa.String(64), nullable=False),
        sa.Column("zip_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_less_batches_created_at", "less_batches", ["created_at"])
    op.create_index("ix_less_batches_chosen_key", "less_batches", ["chosen_key"])
    op.create_table(
        "less_batch_packages",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column(
            "batch_id",
            BigIntPK,
            sa.ForeignKey("less_batches.id", name="fk_less_batch_packages_batch", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agency_id", BigIntPK, nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
    )
    op.create_index("ix_less_batch_packages_batch_id", "less_batch_packages", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_less_batch_packages_batch_id", table_name="less_batch_packages")
    op.drop_table("less_batch_packages")
    op.drop_index("ix_less_batches_chosen_key", table_name="less_batches")
    op.drop_index("ix_less_batches_created_at", table_name="less_batches")
    op.drop_table("less_batches")
