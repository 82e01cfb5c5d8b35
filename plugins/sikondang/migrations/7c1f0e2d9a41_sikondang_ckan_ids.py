"""sikondang: stored CKAN ids of datasets and their datastore resources

Revision ID: 7c1f0e2d9a41
Revises: 26c902a32e84
Create Date: 2026-12-06 00:10:00

The CKAN API used to derive these ids from the dataset's own id (uuid5) and had to compute them for
every published dataset to find one. Existing datasets keep exactly the ids harvesters already
stored; new ones get random UUIDs.
"""
from __future__ import annotations

import uuid

from alembic import op
import sqlalchemy as sa


# Revision identifiers, used by Alembic.
revision = '7c1f0e2d9a41'
down_revision = '26c902a32e84'
branch_labels = None
depends_on = None

# The namespace the ids were derived in (plugins/sikondang/ckan/shapes.py before this revision).
NAMESPACE = uuid.UUID("2f6a3c1e-5b7d-4e0a-9c8f-1d2e3f405161")


def upgrade() -> None:
    """Add the columns, fill them with the ids harvesters know, then make them required and unique."""
    with op.batch_alter_table('sikondang_dataset', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ckan_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('ckan_resource_id', sa.String(length=36), nullable=True))
    connection = op.get_bind()
    table = sa.table('sikondang_dataset', sa.column('id', sa.Integer), sa.column('ckan_id', sa.String),
                     sa.column('ckan_resource_id', sa.String))
    for (dataset_id,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(table.update().where(table.c.id == dataset_id).values(
            ckan_id=str(uuid.uuid5(NAMESPACE, f"dataset:{dataset_id}")),
            ckan_resource_id=str(uuid.uuid5(NAMESPACE, f"resource:{dataset_id}:csv"))))
    with op.batch_alter_table('sikondang_dataset', schema=None) as batch_op:
        batch_op.alter_column('ckan_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column('ckan_resource_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_sikondang_dataset_ckan_id'), ['ckan_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_sikondang_dataset_ckan_resource_id'), ['ckan_resource_id'])


def downgrade() -> None:
    """Drop the stored ids (the API derived them again before this revision)."""
    with op.batch_alter_table('sikondang_dataset', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sikondang_dataset_ckan_resource_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_sikondang_dataset_ckan_id'), type_='unique')
        batch_op.drop_column('ckan_resource_id')
        batch_op.drop_column('ckan_id')
