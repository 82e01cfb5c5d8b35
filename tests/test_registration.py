"""Registration: NIK, phone and password rules, the texted code, and the attacks that must fail."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ragem.auth.models import OneTimeCode, User
from ragem.extensions import db
from ragem.hooktypes import PluginInfo
from ragem.notifications.models import OutboxMessage
from ragem.timeutil import utcnow
from ragem.toolkit import hookimpl

REGISTER = "/api/v1/auth/register"
VERIFY = "/api/v1/auth/verify-phone"
RESEND = "/api/v1/auth/resend-code"
LOGIN = "/api/v1/auth/login"
PASSWORD = "Kopi-Tubruk-88"
EN = {"Accept-Language": "en"}


def nik(day: int = 17, month: int = 8, year: int = 85, serial: int = 1, region: str = "367301") -> str:
    """A valid NIK from Kota Serang (3673); add 40 to ``day`` for a woman."""
    return f"{region}{day:02d}{month:02d}{year:02d}{serial:04d}"


def body(**overrides) -> dict:
    data = {"name": "Siti Rahmawati", "nik": nik(), "phone": "0812-3456-7890", "password": PASSWORD}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def texted_code(app, phone: str) -> str:
    """The code in the newest SMS to ``phone`` in the development outbox."""
    with app.app_context():
        sms = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == phone, OutboxMessage.channel == "sms")
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert sms is not None, f"no SMS to {phone}"
        return re.search(r"\b(\d{6})\b", sms.body).group(1)


def sms_count(app, phone: str) -> int:
    with app.app_context():
        return len(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == phone)).all())


def age_codes(app, phone: str, seconds: int) -> None:
    """Pretend the codes sent to ``phone`` went out ``seconds`` earlier (the throttle's clock)."""
    with app.app_context():
        for row in db.session.scalars(select(OneTimeCode).where(OneTimeCode.destination == phone)):
            row.created_at -= timedelta(seconds=seconds)
            row.expires_at -= timedelta(seconds=seconds)
        db.session.commit()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


class EventLog:
    """A throwaway plugin that hears user events."""

    def __init__(self):
        self.events: list[tuple[str, str]] = []

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug="eventlog", name={"id": "Log", "en": "Log"}, description={"id": "Uji", "en": "Test"},
                          opd="DISKOMINFO", version="1.0")

    @hookimpl
    def ragem_user_event(self, event):
        self.events.append((event.name, event.user_id))


# -- the whole flow ---------------------------------------------------------------------------

def test_register_verify_and_log_in(make_app):
    plugin = EventLog()
    app = make_app(extra_plugins=[("eventlog", plugin)])
    client = app.test_client()

    created = client.post(REGISTER, json=body(email="Siti@Example.id", preferred_language="en"))
    assert created.status_code == 201, created.json
    assert created.json["status"] == "pending_verification" and created.json["code_expires_in"] == 300
    user_id = created.json["user_id"]
    assert nik() not in created.get_data(as_text=True)

    # Pending: the right password is not enough to log in.
    pending = client.post(LOGIN, json={"identifier": "081234567890", "password": PASSWORD})
    assert pending.status_code == 403 and pending.json["error"]["code"] == "phone_not_verified"

    code = texted_code(app, "+6281234567890")
    with app.app_context():
        sms = db.session.scalar(select(OutboxMessage))
        assert "your verification code" in sms.body  # the language the citizen chose
        assert sms.user_id == user_id and sms.purpose == "otp.verify_phone"

    verified = client.post(VERIFY, json={"phone": "+62 812 3456 7890", "code": code})
    assert verified.status_code == 200, verified.json
    assert verified.json["token_type"] == "Bearer" and verified.json["refresh_token"]
    assert verified.headers.get("Cache-Control") == "no-store"
    me = client.get("/api/v1/me/summary", headers={"Authorization": f"Bearer {verified.json['access_token']}"})
    assert me.status_code == 200

    assert plugin.events == [("registered", user_id), ("verified", user_id)]
    # The email logs in once verified with the code emailed at registration.
    unproved = client.post(LOGIN, json={"identifier": "siti@example.id", "password": PASSWORD})
    assert unproved.status_code == 401 and unproved.json["error"]["code"] == "invalid_credentials"
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).one()
        assert mail.recipient == "siti@example.id" and mail.purpose == "otp.verify_email"
        emailed = re.search(r"\b(\d{6})\b", mail.body).group(1)
    access = {"Authorization": f"Bearer {verified.json['access_token']}"}
    proved = client.post("/api/v1/me/email/verify", headers=access, json={"email": "siti@example.id", "code": emailed})
    assert proved.status_code == 200 and proved.json["email_verified"] is True
    logged_in = client.post(LOGIN, json={"identifier": "siti@example.id", "password": PASSWORD})
    assert logged_in.status_code == 200

    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.phone == "+6281234567890" and user.email == "siti@example.id"
        assert user.roles == ["citizen"] and user.is_verified and user.preferred_language == "en"
        assert user.birth_date.isoformat() == "1985-08-17" and user.sex == "M"
        # The NIK is not stored in clear anywhere on the row.
        assert user.nik_masked.endswith("0001") and nik() not in (user.nik_ciphertext or "") and user.nik_hash != nik()
        stored = " ".join(str(getattr(user, c.key)) for c in User.__table__.columns)
        assert nik() not in stored


