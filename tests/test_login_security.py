"""Log-in: phone in any format, NIK or email; one answer for unknown users and wrong passwords;
back-off after failures; rate limits per IP and per identifier."""
from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from ragem.auth.models import LoginThrottle, User
from ragem.auth.accounts import create_user
from ragem.auth.throttle import lock_seconds
from ragem.extensions import db
from ragem.testing import create_account
from ragem.timeutil import utcnow

LOGIN = "/api/v1/auth/login"
PASSWORD = "Rahasia-Kuat-123"
NIK = "3673011505900001"


def login(client, identifier, password=PASSWORD, **kwargs):
    return client.post(LOGIN, json={"identifier": identifier, "password": password}, **kwargs)


def comparable(response) -> tuple:
    """What a client can tell apart: status, body (but the request id), header names."""
    body = dict(response.json["error"])
    body.pop("request_id")
    names = {name for name in response.headers.keys() if not name.lower().startswith(("x-request-id", "x-ratelimit"))}
    return response.status_code, body, names


@pytest.fixture
def argon2_verifications(monkeypatch):
    """Counts argon2 verifications: the work that would make timings differ if skipped."""
    calls = []
    original = PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(1)
        return original(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


@pytest.fixture
def budi(app):
    """A verified citizen with a NIK and an email: ``(user_id, phone)``."""
    with app.app_context():
        user = create_user(
            name="Budi Santoso", phone=f"+62812{uuid.uuid4().int % 10**8:08d}", password=PASSWORD,
            nik=NIK, email="Budi.Santoso@Example.id",
        )
        db.session.commit()
        return user.id, user.phone


# -- who may log in --------------------------------------------------------------------------------


def test_log_in_by_phone_in_every_usual_format(client, budi):
    user_id, phone = budi  # +62812xxxxxxxx
    national = phone[3:]
    for typed in (phone, "0" + national, "62" + national, f"+62 {national[:3]}-{national[3:7]}-{national[7:]}"):
        response = login(client, typed)
        assert response.status_code == 200, (typed, response.json)


def test_log_in_by_nik_and_by_email(client, budi, caplog):
    caplog.set_level(logging.DEBUG)
    for typed in (NIK, "3673.0115.0590.0001", "budi.santoso@example.id", "Budi.Santoso@Example.id"):
        response = login(client, typed)
        assert response.status_code == 200, (typed, response.json)
    assert NIK not in caplog.text


def test_an_invalid_or_unknown_nik_names_nobody(client, budi, argon2_verifications):
    unknown_user = login(client, "3673011505900002", "whatever-password")
    invalid_nik = login(client, "9999999999999999", PASSWORD)  # no such province, right password
    wrong_password = login(client, NIK, "not-the-password")
    assert comparable(unknown_user) == comparable(invalid_nik) == comparable(wrong_password)
    assert unknown_user.status_code == 401 and unknown_user.json["error"]["code"] == "invalid_credentials"
    assert len(argon2_verifications) == 3  # the same argon2 work on every path


def test_unknown_user_and_wrong_password_get_the_identical_answer_after_the_same_work(client, budi, argon2_verifications):
    _user_id, phone = budi
    wrong_password = login(client, phone, "Bukan-Sandinya-1")
    unknown_phone = login(client, "+6281999999999", "Bukan-Sandinya-1")
    unknown_email = login(client, "nobody@example.id", "Bukan-Sandinya-1")
    assert comparable(wrong_password) == comparable(unknown_phone) == comparable(unknown_email)
    assert wrong_password.status_code == 401 and wrong_password.json["error"]["code"] == "invalid_credentials"
    assert len(argon2_verifications) == 3
    english = login(client, phone, "Bukan-Sandinya-1", headers={"Accept-Language": "en"})
    assert english.json["error"]["message"] != wrong_password.json["error"]["message"]


def test_an_unverified_phone_is_told_only_to_someone_who_knows_the_password(app, client, budi):
    user_id, phone = budi
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(phone_verified_at=None))
        db.session.commit()
    wrong = login(client, phone, "Bukan-Sandinya-1")
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "invalid_credentials"
    right = login(client, phone)
    assert right.status_code == 403 and right.json["error"]["code"] == "phone_not_verified"
    assert "access_token" not in right.json


def test_a_deactivated_account_cannot_log_in(app, client, budi):
    user_id, phone = budi
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(is_active=False))
        db.session.commit()
    response = login(client, phone)
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_credentials"


# -- back-off ---------------------------------------------------------------------------------------


