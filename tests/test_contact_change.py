"""A change of the phone number (or the email) warns the old contact, Indonesian first, and ends
every other session of the account: a takeover neither goes unnoticed nor leaves a device inside."""
from __future__ import annotations

import re

from sqlalchemy import select

from ragem.auth.models import User
from ragem.extensions import db
from ragem.notifications.models import OutboxMessage
from ragem.testing import create_account, inbox

ME = "/api/v1/me"
LOGIN = "/api/v1/auth/login"
NEW_PHONE = "+6281377770001"


def log_in(client, phone, password) -> tuple[dict, str]:
    response = client.post(LOGIN, json={"identifier": phone, "password": password})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['access_token']}"}, response.json["refresh_token"]


def messages_to(app, recipient: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        ))


def change_phone(app, client, headers, password, new_phone=NEW_PHONE):
    assert client.post(f"{ME}/phone", headers=headers, json={"phone": new_phone, "password": password}).status_code == 202
    body = [m.body for m in messages_to(app, new_phone) if m.purpose == "otp.change_phone"][-1]
    code = re.search(r"\b(\d{6})\b", body).group(1)
    return client.post(f"{ME}/phone/verify", headers=headers, json={"phone": new_phone, "code": code})


def test_a_phone_change_warns_the_old_number_and_ends_every_other_session(make_app):
    app = make_app()
    client = app.test_client()
    user_id, old_phone, password = create_account(app)
    other_device, other_refresh = log_in(client, old_phone, password)
    this_device, _refresh = log_in(client, old_phone, password)

    assert change_phone(app, client, this_device, password).status_code == 200

    warned = [m for m in messages_to(app, old_phone) if m.purpose == "phone_changed"]
    assert len(warned) == 1 and warned[0].channel == "sms"
    assert "Nomor telepon akun RAGEM Anda telah diganti" in warned[0].body
    assert "Jika bukan Anda" in warned[0].body
    assert NEW_PHONE not in warned[0].body and NEW_PHONE[-3:] in warned[0].body  # masked
    with app.app_context():
        notices = [n for n in inbox(user_id) if n.kind == "account.phone_changed"]
        assert len(notices) == 1
        assert "telah diganti" in notices[0].body_id and "was changed" in notices[0].body_en

    # The other device is out, its refresh token too; the device that made the change stays.
    gone = client.get(ME, headers=other_device)
    assert gone.status_code == 401 and gone.json["error"]["details"]["reason"] == "revoked"
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": other_refresh}).status_code == 401
    assert client.get(ME, headers=this_device).json["phone"] == NEW_PHONE


def test_the_warning_is_in_english_for_an_account_that_reads_english(make_app):
    app = make_app()
    client = app.test_client()
    user_id, old_phone, password = create_account(app)
    with app.app_context():
        db.session.get(User, user_id).preferred_language = "en"
        db.session.commit()
    headers, _refresh = log_in(client, old_phone, password)

    assert change_phone(app, client, headers, password, "+6281377770002").status_code == 200
    warned = [m for m in messages_to(app, old_phone) if m.purpose == "phone_changed"]
    assert len(warned) == 1
    assert "phone number was changed" in warned[0].body and "If this was not you" in warned[0].body
