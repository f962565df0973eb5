"""Photos: evidence photos' stored copies (keys only), EXIF facts, hashes and status.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("line_user_id", sa.String(64), nullable=False),
        sa.Column("line_message_id", sa.String(64), nullable=False, unique=True),
        sa.Column("image_set_id", sa.String(64)),
        sa.Column("image_set_index", sa.Integer),
        sa.Column("image_set_total", sa.Integer),
        sa.Column("display_key", sa.String(200), nullable=False),
        sa.Column("thumb_key", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("phash", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("captured_at", UTCDateTime),
        sa.Column("gps_lat", sa.Float),
        sa.Column("gps_lon", sa.Float),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("report_id", sa.BigInteger),
        sa.Column(
            "flagged_duplicate_of",
            sa.BigInteger,
            sa.ForeignKey("photos.id", name="fk_photos_duplicate_of", ondelete="SET NULL"),
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("removed_at", UTCDateTime),
    )
    op.create_index("ix_photos_sha256", "photos", ["sha256"])
    op.create_index("ix_photos_user_report", "photos", ["line_user_id", "report_id"])
    op.create_index("ix_photos_report", "photos", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_photos_report", table_name="photos")
    op.drop_index("ix_photos_user_report", table_name="photos")
    op.drop_index("ix_photos_sha256", table_name="photos")
    op.drop_table("photos")