def test_lock_grows_from_30_seconds_doubling_up_to_15_minutes():
    assert [lock_seconds(n) for n in range(1, 11)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900]
    assert lock_seconds(10_000) == 900


def _unlock_everything(app):
    """Let the current lock run out (as if its Retry-After had passed)."""
    with app.app_context():
        db.session.execute(update(LoginThrottle).values(locked_until=utcnow()))
        db.session.commit()


def test_failures_lock_the_identifier_without_looking_at_the_password(app, client, budi, argon2_verifications):
    _user_id, phone = budi
    for _ in range(5):
        assert login(client, phone, "Bukan-Sandinya-1").status_code == 401
    assert len(argon2_verifications) == 5
    locked = login(client, phone)  # the right password, too late
    assert locked.status_code == 429 and locked.json["error"]["code"] == "too_many_attempts"
    assert 1 <= locked.json["error"]["details"]["retry_after"] <= 30
    # flask-limiter may stretch the header to its own window's end; never shorter than the lock.
    assert int(locked.headers["Retry-After"]) >= locked.json["error"]["details"]["retry_after"]
    # The lock is on the number, whatever way it is typed.
    assert login(client, "0" + phone[3:]).status_code == 429
    assert len(argon2_verifications) == 5  # no password was checked while locked
    # The table keys are keyed hashes: no phone number in it.
    with app.app_context():
        keys = list(db.session.scalars(select(LoginThrottle.key)))
    assert keys and not any(phone[3:] in key for key in keys)

    _unlock_everything(app)
    assert login(client, phone).status_code == 200  # success clears the failures
    assert login(client, phone, "Bukan-Sandinya-1").status_code == 401  # a new count begins
    assert login(client, phone).status_code == 200


def test_unknown_identifiers_back_off_exactly_like_existing_ones(app, client, budi):
    _user_id, phone = budi
    answers = {}
    for identifier in (phone, "+6281999999999"):
        for _ in range(5):
            login(client, identifier, "Bukan-Sandinya-1")
        answers[identifier] = login(client, identifier, "Bukan-Sandinya-1")
    existing, unknown = answers.values()
    assert existing.status_code == unknown.status_code == 429
    # The same answer; only the seconds left may differ (a slow machine may tick between the two).
    assert comparable(existing)[2] == comparable(unknown)[2]
    for response in (existing, unknown):
        assert set(response.json["error"]["details"]) == {"retry_after"}
        assert 25 <= response.json["error"]["details"]["retry_after"] <= 30
    assert re.sub(r"\d+", "N", existing.json["error"]["message"]) == re.sub(r"\d+", "N", unknown.json["error"]["message"])
    # Each further failure after a lock doubles it.
    _unlock_everything(app)
    assert login(client, "+6281999999999", "Bukan-Sandinya-1").status_code == 401
    relocked = login(client, "+6281999999999", "Bukan-Sandinya-1")
    assert relocked.status_code == 429 and 30 < relocked.json["error"]["details"]["retry_after"] <= 60


# -- rate limits ---------------------------------------------------------------------------------------


def test_per_ip_limit_on_log_in(client):
    # Incomplete bodies are refused before any password work, but they count all the same.
    for n in range(20):
        assert client.post(LOGIN, json={"identifier": f"orang{n}@example.id"}).status_code == 422
    limited = client.post(LOGIN, json={"identifier": "orang99@example.id", "password": "x"})
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    # Another address is not affected.
    other = client.post(LOGIN, json={"identifier": "orang99@example.id"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 422


def test_per_identifier_limit_whatever_the_address(make_app):
    app = make_app(PROXY_COUNT=1)
    client = app.test_client()
    national = "81234567890"
    formats = ("0" + national, "62" + national, "+62" + national)

    def attempt(identifier, n):
        return client.post(LOGIN, json={"identifier": identifier}, headers={"X-Forwarded-For": f"10.9.0.{n}"})

    for n in range(10):
        assert attempt(formats[n % 3], n).status_code == 422
    limited = attempt(formats[0], 200)
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert attempt("+6281234500000", 201).status_code == 422  # another identifier from that address


def test_forgotten_throttle_rows_are_purged(app, client, budi):
    from ragem.auth import throttle

    login(client, "+6281999999999", "Bukan-Sandinya-1")
    login(client, budi[1], "Bukan-Sandinya-1")
    with app.app_context():
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == throttle.identifier_key("+6281999999999"))
                           .values(updated_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        throttle.purge_stale(every_seconds=0)
        db.session.commit()
        left = list(db.session.scalars(select(LoginThrottle.key)))
        assert left == [f"acct:{budi[0]}"]  # an account's failures are counted on the account
