"""Campaign deadlines: the days before the deadline on which reminders go out.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON list of whole days, e.g. [7, 3, 1]; NULL: the default (handlers/services/deadlines.py).
    op.add_column("campaign_deadlines", sa.Column("remind_days", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("campaign_deadlines", "remind_days")
