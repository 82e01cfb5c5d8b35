"""Logs never carry a password, a token, a one-time code or a NIK.

A citizen's whole first day runs with every log line captured as production writes it (JSON, with
the extras): registering, a wrong password, verifying the phone with the texted code, logging in,
refreshing, reading the profile, a forgotten password reset with its code, logging out. The codes
are read from the development outbox, the one place they may be.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from datetime import timedelta

from ragem.auth.models import OneTimeCode
from ragem.extensions import db
from ragem.hooktypes import OutboundMessage
from ragem.notifications.models import OutboxMessage
from ragem.notifications.outbox_rows import store_in_outbox
from ragem.testing import captured_logs, secrets_in_logs

NIK = "3673014507900001"
PHONE = "+6281234567890"
PASSWORD = "Rahasia-Kuat-123"
WRONG_PASSWORD = "Salah-Tebak-987"
NEW_PASSWORD = "Kopi-Tubruk-88-Baru"


def _texted_code(app, purpose: str) -> str:
    with app.app_context():
        sms = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == PHONE, OutboxMessage.purpose == purpose)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert sms is not None, f"no {purpose} message in the outbox"
        return re.search(r"\b(\d{6})\b", sms.body).group(1)


def _age_codes(app, minutes: int = 2) -> None:
    """Move the codes sent so far back in time, past the one-a-minute resend throttle."""
    with app.app_context():
        for row in db.session.scalars(select(OneTimeCode)):
            row.created_at -= timedelta(minutes=minutes)
        db.session.commit()


def _outside_the_development_outbox(lines: list[str]) -> list[str]:
    """The lines less the development outbox's own (where a developer reads the codes)."""
    return [line for line in lines if not ('"logger": "ragem.delivery"' in line and '"message": "outbox ' in line)]


def test_a_citizens_first_day_leaves_no_secret_in_the_logs(make_app):
    app = make_app(LOG_LEVEL="DEBUG")
    client = app.test_client()
    secrets = [PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, NIK, "3673 0145 0790 0001"]
    with captured_logs() as lines:
        registered = client.post("/api/v1/auth/register", json={
            "name": "Warga Uji", "phone": "081234567890", "nik": NIK, "password": PASSWORD})
        assert registered.status_code == 201, registered.json
        code = _texted_code(app, "otp.verify_phone")
        wrong = client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": f"{(int(code) + 1) % 10**6:06d}"})
        assert wrong.status_code in (400, 401, 422), wrong.json
        verified = client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": code})
        assert verified.status_code == 200, verified.json
        refused = client.post("/api/v1/auth/login", json={"identifier": NIK, "password": WRONG_PASSWORD})
        assert refused.status_code == 401
        login = client.post("/api/v1/auth/login", json={"identifier": NIK, "password": PASSWORD}).json
        refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.json
        access = {"Authorization": f"Bearer {refreshed.json['access_token']}"}
        assert client.get("/api/v1/me", headers=access).status_code == 200
        # The rotated refresh token presented again later: a reuse the logs report, without the token.
        replayed = client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
        assert replayed.status_code in (200, 401)
        _age_codes(app)
        forgot = client.post("/api/v1/auth/password/forgot", json={"identifier": PHONE})
        assert forgot.status_code in (200, 202, 204), forgot.json
        reset_code = _texted_code(app, "otp.reset_password")
        reset = client.post("/api/v1/auth/password/reset",
                            json={"identifier": PHONE, "code": reset_code, "new_password": NEW_PASSWORD})
        assert reset.status_code in (200, 204), reset.json
        again = client.post("/api/v1/auth/login", json={"identifier": PHONE, "password": NEW_PASSWORD}).json
        out = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {again['access_token']}"},
                          json={"refresh_token": again["refresh_token"]})
        assert out.status_code in (200, 204)
    secrets += [code, reset_code]
    for tokens in (verified.json, login, refreshed.json, again):
        secrets += [tokens["access_token"], tokens["refresh_token"]]
        # A token's signature alone is as good as the token to whoever knows the rest.
        secrets.append(tokens["access_token"].rsplit(".", 1)[-1])
    assert lines, "nothing was logged: the capture is not working"
    assert secrets_in_logs(_outside_the_development_outbox(lines), secrets) == []
    # The development outbox did log the codes (that is its job), so the filter above is not empty.
    assert secrets_in_logs(lines, [code]) != []


def test_in_production_the_outbox_logs_neither_the_code_nor_the_number(app):
    """Production keeps no message body: a code no gateway took is not written to the log."""
    app.config["RAGEM"] = {**app.config["RAGEM"], "ENV": "production"}
    with app.app_context(), captured_logs() as lines:
        store_in_outbox(OutboundMessage(channel="sms", to=PHONE, body="RAGEM: kode verifikasi Anda 482913.",
                                        purpose="otp.verify_phone"))
        db.session.rollback()
    assert lines and secrets_in_logs(lines, ["482913", PHONE, PHONE[3:]]) == []


def test_the_scan_finds_a_secret_a_log_line_carries(make_app):
    """The scan itself: a line that carries a code (even JSON-escaped inside a message) is found."""
    import logging

    with captured_logs() as lines:
        logging.getLogger("ragem.auth").warning("code 123456 for \"Rahasia\\Kuat\" sent")
        logging.getLogger("plugins.example").debug("debug detail 3673014507900001")
    assert len(secrets_in_logs(lines, ["123456", 'Rahasia\\Kuat', NIK])) == 3
    assert secrets_in_logs(lines, ["654321"]) == []
