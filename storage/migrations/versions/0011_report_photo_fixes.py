"""Reports: which photos staff marked wrong in a fix request, and what the last correction changed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON list of photo ids staff asked to replace (NULL: none marked).
    op.add_column("reports", sa.Column("fix_photos", sa.Text, nullable=True))
    # JSON list of what the coordinator's last correction changed (NULL: never corrected).
    op.add_column("reports", sa.Column("changes", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("reports", "changes")
    op.drop_column("reports", "fix_photos")
