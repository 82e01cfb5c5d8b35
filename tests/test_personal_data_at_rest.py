"""Personal data at rest: no clear column gives back a NIK, a phone number or an address.

A NIK is kecamatan + birth date (day + 40 for women) + a serial, so its pieces in clear spell it
out again. Revision 0005 sealed them; these tests build a database at 0004 with a clear-text row,
upgrade it, and read every stored value of every table.
"""
from __future__ import annotations

import re

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from ragem.app import create_app
from ragem.auth.models import User
from ragem.auth.passwords import hash_password
from ragem.extensions import db
from ragem.migrate import _config, histories, upgrade_all
from ragem.notifications.models import OutboxMessage
from ragem.pii import encrypt, keyed_hash
from ragem.testing import stored_text_containing

NIK = "3673011708857294"          # kecamatan 36.73.01, a man born 17 August 1985, serial 7294
PHONE = "+6281234567890"
ADDRESS = "Jl. Ki Mas Jong No. 7, RT 02/RW 05"
PASSWORD = "Kopi-Tubruk-88"
USER_ID = "6b0e2f7a-3c1d-4e5f-9a8b-c2d3e4f5a6b7"


def secrets_of_a_citizen() -> list[str]:
    """The strings that must appear nowhere at rest: the NIK and its parts, the phone, the address."""
    return [NIK, "1985-08-17", PHONE, PHONE[1:], "0" + PHONE[3:], PHONE[3:], ADDRESS, "Ki Mas Jong"]


def pieces_of_the_nik() -> list[str]:
    """Short parts of the NIK that no column may hold on its own: its serial, its birth date."""
    return [NIK[-4:], "170885"]


@pytest.fixture
def app_at_0004(ragem_settings, fresh_database_url):
    """An app whose database is at core revision 0004, holding one citizen the old way (clear columns)."""
    app = create_app({**ragem_settings, "DATABASE_URL": fresh_database_url})
    core = next(history for history in histories(app) if history.name == "core")
    with app.app_context():
        with db.engine.begin() as connection:
            command.upgrade(_config(app, core, connection), "0004")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user_account (id, name, phone, email, password_hash, preferred_language, is_active, "
                "phone_verified_at, nik_ciphertext, nik_hash, nik_last4, birth_date, sex, address, "
                "password_changed_at, created_at, updated_at) VALUES (:id, 'Ahmad Fauzan', :phone, NULL, :pw, 'id', "
                ":yes, '2026-11-01 08:00:00', :nik_c, :nik_h, :last4, '1985-08-17', 'M', :address, "
                "'2026-11-01 08:00:00', '2026-11-01 08:00:00', '2026-11-01 08:00:00')"),
                {"id": USER_ID, "phone": PHONE, "pw": hash_password(PASSWORD), "yes": True, "nik_c": encrypt(NIK),
                 "nik_h": keyed_hash(NIK), "last4": NIK[-4:], "address": ADDRESS})
            connection.execute(text(
                "INSERT INTO user_role (user_id, role, granted_at) VALUES (:id, 'citizen', '2026-11-01 08:00:00')"),
                {"id": USER_ID})
            connection.execute(text(
                "INSERT INTO one_time_code (purpose, user_id, destination, code_hash, attempts, created_at, expires_at) "
                "VALUES ('verify_phone', :id, :phone, 'x', 1, '2026-11-01 08:00:00', '2026-11-01 08:05:00')"),
                {"id": USER_ID, "phone": PHONE})
            connection.execute(text(
                "INSERT INTO outbox_message (channel, recipient, body, purpose, user_id, created_at) "
                "VALUES ('sms', :phone, 'RAGEM: kode', 'otp.verify_phone', :id, '2026-11-01 08:00:00')"),
                {"id": USER_ID, "phone": PHONE})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrading_seals_an_existing_account_that_still_logs_in_and_reads_the_same(app_at_0004):
    app = app_at_0004
    upgrade_all(app)
    with app.app_context(), db.engine.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("user_account")}
        assert not columns & {"phone", "nik_last4", "birth_date", "sex", "address"}
        row = connection.execute(text("SELECT * FROM user_account WHERE id = :id"), {"id": USER_ID}).mappings().one()
        clear = " ".join(str(value) for value in row.values())
        for secret in (NIK, "1985-08-17", PHONE, PHONE[3:], ADDRESS):
            assert secret not in clear
        # Short pieces turn up by chance inside a hash or a ciphertext: no column may *be* one.
        for piece in (NIK[-4:], "170885"):
            assert piece not in {str(value) for value in row.values()}
    with app.app_context():
        assert stored_text_containing(*secrets_of_a_citizen()) == []
        assert stored_text_containing(*pieces_of_the_nik(), whole=True) == []

    client = app.test_client()
    for identifier in ("0812-3456-7890", NIK):
        answer = client.post("/api/v1/auth/login", json={"identifier": identifier, "password": PASSWORD})
        assert answer.status_code == 200, answer.get_json()
    token = answer.get_json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (me["nik"], me["phone"], me["birth_date"], me["sex"], me["address"]) == (
        "************7294", PHONE, "1985-08-17", "M", ADDRESS)
    with app.app_context():
        # The rows sent to the number before the upgrade are still found by it (erasure, export).
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == PHONE)).one().user_id == USER_ID


