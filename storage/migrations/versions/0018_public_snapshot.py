"""Public snapshot: the public pages' figures, computed once and kept (one row), marked stale
when a report is approved or an agency's consent changes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("stale", sa.Boolean, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("token", sa.String(32), nullable=True),
        sa.Column("computed_at", UTCDateTime, nullable=True),
        sa.Column("figures", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("public_snapshots")