def test_a_woman_s_nik_gives_her_sex_and_real_birth_date(client, app):
    created = client.post(REGISTER, json=body(nik=nik(day=57, month=3, year=2)))  # 17 March 2002
    assert created.status_code == 201, created.json
    with app.app_context():
        user = db.session.get(User, created.json["user_id"])
        assert user.sex == "F" and user.birth_date.isoformat() == "2002-03-17"


@pytest.mark.parametrize("bad", [
    nik(region="997101"),  # no such province
    nik(day=30, month=2),  # 30 February
    nik(day=17, month=13),  # month 13
    nik(day=85),  # neither a man's (01-31) nor a woman's (41-71) day
    "3673011708850",  # too short
    "367301170885000X",  # not digits
])
def test_invalid_niks_are_refused_and_nothing_is_created(client, app, bad):
    refused = client.post(REGISTER, json=body(nik=bad))
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "invalid_nik" and "nik" in refused.json["error"]["details"]
    assert bad not in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None
        assert db.session.scalar(select(OneTimeCode.id)) is None


def test_people_under_17_cannot_register_themselves(client):
    this_year = utcnow().year % 100
    refused = client.post(REGISTER, json=body(nik=nik(day=1, month=1, year=(this_year - 10) % 100)))
    assert refused.status_code == 422 and refused.json["error"]["code"] == "too_young"


