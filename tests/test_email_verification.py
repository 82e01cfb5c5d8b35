"""An email address is verified (a code emailed to it, given back) before it logs in, receives
reset codes or blocks another registration; changing it needs proof of the owner, warns the old
contacts and ends every other session."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from ragem.auth.accounts import create_user
from ragem.auth.models import OneTimeCode, User
from ragem.extensions import db
from ragem.notifications.models import OutboxMessage
from ragem.testing import inbox

ME = "/api/v1/me"
LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"
PASSWORD = "Kopi-Tubruk-88"


def messages_to(app, recipient: str, purpose: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        stmt = select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        return [m for m in db.session.scalars(stmt) if purpose is None or m.purpose == purpose]


def code_in(message: OutboxMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def a_minute_passes(app) -> None:
    """Age every code by a minute (the one-code-a-minute throttle per destination)."""
    with app.app_context():
        for row in db.session.scalars(select(OneTimeCode)):
            row.created_at -= timedelta(seconds=61)
        db.session.commit()


def log_in(client, identifier, password=PASSWORD):
    return client.post(LOGIN, json={"identifier": identifier, "password": password})


def bearer_of(response) -> dict:
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def registered_and_phone_verified(app, client, *, email, phone, nik) -> dict:
    """Register through the API with ``email``, verify the phone; returns headers of that log-in."""
    body = {"name": "Siti Rahmawati", "nik": nik, "phone": phone, "password": PASSWORD, "email": email}
    assert client.post(REGISTER, json=body).status_code == 201
    texted = messages_to(app, phone, "otp.verify_phone")[-1]
    return bearer_of(client.post("/api/v1/auth/verify-phone", json={"phone": phone, "code": code_in(texted)}))


def account_with_email(app, email) -> tuple[str, str]:
    """An operator-made account (its email counts as verified): ``(user_id, phone)``."""
    with app.app_context():
        user = create_user(name="Budi Santoso", phone=f"+62813{uuid.uuid4().int % 10**8:08d}",
                           password=PASSWORD, email=email)
        db.session.commit()
        return user.id, user.phone


def test_an_unverified_email_logs_nobody_in_gets_no_reset_code_and_blocks_nobody(make_app):
    app = make_app()
    client = app.test_client()
    headers = registered_and_phone_verified(app, client, email="siti@example.id", phone="+6281234560001",
                                            nik="3673011708850001")
    assert client.get(ME, headers=headers).json["email_verified"] is False

    refused = log_in(client, "siti@example.id")
    assert refused.status_code == 401 and refused.json["error"]["code"] == "invalid_credentials"
    assert client.post("/api/v1/auth/password/forgot", json={"identifier": "siti@example.id"}).status_code == 202
    assert messages_to(app, "+6281234560001", "otp.reset_password") == []

    # Someone else may register with the address; the unproved claim is dropped.
    a_minute_passes(app)
    other = {"name": "Budi Hartono", "nik": "3673011708850002", "phone": "+6281234560002", "password": PASSWORD,
             "email": "SITI@example.id"}
    assert client.post(REGISTER, json=other).status_code == 201
    assert client.get(ME, headers=headers).json["email"] is None

    # Whoever verifies first takes it; then it blocks everyone else.
    texted = messages_to(app, "+6281234560002", "otp.verify_phone")[-1]
    budi = bearer_of(client.post("/api/v1/auth/verify-phone", json={"phone": "+6281234560002", "code": code_in(texted)}))
    emailed = messages_to(app, "siti@example.id", "otp.verify_email")[-1]
    proved = client.post(f"{ME}/email/verify", headers=budi, json={"email": "siti@example.id", "code": code_in(emailed)})
    assert proved.status_code == 200 and proved.json["email_verified"] is True
    assert log_in(client, "siti@example.id").status_code == 200
    taken = client.post(f"{ME}/email", headers=headers, json={"email": "siti@example.id", "password": PASSWORD})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "already_registered"
    third = {**other, "nik": "3673011708850003", "phone": "+6281234560003"}
    assert client.post(REGISTER, json=third).status_code == 409


def test_the_registration_email_is_verified_with_the_code_emailed_to_it(make_app):
    app = make_app()
    client = app.test_client()
    headers = registered_and_phone_verified(app, client, email="euis@example.id", phone="+6281234560004",
                                            nik="3673011708850004")
    [emailed] = messages_to(app, "euis@example.id", "otp.verify_email")
    assert emailed.channel == "email"
    code = code_in(emailed)
    wrong = client.post(f"{ME}/email/verify", headers=headers,
                        json={"email": "euis@example.id", "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "invalid_code"
    assert log_in(client, "euis@example.id").status_code == 401
    proved = client.post(f"{ME}/email/verify", headers=headers, json={"email": "euis@example.id", "code": code})
    assert proved.status_code == 200 and proved.json["email_verified"] is True
    assert log_in(client, "euis@example.id").status_code == 200
    # Verifying the address the account already had is no change: the other session stays.
    assert client.get(ME, headers=headers).status_code == 200


def test_changing_the_email_needs_proof_a_code_to_the_new_address_and_warns_the_old_one(make_app):
    app = make_app()
    client = app.test_client()
    user_id, phone = account_with_email(app, "lama@example.id")
    other_device = bearer_of(log_in(client, phone))
    headers = bearer_of(log_in(client, "lama@example.id"))

    no_proof = client.post(f"{ME}/email", headers=headers, json={"email": "baru@example.id"})
    assert no_proof.status_code == 403 and no_proof.json["error"]["code"] == "reauthentication_required"
    assert messages_to(app, "baru@example.id") == []
    # PATCH /me cannot go around it.
    patched = client.patch(ME, headers=headers, json={"email": "baru@example.id"})
    assert patched.status_code == 422 and patched.json["error"]["code"] == "field_not_editable"

    started = client.post(f"{ME}/email", headers=headers, json={"email": "Baru@Example.id", "password": PASSWORD})
    assert started.status_code == 202 and started.json["email"] == "baru@example.id"
    assert log_in(client, "baru@example.id").status_code == 401  # not before the code comes back
    [emailed] = messages_to(app, "baru@example.id", "otp.verify_email")
    done = client.post(f"{ME}/email/verify", headers=headers, json={"email": "baru@example.id", "code": code_in(emailed)})
    assert done.status_code == 200 and done.json["email"] == "baru@example.id" and done.json["email_verified"] is True

    [to_old_address] = messages_to(app, "lama@example.id", "email_changed")
    [to_phone] = messages_to(app, phone, "email_changed")
    assert to_old_address.channel == "email" and to_phone.channel == "sms"
    for warning in (to_old_address, to_phone):
        assert "Email akun RAGEM Anda telah diganti" in warning.body and "Jika bukan Anda" in warning.body
        assert "baru@example.id" not in warning.body  # masked
    with app.app_context():
        assert [n.kind for n in inbox(user_id)] == ["account.email_changed"]
    assert client.get(ME, headers=other_device).status_code == 401
    assert client.get(ME, headers=headers).status_code == 200
    assert log_in(client, "baru@example.id").status_code == 200
    assert log_in(client, "lama@example.id").status_code == 401


def test_removing_the_email_needs_proof_too(make_app):
    app = make_app()
    client = app.test_client()
    user_id, phone = account_with_email(app, "hapus@example.id")
    headers = bearer_of(log_in(client, phone))

    assert client.delete(f"{ME}/email", headers=headers).status_code == 403
    removed = client.delete(f"{ME}/email", headers=headers, json={"password": PASSWORD})
    assert removed.status_code == 200 and removed.json["email"] is None
    assert [m.channel for m in messages_to(app, "hapus@example.id", "email_changed")] == ["email"]
    assert log_in(client, "hapus@example.id").status_code == 401
    with app.app_context():
        assert db.session.get(User, user_id).email is None
