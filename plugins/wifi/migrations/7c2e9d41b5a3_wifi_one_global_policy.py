"""wifi: one global policy, enforced by the database

Revision ID: 7c2e9d41b5a3
Revises: 518a8480c32f
Create Date: 2026-12-06 03:30:00.000000

Two seeders racing (two workers starting at once, a demo load beside a start) could each insert a
global policy, since a unique ``hotspot_id`` lets any number of NULLs through. ``singleton`` (1 on
the global row, NULL on a hotspot's) is unique, and a check ties it to ``hotspot_id`` being NULL.

Existing duplicates are resolved before the constraint lands, the same way on every database: the
global row changed last by an admin stays (the lowest id among equals), the others are deleted.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '7c2e9d41b5a3'
down_revision = '518a8480c32f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('wifi_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('singleton', sa.Integer(), nullable=True))

    op.execute(
        "DELETE FROM wifi_policy WHERE hotspot_id IS NULL AND id <> ("
        " SELECT keep.id FROM wifi_policy keep WHERE keep.hotspot_id IS NULL"
        " ORDER BY keep.updated_at DESC, keep.id ASC LIMIT 1)")
    op.execute("UPDATE wifi_policy SET singleton = 1 WHERE hotspot_id IS NULL")

    with op.batch_alter_table('wifi_policy', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_wifi_policy_singleton'), ['singleton'])
        batch_op.create_check_constraint(
            'global_singleton',
            "(hotspot_id IS NULL AND COALESCE(singleton, 0) = 1) OR (hotspot_id IS NOT NULL AND singleton IS NULL)")


def downgrade() -> None:
    """Revert this revision (the duplicates deleted on the way up stay deleted)."""
    with op.batch_alter_table('wifi_policy', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_wifi_policy_global_singleton'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_wifi_policy_singleton'), type_='unique')
        batch_op.drop_column('singleton')
