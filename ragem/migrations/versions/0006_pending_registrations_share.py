"""registrations share a phone or NIK until verified: only verified accounts hold them uniquely

Whoever verifies the phone first wins (``ragem.auth.accounts.verify_phone``); a registration
waiting for its code no longer blocks the same phone or NIK for anyone else. The unique
constraints become unique indexes over verified accounts only (partial indexes, which SQLite
and PostgreSQL both have), plus plain indexes for the look-ups. Every existing row stays valid:
the old constraints were stricter. The downgrade fails if two pending accounts share a value.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 21:05:19.843939
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Swap the unique constraints for unique indexes over verified accounts."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_nik_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_user_account_phone_hash'), type_='unique')
        batch_op.create_index(batch_op.f('ix_user_account_nik_hash'), ['nik_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index('uq_user_account_verified_nik_hash', ['nik_hash'], unique=True, sqlite_where=sa.text('phone_verified_at IS NOT NULL'), postgresql_where=sa.text('phone_verified_at IS NOT NULL'))
        batch_op.create_index('uq_user_account_verified_phone_hash', ['phone_hash'], unique=True, sqlite_where=sa.text('phone_verified_at IS NOT NULL'), postgresql_where=sa.text('phone_verified_at IS NOT NULL'))


def downgrade() -> None:
    """Put the unique constraints back (refused while two pending accounts share a phone or NIK)."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('uq_user_account_verified_phone_hash', sqlite_where=sa.text('phone_verified_at IS NOT NULL'), postgresql_where=sa.text('phone_verified_at IS NOT NULL'))
        batch_op.drop_index('uq_user_account_verified_nik_hash', sqlite_where=sa.text('phone_verified_at IS NOT NULL'), postgresql_where=sa.text('phone_verified_at IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_user_account_phone_hash'))
        batch_op.drop_index(batch_op.f('ix_user_account_nik_hash'))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_phone_hash'), ['phone_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_nik_hash'), ['nik_hash'])
