"""A stolen access token cannot take the account over: changing the phone (or the email, or the
password) and erasing the account need proof of the owner in the request itself, the current
password or a code texted to the current phone. A fresh log-in alone is not enough."""
from __future__ import annotations

import re

from sqlalchemy import select

from ragem.extensions import db
from ragem.notifications.models import OutboxMessage
from ragem.testing import create_account

ME = "/api/v1/me"
LOGIN = "/api/v1/auth/login"
WRONG = "Bukan-Sandinya-1"
ATTACKER_PHONE = "+6281366660001"


def log_in(client, phone, password) -> dict:
    """Headers with an access token from a real log-in (the token an attacker would copy)."""
    response = client.post(LOGIN, json={"identifier": phone, "password": password})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def messages_to(app, recipient: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        ))


def newest_code(app, recipient: str, purpose: str) -> str:
    bodies = [m.body for m in messages_to(app, recipient) if m.purpose == purpose]
    assert bodies, f"no {purpose} message was sent to {recipient}"
    return re.search(r"\b(\d{6})\b", bodies[-1]).group(1)


def test_a_stolen_access_token_cannot_move_the_account_to_another_phone(make_app):
    app = make_app()
    client = app.test_client()
    victim_id, victim_phone, password = create_account(app)
    stolen = log_in(client, victim_phone, password)  # copied right after the victim logged in

    # Step one of the takeover: move the account to the attacker's number. Refused.
    moved = client.post(f"{ME}/phone", headers=stolen, json={"phone": ATTACKER_PHONE})
    assert moved.status_code == 403
    assert moved.json["error"]["code"] == "reauthentication_required"
    assert set(moved.json["error"]["details"]["accepts"]) == {"password", "current_phone_code"}
    guessed = client.post(f"{ME}/phone", headers=stolen, json={"phone": ATTACKER_PHONE, "password": WRONG})
    assert guessed.status_code == 403 and guessed.json["error"]["code"] == "wrong_password"
    assert messages_to(app, ATTACKER_PHONE) == []  # no code reached the attacker

    # So the rest of the path goes nowhere: no code to verify, no reset code for that number.
    verify = client.post(f"{ME}/phone/verify", headers=stolen, json={"phone": ATTACKER_PHONE, "code": "123456"})
    assert verify.status_code == 422
    assert client.post("/api/v1/auth/password/forgot", json={"identifier": ATTACKER_PHONE}).status_code == 202
    assert messages_to(app, ATTACKER_PHONE) == []
    me = client.get(ME, headers=stolen).json
    assert me["phone"] == victim_phone
    assert client.post(LOGIN, json={"identifier": victim_phone, "password": password}).status_code == 200
    # A code to the victim's own phone would warn them; the token holder never sees it.
    assert client.post(f"{ME}/reauth-code", headers=stolen).status_code == 202
    assert messages_to(app, ATTACKER_PHONE) == []


def test_the_current_password_proves_the_owner(make_app):
    app = make_app()
    client = app.test_client()
    _user_id, phone, password = create_account(app)
    headers = log_in(client, phone, password)

    started = client.post(f"{ME}/phone", headers=headers, json={"phone": "081366660002", "password": password})
    assert started.status_code == 202 and started.json["phone"] == "+6281366660002"
    code = newest_code(app, "+6281366660002", "otp.change_phone")
    done = client.post(f"{ME}/phone/verify", headers=headers, json={"phone": "+6281366660002", "code": code})
    assert done.status_code == 200 and done.json["phone"] == "+6281366660002"


def test_a_code_texted_to_the_current_phone_proves_the_owner_once(make_app):
    app = make_app()
    client = app.test_client()
    _user_id, phone, password = create_account(app)
    headers = log_in(client, phone, password)

    sent = client.post(f"{ME}/reauth-code", headers=headers)
    assert sent.status_code == 202
    assert sent.json["sent_to"].startswith(phone[:6]) and phone not in sent.get_data(as_text=True)
    assert sent.json["code_expires_in"] == 300 and sent.json["expires_at"].endswith("Z")
    code = newest_code(app, phone, "otp.reauthenticate")
    sms = messages_to(app, phone)[-1].body
    assert "Jika bukan Anda" in sms  # the owner who did not ask is told what to do

    body = {"phone": "+6281366660003", "current_phone_code": code}
    assert client.post(f"{ME}/phone", headers=headers, json=body).status_code == 202
    again = client.post(f"{ME}/phone", headers=headers, json={**body, "phone": "+6281366660004"})
    assert again.status_code == 403 and again.json["error"]["code"] == "invalid_code"
    assert messages_to(app, "+6281366660004") == []

    both = client.post(f"{ME}/phone", headers=headers, json={**body, "password": password})
    assert both.status_code == 422  # one proof, not two


def test_a_code_sent_to_another_account_proves_nothing(make_app):
    app = make_app()
    client = app.test_client()
    _a_id, a_phone, a_password = create_account(app)
    _b_id, b_phone, b_password = create_account(app)
    a_headers, b_headers = log_in(client, a_phone, a_password), log_in(client, b_phone, b_password)
    assert client.post(f"{ME}/reauth-code", headers=a_headers).status_code == 202
    a_code = newest_code(app, a_phone, "otp.reauthenticate")

    refused = client.post(f"{ME}/phone", headers=b_headers, json={"phone": ATTACKER_PHONE, "current_phone_code": a_code})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "invalid_code"
    assert messages_to(app, ATTACKER_PHONE) == []


def test_wrong_proofs_lock_the_account_like_failed_log_ins(make_app):
    app = make_app()
    client = app.test_client()
    _user_id, phone, password = create_account(app)
    headers = log_in(client, phone, password)

    for _ in range(5):
        wrong = client.post(f"{ME}/phone", headers=headers, json={"phone": ATTACKER_PHONE, "password": WRONG})
        assert wrong.status_code == 403 and wrong.json["error"]["code"] == "wrong_password"
    locked = client.post(f"{ME}/phone", headers=headers, json={"phone": ATTACKER_PHONE, "password": password})
    assert locked.status_code == 429 and locked.json["error"]["code"] == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) >= 1
    # The same lock guards the log-in and every other proof of this account.
    assert client.post(LOGIN, json={"identifier": phone, "password": password}).status_code == 429
    assert client.delete(ME, headers=headers, json={"password": password}).status_code == 429
    assert messages_to(app, ATTACKER_PHONE) == []


def test_erasure_with_a_code_texted_to_the_current_phone(make_app):
    app = make_app()
    client = app.test_client()
    _user_id, phone, password = create_account(app)
    headers = log_in(client, phone, password)

    assert client.delete(ME, headers=headers).status_code == 403
    assert client.post(f"{ME}/reauth-code", headers=headers).status_code == 202
    code = newest_code(app, phone, "otp.reauthenticate")
    assert client.delete(ME, headers=headers, json={"current_phone_code": code}).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401
