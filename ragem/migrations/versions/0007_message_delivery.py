"""message delivery: attempts per gateway, codes waiting for their SMS fallback, preferred channel

Every message a gateway plugin takes is recorded (channel, provider, the provider's message id,
status, cost; never the body nor the number), receipts update the row, and a one-time code sent
by WhatsApp waits sealed in message_pending_fallback until it is delivered or goes by SMS. The
account gains the channel its owner prefers (sms for every existing account).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 00:10:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    """Create the delivery tables and the account's preferred channel."""
    op.create_table(
        'message_delivery_attempt',
        sa.Column('id', _BIG_ID, autoincrement=True, nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('provider_message_id', sa.String(length=128), nullable=True),
        sa.Column('purpose', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('cost_units', sa.Numeric(precision=12, scale=5, asdecimal=False), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=True),
        sa.Column('fallback_of', _BIG_ID, nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['fallback_of'], ['message_delivery_attempt.id'],
                                name=op.f('fk_message_delivery_attempt_fallback_of_message_delivery_attempt'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_message_delivery_attempt_user_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_delivery_attempt')),
        sa.UniqueConstraint('provider', 'provider_message_id', name='uq_message_delivery_attempt_provider_id'),
    )
    with op.batch_alter_table('message_delivery_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_message_delivery_attempt_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_message_delivery_attempt_provider_created', ['provider', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_delivery_attempt_user_id'), ['user_id'], unique=False)
    op.create_table(
        'message_pending_fallback',
        sa.Column('attempt_id', _BIG_ID, nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('message_ciphertext', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['message_delivery_attempt.id'],
                                name=op.f('fk_message_pending_fallback_attempt_id_message_delivery_attempt'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_message_pending_fallback')),
    )
    with op.batch_alter_table('message_pending_fallback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_pending_fallback_due_at'), ['due_at'], unique=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferred_channel', sa.String(length=16), server_default='sms', nullable=False))


def downgrade() -> None:
    """Drop the preferred channel and the delivery tables."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('preferred_channel')
    with op.batch_alter_table('message_pending_fallback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_pending_fallback_due_at'))
    op.drop_table('message_pending_fallback')
    with op.batch_alter_table('message_delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_delivery_attempt_user_id'))
        batch_op.drop_index('ix_message_delivery_attempt_provider_created')
        batch_op.drop_index('ix_message_delivery_attempt_created')
    op.drop_table('message_delivery_attempt')
