"""user_account.email_verified_at: an email logs in and blocks registrations only once verified

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 19:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column. Emails recorded before it existed were never verified: they stay unverified
    (no log-in or reset by email) until their owner verifies them with ``POST /api/v1/me/email``."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
