"""Staff web: one-time sign-in codes, wrong-code attempts, and server-side sessions.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _staff_fk(name: str) -> sa.ForeignKey:
    return sa.ForeignKey("staff_members.id", name=name, ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "staff_sign_in_codes",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("code_sha256", sa.String(64), nullable=False),
        sa.Column("browser_sha256", sa.String(64), nullable=False),
        sa.Column("ip_sha256", sa.String(64), nullable=False),
        sa.Column("browser", sa.String(80), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("staff_member_id", BigIntPK, _staff_fk("fk_staff_sign_in_codes_staff")),
        sa.Column("confirmed_at", UTCDateTime),
    )
    op.create_index("ix_staff_sign_in_codes_code", "staff_sign_in_codes", ["code_sha256"], unique=True)
    op.create_index("ix_staff_sign_in_codes_ip", "staff_sign_in_codes", ["ip_sha256", "created_at"])
    op.create_table(
        "staff_sign_in_attempts",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("sender_sha256", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_staff_sign_in_attempts_sender", "staff_sign_in_attempts", ["sender_sha256", "at"])
    op.create_table(
        "staff_web_sessions",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("staff_member_id", BigIntPK, _staff_fk("fk_staff_web_sessions_staff"), nullable=False),
        sa.Column("browser", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime),
    )
    op.create_index("ix_staff_web_sessions_token", "staff_web_sessions", ["token_sha256"], unique=True)
    op.create_index("ix_staff_web_sessions_staff_member_id", "staff_web_sessions", ["staff_member_id"])


def downgrade() -> None:
    op.drop_table("staff_web_sessions")
    op.drop_table("staff_sign_in_attempts")
    op.drop_table("staff_sign_in_codes")
