"""Campaigns: who people can reach about the round (the campaign file's [contact]).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON of the [contact] table; NULL when the campaign file has none.
    op.add_column("campaigns", sa.Column("contact", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("campaigns", "contact")