@pytest.mark.parametrize("raw, stored", [
    ("081234567890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("+62 812-3456-7890", "+6281234567890"),
    ("(0812) 3456 789", "+628123456789"),
])
def test_phone_numbers_are_stored_in_e164(client, app, raw, stored):
    created = client.post(REGISTER, json=body(phone=raw))
    assert created.status_code == 201, created.json
    with app.app_context():
        assert db.session.get(User, created.json["user_id"]).phone == stored


@pytest.mark.parametrize("raw", ["+1 202 555 0100", "+6221 555 0100", "0812", "12345678901234", "nomor saya", "08123456789012345"])
def test_foreign_landline_and_malformed_numbers_are_refused_clearly(client, raw):
    refused = client.post(REGISTER, json=body(phone=raw), headers=EN)
    assert refused.status_code == 422
    error = refused.json["error"]
    assert error["code"] == "invalid_phone" and "phone" in error["details"]
    assert "Indonesian mobile number" in error["message"]


@pytest.mark.parametrize("password, rule", [
    ("Ab1-xyz", "too_short"),
    ("3141592653", "only_digits"),
    ("bismillah", "common"),
    ("Sayang123!", "common"),
    ("indonesia45", "common"),
    ("kopiku0812-3456-7890", "contains_phone"),
    (f"x{nik()}", "contains_nik"),
    ("Rahmawati-2024", "contains_name"),
])
def test_weak_passwords_are_refused_with_the_rule_they_break(client, password, rule):
    refused = client.post(REGISTER, json=body(password=password))
    assert refused.status_code == 422, refused.json
    error = refused.json["error"]
    assert error["code"] == "weak_password" and error["details"]["password"] == rule
    english = client.post(REGISTER, json=body(password=password), headers=EN).json["error"]["message"]
    assert english != error["message"] and "password" in english.lower()


def test_a_verified_accounts_nik_or_phone_is_refused_without_saying_whose(client, app):
    first = client.post(REGISTER, json=body(email="siti@example.id"))
    assert first.status_code == 201
    assert client.post(VERIFY, json={"phone": "081234567890", "code": texted_code(app, "+6281234567890")}).status_code == 200
    other = {"name": "Budi Hartono", "nik": nik(serial=2), "phone": "081299998888", "email": "budi@example.id"}
    answers = [
        client.post(REGISTER, json=body(**{**other, "nik": nik()})),  # Siti's NIK
        client.post(REGISTER, json=body(**{**other, "phone": "+6281234567890"})),  # Siti's phone
    ]
    for answer in answers:
        assert answer.status_code == 409
        text = answer.get_data(as_text=True)
        assert "Siti" not in text and "+6281234567890" not in text and first.json["user_id"] not in text
    bodies = [{**a.json["error"], "request_id": None} for a in answers]
    assert bodies[0] == bodies[1] and bodies[0]["code"] == "already_registered"
    # (Siti's email is not verified yet: it blocks nobody; tests/test_email_verification.py.)
    with app.app_context():
        assert len(db.session.scalars(select(User.id)).all()) == 1


def test_a_registration_never_verified_for_a_day_makes_room(client, app):
    stale = client.post(REGISTER, json=body()).json["user_id"]
    with app.app_context():
        db.session.execute(update(User).where(User.id == stale).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    age_codes(app, "+6281234567890", 25 * 3600)
    fresh = client.post(REGISTER, json=body(name="Ahmad Fauzi", nik=nik(serial=9)))
    assert fresh.status_code == 201, fresh.json
    with app.app_context():
        assert db.session.get(User, stale) is None
        assert db.session.get(User, fresh.json["user_id"]).name == "Ahmad Fauzi"


@pytest.mark.parametrize("extra", [
    {"roles": ["admin"]}, {"phone_verified_at": "2024-01-01T00:00:00Z"}, {"is_active": True},
    {"id": "00000000-0000-0000-0000-000000000000"}, {"opd_code": "DISKOMINFO"}, {"sex": "F"},
])
def test_mass_assignment_is_refused_and_nothing_is_created(client, app, extra):
    refused = client.post(REGISTER, json={**body(), **extra})
    assert refused.status_code == 422
    assert next(iter(extra)) in str(refused.json["error"]["details"])
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None
    assert sms_count(app, "+6281234567890") == 0


# -- the one-time code ------------------------------------------------------------------------

def test_five_wrong_codes_kill_the_code(client, app):
    client.post(REGISTER, json=body())
    code = texted_code(app, "+6281234567890")
    for left in (4, 3, 2, 1, 0):
        answer = client.post(VERIFY, json={"phone": "081234567890", "code": wrong(code)})
        assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_code"
        assert answer.json["error"]["details"]["attempts_left"] == left
    dead = client.post(VERIFY, json={"phone": "081234567890", "code": code})
    assert dead.status_code == 429 and dead.json["error"]["code"] == "too_many_attempts"
    with app.app_context():
        assert db.session.scalar(select(User.phone_verified_at)) is None


def test_an_expired_code_is_refused(client, app):
    client.post(REGISTER, json=body())
    code = texted_code(app, "+6281234567890")
    age_codes(app, "+6281234567890", 301)
    late = client.post(VERIFY, json={"phone": "081234567890", "code": code})
    assert late.status_code == 422 and late.json["error"]["code"] == "code_expired"


def test_a_code_works_once(client, app):
    client.post(REGISTER, json=body())
    code = texted_code(app, "+6281234567890")
    assert client.post(VERIFY, json={"phone": "081234567890", "code": code}).status_code == 200
    again = client.post(VERIFY, json={"phone": "081234567890", "code": code})
    assert again.status_code == 422 and again.json["error"]["code"] == "invalid_code"


def test_codes_are_stored_hashed(client, app):
    client.post(REGISTER, json=body())
    code = texted_code(app, "+6281234567890")
    with app.app_context():
        row = db.session.scalar(select(OneTimeCode))
        assert code not in row.code_hash and len(row.code_hash) == 64


def test_resend_is_throttled_and_a_new_code_retires_the_old(client, app):
    client.post(REGISTER, json=body())
    first = texted_code(app, "+6281234567890")

    too_soon = client.post(RESEND, json={"phone": "081234567890"})
    assert too_soon.status_code == 429 and too_soon.json["error"]["code"] == "otp_throttled"
    assert 1 <= int(too_soon.headers["Retry-After"]) <= 60
    assert sms_count(app, "+6281234567890") == 1

    age_codes(app, "+6281234567890", 61)
    resent = client.post(RESEND, json={"phone": "081234567890", "purpose": "verify_phone"})
    assert resent.status_code == 202 and resent.json["code_expires_in"] == 300
    second = texted_code(app, "+6281234567890")
    assert sms_count(app, "+6281234567890") == 2
    if second != first:  # one chance in a million that the new code repeats the old one
        old = client.post(VERIFY, json={"phone": "081234567890", "code": first})
        assert old.status_code == 422 and old.json["error"]["code"] == "invalid_code"
    assert client.post(VERIFY, json={"phone": "081234567890", "code": second}).status_code == 200


def test_at_most_five_codes_an_hour(client, app):
    client.post(REGISTER, json=body())
    for _ in range(4):
        age_codes(app, "+6281234567890", 61)
        assert client.post(RESEND, json={"phone": "081234567890"}).status_code == 202
    age_codes(app, "+6281234567890", 61)
    refused = client.post(RESEND, json={"phone": "081234567890"})
    assert refused.status_code == 429 and refused.json["error"]["code"] == "otp_throttled"
    assert int(refused.headers["Retry-After"]) > 60  # the hour, not the minute
    assert sms_count(app, "+6281234567890") == 5


def test_resend_answers_alike_for_unknown_and_verified_numbers(client, app, login_as):
    client.post(REGISTER, json=body())
    age_codes(app, "+6281234567890", 61)
    verified_phone = login_as("citizen")  # an active, verified account
    with app.app_context():
        verified = db.session.get(User, verified_phone["X-Test-User-Id"]).phone
    answers = {}
    for label, phone in (("pending", "081234567890"), ("unknown", "081311112222"), ("verified", verified)):
        first = client.post(RESEND, json={"phone": phone})
        second = client.post(RESEND, json={"phone": phone})
        answers[label] = (first.status_code, first.json, second.status_code, second.json["error"]["code"])
    assert answers["pending"] == answers["unknown"] == answers["verified"]
    assert answers["pending"][0] == 202 and answers["pending"][2] == 429
    assert sms_count(app, "+6281311112222") == 0 and sms_count(app, verified) == 0


def test_a_code_for_another_number_or_no_registration_is_refused(client, app):
    client.post(REGISTER, json=body())
    code = texted_code(app, "+6281234567890")
    for phone in ("081311112222", "081234567891"):
        refused = client.post(VERIFY, json={"phone": phone, "code": code})
        assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid_code"
    malformed = client.post(VERIFY, json={"phone": "081234567890", "code": "12 345"})
    assert malformed.status_code == 422
    assert client.post(VERIFY, json={"phone": "081234567890", "code": code}).status_code == 200


# -- logs -------------------------------------------------------------------------------------

class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, str]] = []

    def emit(self, record):
        self.lines.append((record.name, f"{record.getMessage()} {record.__dict__}"))


