"""Log-in lockout and back-off count per account: its phone, NIK and email share one counter."""
from __future__ import annotations

import uuid

import pytest

from ragem.auth.accounts import create_user
from ragem.extensions import db

LOGIN = "/api/v1/auth/login"
PASSWORD = "Rahasia-Kuat-123"
WRONG = "Bukan-Sandinya-1"
NIK = "3673011505900001"
EMAIL = "budi.santoso@example.id"


def login(client, identifier, password=PASSWORD, **kwargs):
    return client.post(LOGIN, json={"identifier": identifier, "password": password}, **kwargs)


@pytest.fixture
def budi(app):
    """A verified citizen who can log in by phone, NIK and email: ``(user_id, phone)``."""
    with app.app_context():
        user = create_user(
            name="Budi Santoso", phone=f"+62812{uuid.uuid4().int % 10**8:08d}", password=PASSWORD,
            nik=NIK, email=EMAIL,
        )
        db.session.commit()
        return user.id, user.phone


def test_guesses_by_phone_nik_and_email_share_one_lock(client, budi):
    _user_id, phone = budi
    assert login(client, EMAIL).status_code == 200  # (ten requests a minute per account: count them)
    # Five wrong passwords spread over the three identifiers (and phone formats) lock the account.
    for identifier in (phone, NIK, EMAIL, "0" + phone[3:], NIK):
        assert login(client, identifier, WRONG).status_code == 401
    for identifier in (phone, NIK, EMAIL.upper()):
        locked = login(client, identifier)  # the right password, too late, whichever identifier
        assert locked.status_code == 429 and locked.json["error"]["code"] == "too_many_attempts"
        assert int(locked.headers["Retry-After"]) >= 1


def test_the_per_account_request_limit_does_not_multiply_by_identifier(make_app):
    app = make_app(PROXY_COUNT=1)
    client = app.test_client()
    with app.app_context():
        create_user(name="Siti Aminah", phone="+6281355550001", password=PASSWORD, nik=NIK, email=EMAIL)
        db.session.commit()
    identifiers = ("+6281355550001", NIK, EMAIL)
    # Ten requests a minute per account, whatever the address and whichever identifier names it.
    for n in range(10):
        body = {"identifier": identifiers[n % 3]}  # incomplete: refused before any password work
        assert client.post(LOGIN, json=body, headers={"X-Forwarded-For": f"10.9.1.{n}"}).status_code == 422
    limited = client.post(LOGIN, json={"identifier": EMAIL}, headers={"X-Forwarded-For": "10.9.1.200"})
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    # Another account is not affected.
    other = client.post(LOGIN, json={"identifier": "+6281355550002"}, headers={"X-Forwarded-For": "10.9.1.201"})
    assert other.status_code == 422


def test_an_unknown_identifier_is_locked_alone_with_the_same_answers(client, budi):
    _user_id, phone = budi
    answers = []
    for identifier in (NIK, "3673011505900002"):  # Budi's NIK, and one that names nobody
        for _ in range(5):
            assert login(client, identifier, WRONG).status_code == 401
        answers.append(login(client, identifier, WRONG))
    known, unknown = answers
    assert known.status_code == unknown.status_code == 429
    assert known.json["error"]["code"] == unknown.json["error"]["code"] == "too_many_attempts"
    assert set(known.json["error"]["details"]) == set(unknown.json["error"]["details"]) == {"retry_after"}
    # The unknown identifier's failures cost the account nothing.
    assert login(client, "+6281999999999", WRONG).status_code == 401
