"""single sign-on: OPD systems as OpenID Connect clients, their codes, tokens and consents

The citizen signs in to an OPD's own web system with the RAGEM account; these tables hold the
registered systems (secrets hashed), one-use codes and tokens (hashed), and what each citizen
consented to give each system.

Revision ID: 0008_oidc
Revises: 0007
Create Date: 2026-12-06 03:27:16.516747
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '0008_oidc'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the single sign-on tables."""
    op.create_table('sso_client',
    sa.Column('client_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('opd_code', sa.String(length=20), nullable=False),
    sa.Column('redirect_uris', sa.JSON(), nullable=False),
    sa.Column('post_logout_redirect_uris', sa.JSON(), nullable=False),
    sa.Column('auth_method', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=True),
    sa.Column('allowed_scopes', sa.JSON(), nullable=False),
    sa.Column('nik_entitled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['opd_code'], ['opd.code'], name=op.f('fk_sso_client_opd_code_opd')),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_sso_client'))
    )
    op.create_table('sso_authorization_code',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('redirect_uri', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('nonce', sa.String(length=255), nullable=True),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('code_challenge_method', sa.String(length=10), nullable=False),
    sa.Column('auth_time', sa.DateTime(), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('grant_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['sso_client.client_id'], name=op.f('fk_sso_authorization_code_client_id_sso_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sso_authorization_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_sso_authorization_code'))
    )
    with op.batch_alter_table('sso_authorization_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_authorization_code_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_authorization_code_user_id'), ['user_id'], unique=False)

    op.create_table('sso_consent',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['sso_client.client_id'], name=op.f('fk_sso_consent_client_id_sso_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sso_consent_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_consent')),
    sa.UniqueConstraint('user_id', 'client_id', name=op.f('uq_sso_consent_user_id_client_id'))
    )
    with op.batch_alter_table('sso_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_consent_user_id'), ['user_id'], unique=False)

    op.create_table('sso_token',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('grant_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('access_hash', sa.String(length=64), nullable=False),
    sa.Column('refresh_hash', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(), nullable=False),
    sa.Column('refresh_expires_at', sa.DateTime(), nullable=True),
    sa.Column('auth_time', sa.DateTime(), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('rotated_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['sso_client.client_id'], name=op.f('fk_sso_token_client_id_sso_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sso_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_token')),
    sa.UniqueConstraint('access_hash', name=op.f('uq_sso_token_access_hash')),
    sa.UniqueConstraint('refresh_hash', name=op.f('uq_sso_token_refresh_hash'))
    )
    with op.batch_alter_table('sso_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_token_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_token_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_sso_token_user_client', ['user_id', 'client_id'], unique=False)



def downgrade() -> None:
    """Drop the single sign-on tables."""
    with op.batch_alter_table('sso_token', schema=None) as batch_op:
        batch_op.drop_index('ix_sso_token_user_client')
        batch_op.drop_index(batch_op.f('ix_sso_token_session_id'))
        batch_op.drop_index(batch_op.f('ix_sso_token_grant_id'))

    op.drop_table('sso_token')
    with op.batch_alter_table('sso_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_consent_user_id'))

    op.drop_table('sso_consent')
    with op.batch_alter_table('sso_authorization_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_authorization_code_user_id'))
        batch_op.drop_index(batch_op.f('ix_sso_authorization_code_client_id'))

    op.drop_table('sso_authorization_code')
    op.drop_table('sso_client')
