"""LOR tracking: each agency's Letter of Recognition case per campaign and its history of changes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lor_cases",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column(
            "agency_id",
            BigIntPK,
            sa.ForeignKey("agencies.id", name="fk_lor_cases_agency", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "campaign_id",
            BigIntPK,
            sa.ForeignKey("campaigns.id", name="fk_lor_cases_campaign", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("lor_number", sa.String(64), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("certificate_key", sa.String(200), nullable=True),
        sa.Column("returned_reason", sa.Text(), nullable=True),
        sa.Column("returned_reports", sa.Text(), nullable=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_lor_cases_agency_campaign", "lor_cases", ["agency_id", "campaign_id"])
    op.create_table(
        "lor_changes",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column(
            "case_id",
            BigIntPK,
            sa.ForeignKey("lor_cases.id", name="fk_lor_changes_case", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_lor_changes_case_id", "lor_changes", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_lor_changes_case_id", table_name="lor_changes")
    op.drop_table("lor_changes")
    op.drop_index("ix_lor_cases_agency_campaign", table_name="lor_cases")
    op.drop_table("lor_cases")
