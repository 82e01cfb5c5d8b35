"""contact sealed: the contact an Open311 client sent is kept encrypted, no longer in clear

Revision ID: b7d41c9e05f3
Revises: 422b856e2735
Create Date: 2026-12-09 09:00:00

``rabeg_complaint.contact`` (JSON: email, first and last name, phone) becomes
``contact_ciphertext``: the same JSON object as text, encrypted with ``toolkit.seal``. Nothing
queries it, so it needs no look-up hash. Existing rows are converted with the app's
RAGEM_DATA_KEY (``ragem db upgrade`` runs inside the app); the downgrade decrypts them back with
the same key.
"""
from __future__ import annotations

import json

from alembic import op
import sqlalchemy as sa

from ragem import toolkit


# Revision identifiers, used by Alembic.
revision = 'b7d41c9e05f3'
down_revision = '422b856e2735'
branch_labels = None
depends_on = None

_complaints = sa.table(
    'rabeg_complaint', sa.column('id', sa.Integer), sa.column('contact', sa.JSON),
    sa.column('contact_ciphertext', sa.Text),
)


def upgrade() -> None:
    """Add the sealed column, fill it from the clear one, then drop the clear one."""
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_ciphertext', sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_complaints.c.id, _complaints.c.contact).where(_complaints.c.contact.isnot(None)))
    for row in rows.all():
        if row.contact is not None:  # a JSON 'null' reads as None: nothing to seal
            bind.execute(_complaints.update().where(_complaints.c.id == row.id).values(
                contact_ciphertext=toolkit.seal(json.dumps(row.contact))))
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.drop_column('contact')


def downgrade() -> None:
    """Put the clear column back, decrypted (needs the same RAGEM_DATA_KEY), and drop the sealed one."""
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.JSON(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_complaints.c.id, _complaints.c.contact_ciphertext)
                        .where(_complaints.c.contact_ciphertext.isnot(None)))
    for row in rows.all():
        bind.execute(_complaints.update().where(_complaints.c.id == row.id).values(
            contact=json.loads(toolkit.unseal(row.contact_ciphertext))))
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.drop_column('contact_ciphertext')
