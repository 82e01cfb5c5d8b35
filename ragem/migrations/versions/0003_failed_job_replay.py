"""failed_job.replay: what a retry of a failed job needs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 19:10:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; failures recorded before it cannot be retried (their arguments are a repr)."""
    with op.batch_alter_table('failed_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replay', sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table('failed_job', schema=None) as batch_op:
        batch_op.drop_column('replay')
