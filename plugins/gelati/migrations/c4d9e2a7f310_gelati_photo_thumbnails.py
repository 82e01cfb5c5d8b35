"""gelati photo thumbnails

Revision ID: c4d9e2a7f310
Revises: b1f2858a06ae
Create Date: 2026-12-06 03:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = 'c4d9e2a7f310'
down_revision = 'b1f2858a06ae'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: a photo stored before thumbnails were made has none (its answer says null).
    with op.batch_alter_table('gelati_product_photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thumbnail_file_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('gelati_product_photo', schema=None) as batch_op:
        batch_op.drop_column('thumbnail_file_id')
