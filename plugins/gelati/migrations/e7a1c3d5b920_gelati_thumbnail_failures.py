"""gelati thumbnail failures

Revision ID: e7a1c3d5b920
Revises: c4d9e2a7f310
Create Date: 2026-12-06 12:50:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = 'e7a1c3d5b920'
down_revision = 'c4d9e2a7f310'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # When the thumbnail job last failed on a photo (its bytes gone, or not an image): the job
    # leaves it for a day instead of retrying it, and logging it, every run.
    with op.batch_alter_table('gelati_product_photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thumbnail_failed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('gelati_product_photo', schema=None) as batch_op:
        batch_op.drop_column('thumbnail_failed_at')
