"""Posts staff write on the staff web (text in Thai and English, an image, up to four buttons).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from storage.types import BigIntPK, UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "written_posts",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("title_th", sa.String(100), nullable=False),
        sa.Column("body_th", sa.Text, nullable=False),
        sa.Column("title_en", sa.String(100), nullable=False),
        sa.Column("body_en", sa.Text, nullable=False),
        sa.Column("buttons", sa.Text, nullable=False),
        sa.Column("image_key", sa.String(200)),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("written_posts")
