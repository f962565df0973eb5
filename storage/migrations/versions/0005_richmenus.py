"""Rich menus: which role's menu each LINE user should see.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "richmenu_assignments",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("line_user_id", sa.String(64), nullable=False, unique=True),
        sa.Column("menu", sa.String(16), nullable=False),
        sa.Column("assigned_at", UTCDateTime, nullable=False),
        sa.Column("linked_at", UTCDateTime),
    )
    op.create_index("ix_richmenu_assignments_menu", "richmenu_assignments", ["menu"])


def downgrade() -> None:
    op.drop_index("ix_richmenu_assignments_menu", table_name="richmenu_assignments")
    op.drop_table("richmenu_assignments")
