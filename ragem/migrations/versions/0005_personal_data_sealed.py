"""personal data sealed: phone numbers, birth dates and addresses encrypted; no clear piece of a NIK

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 21:00:00

``user_account`` loses ``phone``, ``nik_last4``, ``birth_date``, ``sex`` and ``address``: the
phone becomes a keyed hash (log-in, uniqueness) and a ciphertext, the birth date and the address
ciphertexts; the last four digits and the sex are read from the decrypted NIK. Kecamatan + birth
date + sex + last four digits spelled the whole NIK out (docs/privacy.md). ``one_time_code.destination``
and ``outbox_message.recipient`` (phone numbers) become a keyed hash and a ciphertext the same way.

Every existing row is converted with RAGEM_DATA_KEY, the key the app itself uses (``ragem db
upgrade`` runs inside the app), through the same ``ragem.pii`` functions, so the hashes match
what the app computes. The downgrade decrypts them back.
"""
from __future__ import annotations

from datetime import date

from alembic import op
import sqlalchemy as sa

from ragem.pii import contact_hash, decrypt, encrypt


# Revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_users = sa.table(
    'user_account', sa.column('id', sa.String), sa.column('phone', sa.String), sa.column('nik_ciphertext', sa.Text),
    sa.column('nik_last4', sa.String), sa.column('birth_date', sa.Date), sa.column('sex', sa.String),
    sa.column('address', sa.Text), sa.column('phone_hash', sa.String), sa.column('phone_ciphertext', sa.Text),
    sa.column('birth_date_ciphertext', sa.Text), sa.column('address_ciphertext', sa.Text),
)
_codes = sa.table(
    'one_time_code', sa.column('id', sa.Integer), sa.column('destination', sa.String),
    sa.column('destination_hash', sa.String), sa.column('destination_ciphertext', sa.Text),
)
_outbox = sa.table(
    'outbox_message', sa.column('id', sa.Integer), sa.column('recipient', sa.String),
    sa.column('recipient_hash', sa.String), sa.column('recipient_ciphertext', sa.Text),
)


def _seal(text: str | None) -> str | None:
    return None if text is None else encrypt(text)


def _open(token: str | None) -> str | None:
    return None if token is None else decrypt(token)


def _as_date(value) -> date | None:
    """A DATE column's value: a ``date`` on PostgreSQL, sometimes text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    """Add the sealed columns, fill them from the clear ones, then drop the clear ones."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_ciphertext', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('birth_date_ciphertext', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('address_ciphertext', sa.Text(), nullable=True))
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destination_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('destination_ciphertext', sa.Text(), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('recipient_ciphertext', sa.Text(), nullable=True))

    bind = op.get_bind()
    for row in bind.execute(sa.select(_users.c.id, _users.c.phone, _users.c.birth_date, _users.c.address)).all():
        born = _as_date(row.birth_date)
        bind.execute(_users.update().where(_users.c.id == row.id).values(
            phone_hash=contact_hash(row.phone), phone_ciphertext=encrypt(row.phone),
            birth_date_ciphertext=_seal(born.isoformat() if born else None),
            address_ciphertext=_seal(row.address),
        ))
    for row in bind.execute(sa.select(_codes.c.id, _codes.c.destination)).all():
        bind.execute(_codes.update().where(_codes.c.id == row.id).values(
            destination_hash=contact_hash(row.destination), destination_ciphertext=encrypt(row.destination),
        ))
    for row in bind.execute(sa.select(_outbox.c.id, _outbox.c.recipient)).all():
        bind.execute(_outbox.update().where(_outbox.c.id == row.id).values(
            recipient_hash=contact_hash(row.recipient), recipient_ciphertext=encrypt(row.recipient),
        ))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('phone_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('phone_ciphertext', existing_type=sa.Text(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_user_account_phone'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_phone_hash'), ['phone_hash'])
        batch_op.drop_column('phone')
        batch_op.drop_column('sex')
        batch_op.drop_column('address')
        batch_op.drop_column('nik_last4')
        batch_op.drop_column('birth_date')
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.alter_column('destination_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('destination_ciphertext', existing_type=sa.Text(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_one_time_code_destination'))
        batch_op.create_index(batch_op.f('ix_one_time_code_destination_hash'), ['destination_hash'], unique=False)
        batch_op.drop_column('destination')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('recipient_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('recipient_ciphertext', existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient_hash'), ['recipient_hash'], unique=False)
        batch_op.drop_column('recipient')


def downgrade() -> None:
    """Put the clear columns back, decrypted (needs the same RAGEM_DATA_KEY), and drop the sealed ones."""
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('nik_last4', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('sex', sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column('address', sa.Text(), nullable=True))
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destination', sa.String(length=20), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient', sa.String(length=64), nullable=True))

    bind = op.get_bind()
    rows = bind.execute(sa.select(
        _users.c.id, _users.c.phone_ciphertext, _users.c.nik_ciphertext, _users.c.birth_date_ciphertext,
        _users.c.address_ciphertext,
    )).all()
    for row in rows:
        nik = _open(row.nik_ciphertext)
        born = _open(row.birth_date_ciphertext)
        bind.execute(_users.update().where(_users.c.id == row.id).values(
            phone=decrypt(row.phone_ciphertext), address=_open(row.address_ciphertext),
            nik_last4=nik[-4:] if nik else None,
            sex=("F" if int(nik[6:8]) > 40 else "M") if nik else None,
            birth_date=date.fromisoformat(born) if born else None,
        ))
    for row in bind.execute(sa.select(_codes.c.id, _codes.c.destination_ciphertext)).all():
        bind.execute(_codes.update().where(_codes.c.id == row.id).values(destination=decrypt(row.destination_ciphertext)[:20]))
    for row in bind.execute(sa.select(_outbox.c.id, _outbox.c.recipient_ciphertext)).all():
        bind.execute(_outbox.update().where(_outbox.c.id == row.id).values(recipient=decrypt(row.recipient_ciphertext)[:64]))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_user_account_phone_hash'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_phone'), ['phone'])
        batch_op.drop_column('address_ciphertext')
        batch_op.drop_column('birth_date_ciphertext')
        batch_op.drop_column('phone_ciphertext')
        batch_op.drop_column('phone_hash')
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.alter_column('destination', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_index(batch_op.f('ix_one_time_code_destination_hash'))
        batch_op.create_index(batch_op.f('ix_one_time_code_destination'), ['destination'], unique=False)
        batch_op.drop_column('destination_ciphertext')
        batch_op.drop_column('destination_hash')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_index(batch_op.f('ix_outbox_message_recipient_hash'))
        batch_op.drop_column('recipient_ciphertext')
        batch_op.drop_column('recipient_hash')
