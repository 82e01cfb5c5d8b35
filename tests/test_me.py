"""The citizen's own profile: GET/PATCH /api/v1/me and the phone change.

What a citizen (or an attacker holding a citizen's token) observes: the NIK only ever masked,
fields they may not set refused by name with nothing changed, values other accounts use refused
without saying whose, and no way to reach another account's profile.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ragem import toolkit
from ragem.auth.models import User
from ragem.extensions import db
from ragem.notifications.models import OutboxMessage
from ragem.testing import bearer, create_account
from ragem.toolkit import hookimpl

ME = "/api/v1/me"
NIK_A = "3673014101900001"  # a woman born 1 January 1990 (day + 40)
NIK_B = "3673010202850002"  # a man born 2 February 1985
KELURAHAN = "36.73.01.1002"  # Cipare, in kecamatan Serang


def account(app, role="citizen"):
    """``(user_id, headers)`` of a fresh account in ``app``."""
    user_id, _phone, _password = create_account(app, role)
    return user_id, bearer(app, user_id)


def stored(app, user_id) -> dict:
    """The account's columns as stored (to prove what a refused request did not change)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        return {c.name: getattr(user, c.key) for c in User.__table__.columns} | {"roles": user.roles}


class EventWatcher:
    """A service that listens to account events, as an OPD's plugin would."""

    def __init__(self):
        self.events = []

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug="watcher", name={"id": "Pengamat", "en": "Watcher"}, description={"id": "Uji.", "en": "Test."},
            opd="DISKOMINFO", version="1.0.0",
        )

    @hookimpl
    def ragem_user_event(self, event):
        self.events.append(event)


# --- reading -----------------------------------------------------------------------------------

def test_me_shows_the_own_account_with_the_nik_masked(make_app):
    app = make_app()
    client = app.test_client()
    user_id, headers = account(app)
    assert client.patch(ME, json={"nik": NIK_A}, headers=headers).status_code == 200

    response = client.get(ME, headers=headers)
    assert response.status_code == 200
    me = response.json
    assert me["id"] == user_id
    assert me["nik"] == "************0001"
    assert (me["birth_date"], me["sex"]) == ("1990-01-01", "F")  # derived from the NIK
    assert me["roles"] == ["citizen"] and me["opd"] is None
    assert me["phone_verified"] is True
    assert me["kelurahan"] is None and me["address"] is None
    assert me["preferred_language"] == "id"
    assert me["created_at"].endswith("Z")
    assert NIK_A not in response.get_data(as_text=True)
    with app.app_context():  # stored encrypted, never in clear
        user = db.session.get(User, user_id)
        assert NIK_A not in (user.nik_ciphertext or "") and user.nik_hash != NIK_A


def test_an_officer_sees_the_opd(make_app):
    app = make_app()
    user_id, _phone, _password = create_account(app, "officer", opd="DPUPR")
    me = app.test_client().get(ME, headers=bearer(app, user_id)).json
    assert me["roles"] == ["officer"]
    assert me["opd"] == {"code": "DPUPR", "name": "Dinas Pekerjaan Umum dan Penataan Ruang"}


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_me_needs_a_log_in(make_app, method):
    response = getattr(make_app().test_client(), method)(ME, json={} if method == "patch" else None)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


# --- correcting -------------------------------------------------------------------------------

def test_patch_changes_the_editable_fields_and_tells_services_which_changed(make_app):
    watcher = EventWatcher()
    app = make_app(extra_plugins=[("watcher", watcher)])
    client = app.test_client()
    user_id, headers = account(app)

    response = client.patch(ME, headers=headers, json={
        "name": "  Siti Rahmawati ", "kelurahan": KELURAHAN,
        "address": "Jl. Veteran No. 1", "preferred_language": "en",
    })
    assert response.status_code == 200
    me = response.json
    assert me["name"] == "Siti Rahmawati"
    assert me["kelurahan"] == {
        "code": KELURAHAN, "name": "Cipare", "kecamatan": {"code": "36.73.01", "name": "Serang"},
    }
    assert me["address"] == "Jl. Veteran No. 1" and me["preferred_language"] == "en"
    assert client.get(ME, headers=headers).json == me

    [event] = watcher.events
    assert (event.name, event.user_id) == ("updated", user_id)
    # Names only: a service that needs a value reads it through read_profile (and is recorded).
    assert dict(event.data) == {"fields": ["address", "kelurahan", "name", "preferred_language"]}

    # The same values again change nothing and tell nobody; null clears what may be cleared.
    assert client.patch(ME, headers=headers, json={"name": "Siti Rahmawati", "kelurahan": KELURAHAN}).status_code == 200
    assert len(watcher.events) == 1
    cleared = client.patch(ME, headers=headers, json={"kelurahan": None, "address": None}).json
    assert (cleared["kelurahan"], cleared["address"]) == (None, None)
    assert dict(watcher.events[-1].data) == {"fields": ["address", "kelurahan"]}


