"""idempotency fingerprint: the same Idempotency-Key with another body is refused

Revision ID: 422b856e2735
Revises: 1143cc3ca786
Create Date: 2026-12-08 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '422b856e2735'
down_revision = '1143cc3ca786'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; records written before it keep none (their key answers as before, whatever the body)."""
    with op.batch_alter_table('rabeg_idempotency_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table('rabeg_idempotency_record', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