def test_downgrading_to_0004_puts_the_clear_columns_back(app_at_0004):
    app = app_at_0004
    upgrade_all(app)
    core = next(history for history in histories(app) if history.name == "core")
    with app.app_context():
        with db.engine.begin() as connection:
            command.downgrade(_config(app, core, connection), "0004")
        with db.engine.connect() as connection:
            row = connection.execute(text(
                "SELECT phone, nik_last4, birth_date, sex, address FROM user_account WHERE id = :id"),
                {"id": USER_ID}).one()
            destination = connection.execute(text("SELECT destination FROM one_time_code")).scalar()
            recipient = connection.execute(text("SELECT recipient FROM outbox_message")).scalar()
    assert (row.phone, row.nik_last4, str(row.birth_date)[:10], row.sex, row.address) == (
        PHONE, "7294", "1985-08-17", "M", ADDRESS)
    assert destination == recipient == PHONE


def test_a_sealed_attribute_refuses_queries_a_keyed_hash_cannot_answer(app):
    """``User.phone == x`` compares keyed hashes; a ``like`` or a select of the column would
    silently compare or return hashes, so it fails loudly instead."""
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == PHONE)) is None
        with pytest.raises(TypeError, match="keyed hash"):
            User.phone.like("+62812%")
        with pytest.raises(TypeError, match="select the row"):
            select(User.phone)
        with pytest.raises(TypeError, match="cannot be queried"):
            User.address == ADDRESS  # noqa: B015 - the comparison itself must raise


def test_a_registered_citizen_leaves_no_clear_nik_phone_or_address_in_any_table(app, client):
    """Register, verify, set the address, change nothing else: every stored value is checked."""
    answer = client.post("/api/v1/auth/register", json={
        "name": "Ahmad Fauzan", "nik": NIK, "phone": "0812 3456 7890", "password": PASSWORD})
    assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == PHONE)).one()
        code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    verified = client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": code})
    assert verified.status_code == 200, verified.get_json()
    headers = {"Authorization": f"Bearer {verified.get_json()['access_token']}"}
    patched = client.patch("/api/v1/me", headers=headers, json={"address": ADDRESS, "kelurahan": "36.73.01.1001"})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["address"] == ADDRESS

    with app.app_context():
        assert stored_text_containing("Ahmad Fauzan")  # the name is in clear: the check reads the rows
        assert stored_text_containing(*secrets_of_a_citizen()) == []
        assert stored_text_containing(*pieces_of_the_nik(), whole=True) == []
