"""assisted filing: complaints an officer records on a complainant's behalf

Revision ID: 5e2a7c0d9f14
Revises: b7d41c9e05f3
Create Date: 2026-12-06 03:40:00

``rabeg_complaint.source`` (the channel) takes four more values (``in_person``, ``phone``,
``letter``, ``social_media``; the column is wide enough). New columns: the officer who recorded
the complaint, and the complainant's name and phone, encrypted (``toolkit.sealed``), the phone
with a keyed hash that erasure looks it up by. Existing complaints keep them empty.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '5e2a7c0d9f14'
down_revision = 'b7d41c9e05f3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and the phone hash's index."""
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_by_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('complainant_name_ciphertext', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('complainant_phone_ciphertext', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('complainant_phone_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_rabeg_complaint_complainant_phone_hash', ['complainant_phone_hash'], unique=False)


def downgrade() -> None:
    """Drop them (the complainants' names and phones go with them)."""
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_rabeg_complaint_complainant_phone_hash')
        batch_op.drop_column('complainant_phone_hash')
        batch_op.drop_column('complainant_phone_ciphertext')
        batch_op.drop_column('complainant_name_ciphertext')
        batch_op.drop_column('filed_by_id')
