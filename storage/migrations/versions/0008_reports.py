"""Reports: activity reports with the calculation pinned, review status and reference numbers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("submit_key", sa.String(64), nullable=False, unique=True),
        sa.Column("year_be", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("agency_id", BigIntPK, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("reporter_line_user_id", sa.String(64)),
        sa.Column("activity_key", sa.String(64), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("calc_status", sa.String(16), nullable=False),
        sa.Column("kg_co2e", sa.String(64)),
        sa.Column("warnings", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("place_lat", sa.Float),
        sa.Column("place_lon", sa.Float),
        sa.Column("place_address", sa.String(300)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("review_reason", sa.Text),
        sa.Column("fix_fields", sa.Text),
        sa.Column("reviewed_by", sa.String(100)),
        sa.Column("reviewed_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("year_be", "sequence", name="uq_reports_reference"),
    )
    op.create_index("ix_reports_agency_created", "reports", ["agency_id", "created_at"])
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_table(
        "report_counters",
        sa.Column("year_be", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_counters")
    op.drop_index("ix_reports_status", table_name="reports")
    op.drop_index("ix_reports_agency_created", table_name="reports")
    op.drop_table("reports")
