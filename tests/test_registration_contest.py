"""Two registrations for one NIK or one phone: whoever verifies the phone first wins.

A registration waiting for its code blocks nobody (otherwise anyone could lock a stranger out of
RAGEM for a day by registering their NIK). Both wait, each with its own code; the first to verify
is activated, and the other is erased and refused with ``already_registered``.
"""
from __future__ import annotations

import os
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ragem.auth import accounts
from ragem.auth.models import OneTimeCode, User
from ragem.errors import Conflict
from ragem.extensions import db
from ragem.notifications.models import OutboxMessage
from ragem.timeutil import utcnow

REGISTER = "/api/v1/auth/register"
VERIFY = "/api/v1/auth/verify-phone"
LOGIN = "/api/v1/auth/login"
NIK = "3673011708850001"
OTHER_NIK = "3673011708850002"
PHONE, OTHER_PHONE = "+6281234567890", "+6281299998888"


def register(client, *, name: str, nik: str, phone: str, password: str) -> str:
    answer = client.post(REGISTER, json={"name": name, "nik": nik, "phone": phone, "password": password})
    assert answer.status_code == 201, answer.json
    return answer.json["user_id"]


def codes_to(app, phone: str) -> list[str]:
    """Every code texted to ``phone``, oldest first."""
    with app.app_context():
        bodies = [m.body for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == phone).order_by(OutboxMessage.id))]
    return [re.search(r"\b(\d{6})\b", b).group(1) for b in bodies]


def a_minute_later(app) -> None:
    """Age every code by a minute (the one-code-a-minute throttle per phone)."""
    with app.app_context():
        for row in db.session.scalars(select(OneTimeCode)):
            row.created_at -= timedelta(seconds=61)
        db.session.commit()


def verify(client, phone: str, code: str):
    return client.post(VERIFY, json={"phone": phone, "code": code}, headers={"Accept-Language": "en"})


def account_ids(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(User.id)))


@pytest.mark.parametrize("winner", ["first", "second"])
def test_the_same_nik_registered_twice_goes_to_whoever_verifies_first(client, app, winner):
    squatter = register(client, name="Penyerobot", nik=NIK, phone=OTHER_PHONE, password="Rahasia-Kuat-123")
    owner = register(client, name="Siti Rahmawati", nik=NIK, phone=PHONE, password="Kopi-Tubruk-88")
    ((first, first_phone, first_password), (second, second_phone, _)) = (
        ((squatter, OTHER_PHONE, "Rahasia-Kuat-123"), (owner, PHONE, "Kopi-Tubruk-88")) if winner == "first"
        else ((owner, PHONE, "Kopi-Tubruk-88"), (squatter, OTHER_PHONE, "Rahasia-Kuat-123")))

    second_code = codes_to(app, second_phone)[-1]
    assert verify(client, first_phone, codes_to(app, first_phone)[-1]).status_code == 200
    beaten = verify(client, second_phone, second_code)
    assert beaten.status_code == 409, beaten.json
    assert beaten.json["error"]["code"] == "already_registered"
    assert "verified this phone number or NIK first" in beaten.json["error"]["message"]
    assert account_ids(app) == {first}
    # The NIK logs the winner in; the loser's registration is gone, so its code is spent too.
    assert client.post(LOGIN, json={"identifier": NIK, "password": first_password}).status_code == 200
    assert verify(client, second_phone, second_code).status_code == 422


def test_a_second_registration_on_a_waiting_phone_texts_its_own_code_and_the_phone_owner_chooses(client, app):
    squatter = register(client, name="Penyerobot", nik=OTHER_NIK, phone=PHONE, password="Rahasia-Kuat-123")
    a_minute_later(app)  # one code a minute per phone, whichever registration asks
    owner = register(client, name="Siti Rahmawati", nik=NIK, phone=PHONE, password="Kopi-Tubruk-88")
    squatter_code, owner_code = codes_to(app, PHONE)
    assert squatter_code != owner_code
    # The squatter's code did not die when the owner's was sent: each registration has its own.
    # The owner types the code of the registration they made, and only that account is activated.
    answer = verify(client, PHONE, owner_code)
    assert answer.status_code == 200, answer.json
    assert account_ids(app) == {owner}
    with app.app_context():
        assert db.session.get(User, owner).is_verified
    assert client.post(LOGIN, json={"identifier": PHONE, "password": "Kopi-Tubruk-88"}).status_code == 200
    assert verify(client, PHONE, squatter_code).status_code == 422


