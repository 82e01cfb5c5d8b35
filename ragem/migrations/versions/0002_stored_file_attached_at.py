"""stored_file.attached_at: uploads nothing has claimed can be cleaned up

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 18:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; files stored before it existed count as attached (nothing may be lost)."""
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attached_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_stored_file_attached_created', ['attached_at', 'created_at'], unique=False)
    op.execute("UPDATE stored_file SET attached_at = created_at")


def downgrade() -> None:
    """Drop the column and its index."""
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_file_attached_created')
        batch_op.drop_column('attached_at')