@pytest.mark.parametrize("body, refused", [
    ({"roles": ["admin"]}, "roles"),
    ({"phone_verified_at": "2026-01-01T00:00:00Z"}, "phone_verified_at"),
    ({"phone_verified": True}, "phone_verified"),
    ({"opd": "DPUPR"}, "opd"),
    ({"opd_code": "DPUPR"}, "opd_code"),
    ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"phone": "+6281299999999"}, "phone"),
    ({"email": "siti@example.id"}, "email"),
    ({"email_verified": True}, "email_verified"),
    ({"status": "active"}, "status"),
    ({"is_active": False}, "is_active"),
    ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ({"birth_date": "2000-01-01"}, "birth_date"),
    ({"password_hash": "x"}, "password_hash"),
    ({"favourite_colour": "green"}, "favourite_colour"),
])
def test_fields_the_citizen_may_not_set_are_refused_by_name_and_nothing_changes(make_app, body, refused):
    app = make_app()
    client = app.test_client()
    user_id, headers = account(app)
    before = stored(app, user_id)

    # Sent beside a legitimate change: that one is not applied either.
    response = client.patch(ME, headers=headers, json={"name": "Nama Baru", **body})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "field_not_editable"
    assert list(error["details"]["fields"]) == [refused]
    assert error["message"] == "Sebagian data tidak dapat diubah di sini; tidak ada yang diubah."
    assert stored(app, user_id) == before


def test_refusals_speak_english_on_request(make_app):
    app = make_app()
    user_id, headers = account(app)
    response = app.test_client().patch(ME, headers={**headers, "Accept-Language": "en"}, json={"roles": ["admin"]})
    assert response.json["error"]["message"] == "Some fields cannot be changed here; nothing was changed."
    assert response.json["error"]["details"]["fields"] == {"roles": "granted by an administrator"}


def test_the_nik_is_given_once_and_then_locked(make_app):
    app = make_app()
    client = app.test_client()
    user_id, headers = account(app)

    invalid = client.patch(ME, headers=headers, json={"nik": "1234567890123456"})
    assert invalid.status_code == 422 and invalid.json["error"]["code"] == "invalid_nik"
    assert stored(app, user_id)["nik_hash"] is None

    first = client.patch(ME, headers=headers, json={"nik": NIK_B})
    assert first.status_code == 200
    assert (first.json["nik"], first.json["birth_date"], first.json["sex"]) == ("************0002", "1985-02-02", "M")
    before = stored(app, user_id)

    for attempt in (NIK_A, NIK_B):  # another NIK, and even the same one: the NIK is fixed now
        locked = client.patch(ME, headers={**headers, "Accept-Language": "en"}, json={"nik": attempt, "name": "X"})
        assert locked.status_code == 422
        assert locked.json["error"]["code"] == "nik_locked"
        assert "cannot be changed" in locked.json["error"]["message"]
        assert stored(app, user_id) == before


def test_a_nik_of_another_account_is_refused_without_saying_whose(make_app):
    app = make_app()
    client = app.test_client()
    owner_id, owner_headers = account(app)
    other_id, headers = account(app)
    assert client.patch(ME, headers=owner_headers, json={"nik": NIK_A}).status_code == 200
    owner = client.get(ME, headers=owner_headers).json
    before = stored(app, other_id)

    for body in ({"nik": NIK_A},):
        response = client.patch(ME, headers=headers, json=body)
        assert response.status_code == 409
        assert response.json["error"]["code"] == "already_registered"
        text = response.get_data(as_text=True)
        for secret in (owner_id, owner["name"], owner["phone"], "0001"):
            assert secret not in text
        assert stored(app, other_id) == before


@pytest.mark.parametrize("code", ["36.73.01", "36.73", "36.73.01.9999", "31.71.01.1001", "", 3673011002, ["36.73.01.1002"]])
def test_the_kelurahan_must_be_one_of_kota_serangs(make_app, code):
    app = make_app()
    user_id, headers = account(app)
    before = stored(app, user_id)
    response = app.test_client().patch(ME, headers=headers, json={"kelurahan": code})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert stored(app, user_id) == before


@pytest.mark.parametrize("body", [
    {"email": "not-an-email"}, {"name": "   "}, {"name": ""}, {"name": "x" * 121},
    {"preferred_language": "jv"}, {"address": "a" * 501}, {"nik": 3673014101900001}, {"name": None},
])
def test_bad_values_are_refused_and_change_nothing(make_app, body):
    app = make_app()
    user_id, headers = account(app)
    before = stored(app, user_id)
    response = app.test_client().patch(ME, headers=headers, json=body)
    assert response.status_code == 422
    assert stored(app, user_id) == before


