"""push initial: the devices registered for push notifications

Revision ID: 5c1e0a7d2b91
Revises:
Create Date: 2026-12-06 00:15:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '5c1e0a7d2b91'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create push_device."""
    op.create_table(
        'push_device',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('token_ciphertext', sa.Text(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_device')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_push_device_token_hash')),
    )
    with op.batch_alter_table('push_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_device_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    """Drop push_device."""
    with op.batch_alter_table('push_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_device_user_id'))
    op.drop_table('push_device')