def test_a_pending_registration_no_longer_blocks_a_verified_account_from_adding_its_nik(client, app, login_as):
    register(client, name="Penyerobot", nik=NIK, phone=OTHER_PHONE, password="Rahasia-Kuat-123")
    headers = login_as("citizen")
    added = client.patch("/api/v1/me", headers=headers, json={"nik": NIK})
    assert added.status_code == 200, added.json
    assert verify(client, OTHER_PHONE, codes_to(app, OTHER_PHONE)[-1]).status_code == 409


def test_a_verification_that_loses_the_race_is_refused_and_erased(client, app, monkeypatch):
    """Two verifications at once: both pass the look for a verified rival before either commits.
    The database's unique index over verified accounts lets one commit; the other is refused."""
    loser = register(client, name="Penyerobot", nik=NIK, phone=OTHER_PHONE, password="Rahasia-Kuat-123")
    winner = register(client, name="Siti Rahmawati", nik=NIK, phone=PHONE, password="Kopi-Tubruk-88")
    assert verify(client, PHONE, codes_to(app, PHONE)[-1]).status_code == 200
    # The loser's check ran before the winner committed: it saw no verified rival.
    monkeypatch.setattr(accounts, "_verified_rival", lambda user: None)
    late = verify(client, OTHER_PHONE, codes_to(app, OTHER_PHONE)[-1])
    assert late.status_code == 409 and late.json["error"]["code"] == "already_registered"
    assert account_ids(app) == {winner}


def test_the_database_holds_a_nik_or_phone_for_one_verified_account_only(app):
    """Whatever the code does, two verified accounts never share a phone or a NIK."""
    with app.app_context():
        for n, (phone, nik) in enumerate(((PHONE, NIK), (OTHER_PHONE, NIK))):
            db.session.add(User(id=f"00000000-0000-4000-8000-00000000000{n}", name=f"Warga {n}", phone=phone,
                                password_hash="x", **accounts.nik_columns(accounts.parse_nik(nik))))
        db.session.commit()  # both waiting: allowed
        db.session.execute(text("UPDATE user_account SET phone_verified_at = :now WHERE id LIKE '%0'"), {"now": utcnow()})
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE user_account SET phone_verified_at = :now WHERE id LIKE '%1'"), {"now": utcnow()})
            db.session.commit()
        db.session.rollback()


@pytest.mark.skipif("postgresql" not in os.environ.get("RAGEM_TEST_DATABASE_URL", ""),
                    reason="two writers at once need PostgreSQL (SQLite runs one writer at a time)")
def test_two_verifications_at_the_same_moment_leave_one_verified_account(client, app):
    """Two threads verify two registrations of one NIK together; however they interleave, one
    wins and the other is refused and erased."""
    first = register(client, name="Penyerobot", nik=NIK, phone=OTHER_PHONE, password="Rahasia-Kuat-123")
    second = register(client, name="Siti Rahmawati", nik=NIK, phone=PHONE, password="Kopi-Tubruk-88")
    codes = {OTHER_PHONE: codes_to(app, OTHER_PHONE)[-1], PHONE: codes_to(app, PHONE)[-1]}
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def verify_in_thread(phone: str) -> None:
        with app.app_context():
            start.wait()
            try:
                accounts.verify_phone(phone, codes[phone])
                outcomes[phone] = "verified"
            except Conflict as refused:
                outcomes[phone] = refused.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=verify_in_thread, args=(phone,)) for phone in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["already_registered", "verified"]
    winner = first if outcomes[OTHER_PHONE] == "verified" else second
    assert account_ids(app) == {winner}


def test_an_operator_made_account_beats_a_registration_waiting_on_its_phone(client, app):
    waiting = register(client, name="Penyerobot", nik=OTHER_NIK, phone=PHONE, password="Rahasia-Kuat-123")
    code = codes_to(app, PHONE)[-1]
    with app.app_context():
        made = accounts.create_user(name="Siti Rahmawati", phone=PHONE, password="Kopi-Tubruk-88", nik=NIK).id
        db.session.commit()
    refused = verify(client, PHONE, code)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "already_registered"
    assert account_ids(app) == {made}
    assert waiting not in account_ids(app)