def test_a_token_only_ever_reaches_its_own_account(make_app):
    app = make_app()
    client = app.test_client()
    a_id, a_headers = account(app)
    b_id, b_headers = account(app)
    b_before = stored(app, b_id)

    # Nothing in the request can point at another account: no id in the URL, ids in the body are
    # refused, query strings and extra headers are ignored.
    assert client.get(f"{ME}?user_id={b_id}&id={b_id}", headers={**a_headers, "X-User-Id": b_id}).json["id"] == a_id
    refused = client.patch(ME, headers=a_headers, json={"id": b_id, "name": "Dibajak"})
    assert refused.status_code == 422
    assert client.get(f"/api/v1/me/{b_id}", headers=a_headers).status_code in (404, 405)
    assert client.patch(f"{ME}?id={b_id}", headers=a_headers, json={"name": "Hanya A"}).json["id"] == a_id
    assert stored(app, b_id) == b_before
    assert client.get(ME, headers=b_headers).json["name"] == b_before["name"]


# --- changing the phone -----------------------------------------------------------------------

def sent_code(app, phone: str) -> str:
    """The newest one-time code texted to ``phone`` (the development outbox keeps the body)."""
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.recipient == phone, OutboxMessage.purpose == "otp.change_phone")
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert body, f"no code was sent to {phone}"
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_the_phone_changes_only_with_the_code_sent_to_the_new_number(make_app):
    watcher = EventWatcher()
    app = make_app(extra_plugins=[("watcher", watcher)])
    client = app.test_client()
    user_id, old_phone, password = create_account(app)
    headers = bearer(app, user_id)

    started = client.post(f"{ME}/phone", headers=headers, json={"phone": "0812 7777 0001", "password": password})
    assert started.status_code == 202
    assert started.json["phone"] == "+6281277770001" and started.json["expires_at"].endswith("Z")
    code = sent_code(app, "+6281277770001")
    assert client.get(ME, headers=headers).json["phone"] == old_phone  # nothing switched yet

    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(f"{ME}/phone/verify", headers=headers, json={"phone": "+6281277770001", "code": wrong})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid_code"
    assert client.get(ME, headers=headers).json["phone"] == old_phone

    done = client.post(f"{ME}/phone/verify", headers=headers, json={"phone": "081277770001", "code": code})
    assert done.status_code == 200
    assert done.json["phone"] == "+6281277770001" and done.json["phone_verified"] is True
    assert client.get(ME, headers=headers).json["phone"] == "+6281277770001"
    assert [(e.name, dict(e.data)) for e in watcher.events] == [("updated", {"fields": ["phone"]})]

    # The code is spent, and the old number was told (a stolen session cannot switch quietly).
    again = client.post(f"{ME}/phone/verify", headers=headers, json={"phone": "+6281277770001", "code": code})
    assert again.status_code == 422
    with app.app_context():
        warned = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == old_phone)).all()
    assert [m.purpose for m in warned] == ["phone_changed"]


def test_a_phone_of_another_account_or_the_own_one_is_refused(make_app):
    app = make_app()
    client = app.test_client()
    _owner_id, owner_phone, _password = create_account(app)
    user_id, own_phone, password = create_account(app)
    headers = bearer(app, user_id)

    taken = client.post(f"{ME}/phone", headers=headers, json={"phone": owner_phone, "password": password})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "already_registered"
    assert owner_phone not in taken.get_data(as_text=True)
    same = client.post(f"{ME}/phone", headers=headers, json={"phone": own_phone, "password": password})
    assert same.status_code == 422 and same.json["error"]["code"] == "same_phone"
    bad = client.post(f"{ME}/phone", headers=headers, json={"phone": "telepon saya", "password": password})
    assert bad.status_code == 422
    with app.app_context():  # no code went anywhere
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_code_sent_for_another_account_does_not_switch_this_one(make_app):
    app = make_app()
    client = app.test_client()
    a_id, a_phone, a_password = create_account(app)
    b_id, b_phone, _password = create_account(app)
    a_headers, b_headers = bearer(app, a_id), bearer(app, b_id)

    started = client.post(f"{ME}/phone", headers=a_headers, json={"phone": "+6281277770002", "password": a_password})
    assert started.status_code == 202
    code = sent_code(app, "+6281277770002")
    # B learns A's code (e.g. B owns the new number) and tries to move B's own account onto it.
    stolen = client.post(f"{ME}/phone/verify", headers=b_headers, json={"phone": "+6281277770002", "code": code})
    assert stolen.status_code == 422 and stolen.json["error"]["code"] == "invalid_code"
    assert client.get(ME, headers=b_headers).json["phone"] == b_phone
    assert client.get(ME, headers=a_headers).json["phone"] == a_phone
