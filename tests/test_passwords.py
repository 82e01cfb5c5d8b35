"""Forgotten passwords (texted code), changing a password, and the policy behind both."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ragem.audit.models import AuditEntry
from ragem.auth.models import OneTimeCode, User
from ragem.auth.passwords import password_problems
from ragem.auth.accounts import create_user
from ragem.extensions import db
from ragem.notifications.models import OutboxMessage

FORGOT = "/api/v1/auth/password/forgot"
RESET = "/api/v1/auth/password/reset"
CHANGE = "/api/v1/me/password"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
SUMMARY = "/api/v1/me/summary"
PHONE = "+6281377778888"
NIK = "3673014507900002"  # a woman born on 5 July 1990
OLD, NEW = "Kopi-Tubruk-88", "Teh-Poci-Manis-77"


@pytest.fixture
def account(app):
    """A verified citizen with a NIK and an email; returns the user id."""
    with app.app_context():
        user = create_user(name="Dewi Lestari", phone=PHONE, password=OLD, email="dewi@example.id", nik=NIK)
        db.session.commit()
        return user.id


def log_in(client, identifier=PHONE, password=OLD) -> dict:
    answer = client.post(LOGIN, json={"identifier": identifier, "password": password})
    assert answer.status_code == 200, answer.json
    return answer.json


def auth(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def texts(app, phone=PHONE) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.recipient == phone).order_by(OutboxMessage.id)
        ))


def last_code(app, phone=PHONE) -> str:
    return re.search(r"\b(\d{6})\b", texts(app, phone)[-1]).group(1)


def age_codes(app, seconds: int) -> None:
    with app.app_context():
        for row in db.session.scalars(select(OneTimeCode)):
            row.created_at -= timedelta(seconds=seconds)
            row.expires_at -= timedelta(seconds=seconds)
        db.session.commit()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# -- the policy -------------------------------------------------------------------------------

def test_policy_names_every_rule_a_password_breaks():
    assert password_problems("Kopi-Tubruk-88") == []
    assert password_problems("1234") == ["too_short", "only_digits"]
    assert password_problems("alhamdulillah2024!") == ["common"]
    assert password_problems("x" * 129) == ["too_long"]
    personal = dict(name="Dewi Lestari", phone=PHONE, nik=NIK)
    assert password_problems("kopi81377778888", **personal) == ["contains_phone"]
    assert password_problems(f"nik{NIK}", **personal) == ["contains_nik"]
    assert password_problems("LESTARI-hebat-9", **personal) == ["contains_name"]
    assert password_problems("Dew-hebat-9x", **personal) == []  # name parts under four letters are fine


# -- forgotten password -----------------------------------------------------------------------

@pytest.mark.parametrize("identifier", ["0813-7777-8888", "DEWI@example.id", NIK])
def test_forgot_sends_a_code_to_the_account_phone_whatever_the_identifier(client, app, account, identifier):
    answer = client.post(FORGOT, json={"identifier": identifier})
    assert answer.status_code == 202 and answer.json["code_expires_in"] == 300
    assert len(texts(app)) == 1 and "kata sandi" in texts(app)[0]


def test_forgot_answers_alike_for_unknown_accounts_and_sends_nothing(client, app, account):
    known = client.post(FORGOT, json={"identifier": PHONE})
    for unknown in ("081311112222", "nobody@example.id", "3673011708850001"):
        answer = client.post(FORGOT, json={"identifier": unknown})
        assert (answer.status_code, answer.json) == (known.status_code, known.json)
    with app.app_context():
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [PHONE]


def test_reset_sets_the_password_and_ends_every_session(client, app, account):
    phone_session, email_session = log_in(client), log_in(client, "dewi@example.id")
    assert client.get(SUMMARY, headers=auth(phone_session)).status_code == 200

    client.post(FORGOT, json={"identifier": "dewi@example.id"})
    done = client.post(RESET, json={"identifier": "dewi@example.id", "code": last_code(app), "new_password": NEW})
    assert done.status_code == 200, done.json

    for tokens in (phone_session, email_session):
        assert client.get(SUMMARY, headers=auth(tokens)).status_code == 401
        assert client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert client.post(LOGIN, json={"identifier": PHONE, "password": OLD}).status_code == 401
    log_in(client, PHONE, NEW)

    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
        assert entry.target_id == account and entry.after == {"sessions_revoked": 2}
        recorded = f"{entry.before} {entry.after} {entry.reason}"
        assert NEW not in recorded and OLD not in recorded and NIK not in recorded
        assert db.session.get(User, account).password_changed_at is not None


def test_a_reset_code_works_once(client, app, account):
    client.post(FORGOT, json={"identifier": PHONE})
    code = last_code(app)
    assert client.post(RESET, json={"identifier": PHONE, "code": code, "new_password": NEW}).status_code == 200
    again = client.post(RESET, json={"identifier": PHONE, "code": code, "new_password": "Es-Kelapa-Muda-5"})
    assert again.status_code == 422 and again.json["error"]["code"] == "invalid_code"
    log_in(client, PHONE, NEW)


def test_a_weak_new_password_does_not_spend_the_code(client, app, account):
    client.post(FORGOT, json={"identifier": PHONE})
    code = last_code(app)
    for weak, rule in (("sayang", "too_short"), ("Lestari-2024!", "contains_name"), ("bismillah1", "common")):
        refused = client.post(RESET, json={"identifier": PHONE, "code": code, "new_password": weak})
        assert refused.status_code == 422
        assert refused.json["error"]["code"] == "weak_password" and refused.json["error"]["details"]["new_password"] == rule
    assert client.post(RESET, json={"identifier": PHONE, "code": code, "new_password": NEW}).status_code == 200


def test_the_reset_code_cannot_be_guessed_and_unknown_accounts_look_the_same(client, app, account):
    """Five wrong codes kill the code; an unknown identifier walks through the very same answers."""
    def attempts(identifier: str) -> list[tuple[int, str]]:
        client.post(FORGOT, json={"identifier": identifier})
        real = last_code(app)
        seen = []
        for _ in range(5):
            answer = client.post(RESET, json={"identifier": identifier, "code": wrong(real), "new_password": NEW})
            seen.append((answer.status_code, answer.json["error"]["code"]))
        # Even the right code is refused now.
        answer = client.post(RESET, json={"identifier": identifier, "code": real, "new_password": NEW})
        seen.append((answer.status_code, answer.json["error"]["code"]))
        return seen

    known = attempts("dewi@example.id")
    assert known == [(422, "invalid_code")] * 5 + [(429, "too_many_attempts")]
    assert attempts("siapa@example.id") == known
    log_in(client, PHONE, OLD)  # the password did not change


def test_an_expired_reset_code_is_refused(client, app, account):
    client.post(FORGOT, json={"identifier": PHONE})
    code = last_code(app)
    age_codes(app, 301)
    late = client.post(RESET, json={"identifier": PHONE, "code": code, "new_password": NEW})
    assert late.status_code == 422 and late.json["error"]["code"] == "code_expired"


def test_forgot_is_throttled_for_known_and_unknown_identifiers_alike(client, app, account):
    for identifier in (PHONE, "081311112222"):
        assert client.post(FORGOT, json={"identifier": identifier}).status_code == 202
        again = client.post(FORGOT, json={"identifier": identifier})
        assert again.status_code == 429 and again.json["error"]["code"] == "otp_throttled"
        assert int(again.headers["Retry-After"]) >= 1
    assert len(texts(app)) == 1


def test_a_pending_account_gets_no_reset_code(client, app):
    created = client.post("/api/v1/auth/register", json={
        "name": "Rudi Hartono", "nik": "3673011708850001", "phone": "081355556666", "password": OLD,
    })
    assert created.status_code == 201
    age_codes(app, 61)
    assert client.post(FORGOT, json={"identifier": "081355556666"}).status_code == 202
    assert len(texts(app, "+6281355556666")) == 1  # only the verification code


# -- changing the password --------------------------------------------------------------------

def test_change_password_keeps_this_session_and_ends_the_others(client, app, account):
    here, elsewhere = log_in(client), log_in(client, "dewi@example.id")
    changed = client.post(CHANGE, json={"current_password": OLD, "new_password": NEW}, headers=auth(here))
    assert changed.status_code == 200, changed.json
    assert changed.json["other_sessions_revoked"] == 1 and changed.json["password_changed_at"].endswith("Z")

    assert client.get(SUMMARY, headers=auth(here)).status_code == 200
    assert client.post(REFRESH, json={"refresh_token": here["refresh_token"]}).status_code == 200
    assert client.get(SUMMARY, headers=auth(elsewhere)).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": elsewhere["refresh_token"]}).status_code == 401
    log_in(client, PHONE, NEW)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == account)) == "user.password_change"


def test_change_password_needs_the_current_one(client, app, account):
    tokens = log_in(client)
    refused = client.post(CHANGE, json={"current_password": "Salah-Tebak-1", "new_password": NEW}, headers=auth(tokens))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "wrong_password"
    assert client.get(SUMMARY, headers=auth(tokens)).status_code == 200  # nothing was revoked
    log_in(client, PHONE, OLD)


def test_wrong_current_passwords_count_against_the_log_in_throttle(client, app, account):
    tokens = log_in(client)
    for _ in range(5):
        answer = client.post(CHANGE, json={"current_password": "Salah-Tebak-1", "new_password": NEW}, headers=auth(tokens))
        assert answer.status_code == 403
    locked = client.post(CHANGE, json={"current_password": OLD, "new_password": NEW}, headers=auth(tokens))
    assert locked.status_code == 429 and locked.json["error"]["code"] == "too_many_attempts"
    assert client.post(LOGIN, json={"identifier": PHONE, "password": OLD}).status_code == 429


@pytest.mark.parametrize("new, rule", [(OLD, "same_as_current"), ("12345678", "only_digits"), ("Dewi-Lestari-1", "contains_name")])
def test_change_password_applies_the_policy(client, account, new, rule):
    tokens = log_in(client)
    refused = client.post(CHANGE, json={"current_password": OLD, "new_password": new}, headers=auth(tokens))
    assert refused.status_code == 422 and refused.json["error"]["details"]["new_password"] == rule


def test_change_password_needs_a_log_in_and_refuses_extra_fields(client, account):
    assert client.post(CHANGE, json={"current_password": OLD, "new_password": NEW}).status_code == 401
    tokens = log_in(client)
    extra = client.post(CHANGE, json={"current_password": OLD, "new_password": NEW, "user_id": "x"}, headers=auth(tokens))
    assert extra.status_code == 422


def test_passwords_are_hashed_with_the_rfc9106_profile_unless_a_test_suite_asks_otherwise(make_app):
    from ragem.auth.passwords import hash_password, verify_password

    production_cost = make_app(PASSWORD_HASHING="rfc9106-low-memory")
    with production_cost.app_context():
        strong = hash_password(OLD)
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")

    suite = make_app()  # the test settings: argon2-cffi's cheapest profile
    with suite.app_context():
        cheap = hash_password(OLD)
        # Each hash carries its parameters: both verify whatever the current profile is.
        assert verify_password(strong, OLD) and verify_password(cheap, OLD)
        assert not verify_password(strong, NEW) and not verify_password(None, OLD)
    assert not cheap.startswith("$argon2id$v=19$m=65536")


def test_production_refuses_the_test_hashing_profile():
    from ragem.config import ConfigError, load_settings

    environ = {"RAGEM_ENV": "production", "RAGEM_SECRET_KEY": "k" * 40, "RAGEM_JWT_PRIVATE_KEY": "pem",
               "RAGEM_DATA_KEY": "d" * 44, "RAGEM_PASSWORD_HASHING": "test-cheapest"}
    with pytest.raises(ConfigError, match="PASSWORD_HASHING: test-cheapest is for test suites"):
        load_settings(environ=environ, dotenv_path=None)
    with pytest.raises(ConfigError, match="PASSWORD_HASHING: expected one of"):
        load_settings(environ={**environ, "RAGEM_PASSWORD_HASHING": "md5"}, dotenv_path=None)
