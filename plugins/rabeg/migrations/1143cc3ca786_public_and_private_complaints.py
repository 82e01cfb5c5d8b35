"""public and private complaints: a category says whether its complaints are public; a reporter may hide theirs

Revision ID: 1143cc3ca786
Revises: 06bece54a519
Create Date: 2026-12-08 09:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '1143cc3ca786'
down_revision = '06bece54a519'
branch_labels = None
depends_on = None

#: The seeded categories whose complaints are about a person's own affairs (seed.PRIVATE_CATEGORIES
#: when this revision was written): their complaints leave the public view on upgrade.
PRIVATE_CATEGORIES = ('ADMINDUK', 'KESEHATAN')


def upgrade() -> None:
    """Add the two columns (existing complaints stay as their reporters filed them) and make the
    sensitive seeded categories private, as a new database seeds them."""
    with op.batch_alter_table('rabeg_category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaints_public', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private', sa.Boolean(), server_default=sa.false(), nullable=False))
    category = sa.table('rabeg_category', sa.column('code', sa.String), sa.column('complaints_public', sa.Boolean))
    op.execute(category.update().where(category.c.code.in_(PRIVATE_CATEGORIES)).values(complaints_public=False))


def downgrade() -> None:
    """Drop the two columns (every complaint is public again)."""
    with op.batch_alter_table('rabeg_complaint', schema=None) as batch_op:
        batch_op.drop_column('private')
    with op.batch_alter_table('rabeg_category', schema=None) as batch_op:
        batch_op.drop_column('complaints_public')
