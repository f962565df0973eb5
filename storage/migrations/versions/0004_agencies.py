"""Campaigns, agencies, coordinators, join requests, invitations, staff, audit log, data exports;
the privacy notice shown to each LINE user.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name_th", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("year_be", sa.Integer, nullable=False),
        sa.Column("target_agencies", sa.Integer, nullable=False),
        sa.Column("activity_types", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("loaded_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "campaign_phases",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column(
            "campaign_id", BigIntPK, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("name_th", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
    )
    op.create_index("ix_campaign_phases_campaign_id", "campaign_phases", ["campaign_id"])
    op.create_table(
        "campaign_deadlines",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column(
            "campaign_id", BigIntPK, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("applies_to", sa.String(32), nullable=False),
        sa.Column("label_th", sa.String(300), nullable=False),
        sa.Column("label_en", sa.String(300), nullable=False),
    )
    op.create_index("ix_campaign_deadlines_campaign_id", "campaign_deadlines", ["campaign_id"])
    op.create_table(
        "agencies",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("normalised_name", sa.String(300), nullable=False),
        sa.Column("agency_type", sa.String(32), nullable=False),
        sa.Column("province_code", sa.String(8), nullable=False),
        sa.Column("district_code", sa.String(8)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reject_reason", sa.String(500)),
        sa.Column("show_name_publicly", sa.Boolean, nullable=False),
        sa.Column("campaign_id", BigIntPK, sa.ForeignKey("campaigns.id")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("decided_by", sa.String(64)),
    )
    op.create_index("ix_agencies_province_norm", "agencies", ["province_code", "normalised_name"])
    op.create_index("ix_agencies_campaign_id", "agencies", ["campaign_id"])
    op.create_table(
        "coordinators",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("agency_id", BigIntPK, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("line_user_id", sa.String(64)),
        sa.Column("name", sa.String(200)),
        sa.Column("position", sa.String(200)),
        sa.Column("phone_e164", sa.String(20)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("joined_at", UTCDateTime, nullable=False),
        sa.Column("left_at", UTCDateTime),
    )
    op.create_index("ix_coordinators_agency_id", "coordinators", ["agency_id"])
    op.create_index("ix_coordinators_user", "coordinators", ["line_user_id", "status"])
    op.create_table(
        "join_requests",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("agency_id", BigIntPK, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("line_user_id", sa.String(64)),
        sa.Column("name", sa.String(200)),
        sa.Column("position", sa.String(200)),
        sa.Column("phone_e164", sa.String(20)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime),
        sa.Column("decided_by", sa.String(64)),
    )
    op.create_index("ix_join_requests_agency_id", "join_requests", ["agency_id"])
    op.create_index("ix_join_requests_line_user_id", "join_requests", ["line_user_id"])
    op.create_table(
        "invitations",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("agency_id", BigIntPK, sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("created_by", BigIntPK, sa.ForeignKey("coordinators.id")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("max_uses", sa.Integer, nullable=False),
        sa.Column("uses", sa.Integer, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
    )
    op.create_index("ix_invitations_agency_id", "invitations", ["agency_id"])
    op.create_table(
        "staff_members",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("line_user_id", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200)),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "data_exports",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("line_user_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_data_exports_line_user_id", "data_exports", ["line_user_id"])
    with op.batch_alter_table("line_users") as batch:
        batch.add_column(sa.Column("privacy_notice_version", sa.String(16)))
        batch.add_column(sa.Column("privacy_notice_at", UTCDateTime))


def downgrade() -> None:
    with op.batch_alter_table("line_users") as batch:
        batch.drop_column("privacy_notice_at")
        batch.drop_column("privacy_notice_version")
    op.drop_table("data_exports")
    op.drop_table("audit_log")
    op.drop_table("staff_members")
    op.drop_table("invitations")
    op.drop_table("join_requests")
    op.drop_table("coordinators")
    op.drop_table("agencies")
    op.drop_table("campaign_deadlines")
    op.drop_table("campaign_phases")
    op.drop_table("campaigns")