def test_neither_the_code_nor_the_nik_reaches_the_log(app, client):
    handler = _Lines()
    # Everything RAGEM logs ("ragem" does not propagate), and through the root logger every SQL
    # statement with its parameters (sqlalchemy.engine at INFO).
    watched = {logging.getLogger(): logging.DEBUG, logging.getLogger("ragem"): logging.DEBUG,
               logging.getLogger("sqlalchemy.engine"): logging.INFO}
    levels = {logger: logger.level for logger in watched}
    for logger, level in watched.items():
        logger.setLevel(level)
    logging.getLogger().addHandler(handler)
    logging.getLogger("ragem").addHandler(handler)
    try:
        assert client.post(REGISTER, json=body(nik=nik(serial=4321))).status_code == 201
        assert client.post(REGISTER, json=body(nik=nik(serial=4321), phone="081299990000")).status_code == 201
        code = texted_code(app, "+6281234567890")
        client.post(VERIFY, json={"phone": "081234567890", "code": wrong(code)})
        assert client.post(VERIFY, json={"phone": "081234567890", "code": code}).status_code == 200
        assert client.post(LOGIN, json={"identifier": nik(serial=4321), "password": PASSWORD}).status_code == 200
        age_codes(app, "+6281234567890", 61)
        assert client.post("/api/v1/auth/password/forgot", json={"identifier": nik(serial=4321)}).status_code == 202
        reset_code = texted_code(app, "+6281234567890")
    finally:
        for logger, level in levels.items():
            logger.removeHandler(handler)
            logger.setLevel(level)
    assert any(name.startswith("sqlalchemy") for name, _ in handler.lines), "no SQL logged: the test proves nothing"
    assert not [line for _, line in handler.lines if nik(serial=4321) in line]
    # The development outbox (ragem.delivery) shows the SMS on purpose; nothing else may. SQL lines
    # are left out of this check only because their timestamps' microseconds are six digits too.
    for secret in (code, reset_code):
        leaks = [line for name, line in handler.lines
                 if name != "ragem.delivery" and not name.startswith("sqlalchemy") and secret in line]
        assert not leaks
