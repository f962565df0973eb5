"""Campaigns: how many evidence photos a report takes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: the default (handlers/services/campaigns.py PHOTOS_MIN_DEFAULT / PHOTOS_MAX_DEFAULT).
    op.add_column("campaigns", sa.Column("photos_min", sa.Integer, nullable=True))
    op.add_column("campaigns", sa.Column("photos_max", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("campaigns", "photos_max")
    op.drop_column("campaigns", "photos_min")
