"""single sign-on: private_key_jwt client keys and used client assertions

An OPD system may authenticate with a client assertion signed by its own key (RFC 7523): its
public keys are kept with it (``jwks``), and each assertion's ``jti`` is remembered until it
expires so none is accepted twice.

Revision ID: 0009_sso_more
Revises: 0008_oidc
Create Date: 2026-12-06 04:55:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0009_sso_more'
down_revision = '0008_oidc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the client keys column and the used-assertion table."""
    with op.batch_alter_table('sso_client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jwks', sa.JSON(), nullable=True))
    op.create_table('sso_client_assertion',
    sa.Column('jti_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['sso_client.client_id'], name=op.f('fk_sso_client_assertion_client_id_sso_client'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('jti_hash', name=op.f('pk_sso_client_assertion'))
    )
    with op.batch_alter_table('sso_client_assertion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_client_assertion_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_client_assertion_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table('sso_client_assertion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_client_assertion_expires_at'))
        batch_op.drop_index(batch_op.f('ix_sso_client_assertion_client_id'))
    op.drop_table('sso_client_assertion')
    with op.batch_alter_table('sso_client', schema=None) as batch_op:
        batch_op.drop_column('jwks')
