"""darurat112 staff grants: supervisors and telephony accounts granted by admins, not named in settings

Revision ID: 5f3c2a9d8e41
Revises: ebb07677a81a
Create Date: 2026-12-06 00:30:00

The accounts the former settings named (RAGEM_DARURAT112_SUPERVISORS,
RAGEM_DARURAT112_TELEPHONY_ACCOUNTS) become grants here, once, when `ragem db upgrade` runs with
those settings still in place: nobody loses a right on the upgrade. The settings are read by
nothing else afterwards; remove them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '5f3c2a9d8e41'
down_revision = 'ebb07677a81a'
branch_labels = None
depends_on = None

#: Former setting (without RAGEM_) -> the permission its accounts held.
FORMER_SETTINGS = {"DARURAT112_SUPERVISORS": "darurat112.supervise",
                   "DARURAT112_TELEPHONY_ACCOUNTS": "darurat112.telephony"}


def _former_accounts() -> list[tuple[str, str]]:
    """``(account id, permission)`` named by the former settings of the app being upgraded."""
    try:
        from flask import current_app
        settings = current_app.config.get("RAGEM", {})
    except RuntimeError:  # no app: nothing to convert
        return []
    wanted = []
    for name, permission in FORMER_SETTINGS.items():
        raw = settings.get(name) or ""
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        wanted += [(item.strip(), permission) for item in items if item and item.strip()]
    return list(dict.fromkeys(wanted))


def upgrade() -> None:
    """Apply this revision."""
    grants = op.create_table('darurat112_staff_grant',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('permission', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('granted_by', sa.String(length=36), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=36), nullable=True),
    sa.Column('revoke_reason', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_darurat112_staff_grant'))
    )
    with op.batch_alter_table('darurat112_staff_grant', schema=None) as batch_op:
        batch_op.create_index('ix_darurat112_staff_grant_granted', ['granted_at', 'id'], unique=False)
        batch_op.create_index('uq_darurat112_staff_grant_active', ['account_id', 'permission'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))
    former = _former_accounts()
    if former:
        connection = op.get_bind()
        existing = {row[0] for row in connection.execute(
            sa.text("SELECT id FROM user_account WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": [account for account, _ in former]})}
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        rows = [{"account_id": account, "permission": permission, "granted_at": now,
                 "reason": f"converted from RAGEM_{next(k for k, v in FORMER_SETTINGS.items() if v == permission)}"}
                for account, permission in former if account in existing]
        if rows:
            op.bulk_insert(grants, rows)


def downgrade() -> None:
    """Revert this revision (the grants are lost: name the accounts in the settings again)."""
    with op.batch_alter_table('darurat112_staff_grant', schema=None) as batch_op:
        batch_op.drop_index('uq_darurat112_staff_grant_active')
        batch_op.drop_index('ix_darurat112_staff_grant_granted')
    op.drop_table('darurat112_staff_grant')
