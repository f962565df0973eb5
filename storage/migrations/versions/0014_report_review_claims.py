"""Staff web review queue: who has a report open for review, until when.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_review_claims",
        sa.Column(
            "report_id",
            BigIntPK,
            sa.ForeignKey("reports.id", name="fk_report_review_claims_report", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "staff_member_id",
            BigIntPK,
            sa.ForeignKey("staff_members.id", name="fk_report_review_claims_staff", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_review_claims")
