"""Consent and the access record: services read only what they declared, and every read shows.

A throwaway plugin declares the profile fields it reads (``ragem_profile_fields``) and reads them
through ``toolkit.read_profile``, as an OPD's service would; the citizen then reads
``GET /api/v1/me/access-log``.
"""
from __future__ import annotations

from datetime import date

import pytest
from marshmallow import fields
from sqlalchemy import func, select

from ragem import toolkit
from ragem.auth.models import User
from ragem.profile.models import ProfileAccess
from ragem.extensions import db
from ragem.testing import bearer, create_account
from ragem.toolkit import hookimpl

LOG = "/api/v1/me/access-log"
NIK = "3673014101900001"


class ReadSchema(toolkit.BaseSchema):
    profile = fields.Dict()


class ReaderPlugin:
    """A service that reads a few profile fields, for the citizen or for one of its officers."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug="reader", name={"id": "Layanan Pembaca", "en": "Reader service"},
            description={"id": "Uji.", "en": "Test."}, opd="DPUPR", version="1.0.0",
        )

    @hookimpl
    def ragem_profile_fields(self):
        return [
            toolkit.ProfileFieldUse("name", {"id": "menyapa warga", "en": "to greet the citizen"}),
            toolkit.ProfileFieldUse("phone", {"id": "menghubungi pelapor", "en": "to call the reporter"}),
            toolkit.ProfileFieldUse("kelurahan", {"id": "meneruskan ke kelurahan", "en": "to route to the kelurahan"}),
            toolkit.ProfileFieldUse("birth_date", {"id": "memeriksa usia", "en": "to check the age"}),
            toolkit.ProfileFieldUse("nik", {"id": "dinyatakan, tetapi tidak pernah boleh", "en": "declared, never allowed"}),
        ]

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("reader_api", __name__)

        @blp.route("/greeting")
        @toolkit.login_required
        @blp.response(200, ReadSchema)
        def greeting():
            user = toolkit.current_user()
            return {"profile": toolkit.read_profile("reader", user, ["name"], "sapaan di beranda")}

        @blp.route("/newsletter")
        @toolkit.login_required
        @blp.response(200, ReadSchema)
        def newsletter():
            user = toolkit.current_user()
            return {"profile": toolkit.read_profile("reader", user, ["name", "email"], "newsletter")}

        return [blp]


def account(app, role="citizen", **kwargs):
    user_id, _phone, _password = create_account(app, role, **kwargs)
    return user_id, bearer(app, user_id)


@pytest.fixture
def app(make_app):
    return make_app(extra_plugins=[("reader", ReaderPlugin())])


def records(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProfileAccess).where(ProfileAccess.user_id == user_id))


def test_a_read_through_the_toolkit_shows_in_the_citizens_access_log(app):
    client = app.test_client()
    user_id, headers = account(app)
    assert client.get(LOG, headers=headers).json == {"items": [], "next_cursor": None}

    read = client.get("/api/v1/reader/greeting", headers=headers)
    assert read.status_code == 200 and read.json["profile"]["name"].startswith("Test Citizen")

    page = client.get(LOG, headers=headers)
    assert page.status_code == 200
    [entry] = page.json["items"]
    assert entry["service"] == {"slug": "reader", "name": "Layanan Pembaca"}
    assert entry["fields"] == [{"field": "name", "purpose": "menyapa warga"}]
    assert entry["purpose"] == "sapaan di beranda"
    assert entry["officer"] is None
    assert entry["at"].endswith("Z")

    english = client.get(LOG, headers={**headers, "Accept-Language": "en"}).json["items"][0]
    assert english["service"]["name"] == "Reader service"
    assert english["fields"] == [{"field": "name", "purpose": "to greet the citizen"}]


def test_an_undeclared_read_is_refused_and_not_recorded(app):
    client = app.test_client()
    user_id, headers = account(app)

    refused = client.get("/api/v1/reader/newsletter", headers=headers)  # email was never declared
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "profile_field_not_declared"
    assert refused.json["error"]["details"] == {"service": "reader", "fields": ["email"]}
    assert client.get(LOG, headers=headers).json["items"] == []

    with app.app_context():
        user = db.session.get(User, user_id)
        for wanted in (["nik"], ["password_hash"], ["roles"], ["nik_ciphertext"]):  # declared or not: never
            with pytest.raises(PermissionError):
                toolkit.read_profile("reader", user, wanted, "should fail")
        with pytest.raises(PermissionError):
            toolkit.read_profile("nosuchservice", user, ["name"], "an unknown service")
        with pytest.raises(ValueError):
            toolkit.read_profile("reader", user, [], "no fields")
        with pytest.raises(ValueError):
            toolkit.read_profile("reader", user, ["name"], "  ")
    assert records(app, user_id) == 0


def test_the_new_profile_fields_are_readable_once_declared(app):
    client = app.test_client()
    user_id, headers = account(app)
    assert client.patch("/api/v1/me", headers=headers, json={"nik": NIK, "kelurahan": "36.73.01.1002"}).status_code == 200

    with app.app_context():
        user = db.session.get(User, user_id)
        values = toolkit.read_profile("reader", user, ["kelurahan", "birth_date", "phone"], "rute aduan 12")
        assert values == {"kelurahan": "36.73.01.1002", "birth_date": date(1990, 1, 1), "phone": user.phone}

    [entry] = client.get(LOG, headers=headers).json["items"]
    assert [f["field"] for f in entry["fields"]] == ["kelurahan", "birth_date", "phone"]
    assert entry["fields"][1]["purpose"] == "memeriksa usia"


def test_an_officers_read_names_only_the_opd(app):
    client = app.test_client()
    citizen_id, headers = account(app)
    officer_id, _ = account(app, "officer", opd="DPUPR")

    with app.app_context():
        citizen = db.session.get(User, citizen_id)
        officer = db.session.get(User, officer_id)
        officer_name, officer_phone = officer.name, officer.phone
        toolkit.read_profile("reader", citizen, "phone", "menelepon soal aduan 12", officer=officer)
        toolkit.read_profile("reader", citizen, ["name"], "surat balasan", officer=officer_id)  # an id works too

    page = client.get(LOG, headers=headers)
    for entry in page.json["items"]:
        assert entry["officer"] == {
            "opd": "DPUPR",
            "opd_name": "Dinas Pekerjaan Umum dan Penataan Ruang",
            "label": "Petugas Dinas Pekerjaan Umum dan Penataan Ruang",
        }
    text = page.get_data(as_text=True)
    for personal in (officer_id, officer_name, officer_phone):
        assert personal not in text
    english = client.get(LOG, headers={**headers, "Accept-Language": "en"}).json["items"][0]["officer"]
    assert english["opd_name"] == "Office of Public Works and Spatial Planning"
    assert english["label"] == "An officer of Office of Public Works and Spatial Planning"


def test_the_log_is_newest_first_in_pages_and_only_the_own(app):
    client = app.test_client()
    user_id, headers = account(app)
    other_id, other_headers = account(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        for n in range(3):
            toolkit.read_profile("reader", user, ["name"], f"baca {n}")

    first = client.get(f"{LOG}?limit=2", headers=headers).json
    assert [e["purpose"] for e in first["items"]] == ["baca 2", "baca 1"]
    second = client.get(f"{LOG}?limit=2&cursor={first['next_cursor']}", headers=headers).json
    assert [e["purpose"] for e in second["items"]] == ["baca 0"] and second["next_cursor"] is None

    # Another citizen's token shows another citizen's (empty) log, whatever the query says.
    assert client.get(f"{LOG}?user_id={user_id}", headers=other_headers).json["items"] == []
    bad = client.get(f"{LOG}?cursor=not-a-cursor", headers=headers)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_cursor"
    assert client.get(LOG).status_code == 401


def test_a_read_stays_recorded_when_the_service_rolls_back(app):
    user_id, _headers = account(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        toolkit.read_profile("reader", user, ["phone"], "lalu gagal")
        db.session.rollback()  # the service's own work failed; the disclosure still happened
    assert records(app, user_id) == 1


def test_a_read_kept_with_the_callers_work_commits_and_rolls_back_with_it(app):
    """``with_caller``: the record shares the caller's transaction, so it stands exactly when the
    values the caller kept do."""
    user_id, _headers = account(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        toolkit.read_profile("reader", user, ["phone"], "disimpan bersama", with_caller=True)
        db.session.rollback()  # nothing was kept: nothing was disclosed
    assert records(app, user_id) == 0
    with app.app_context():
        user = db.session.get(User, user_id)
        assert toolkit.read_profile("reader", user, ["name"], "disimpan bersama", with_caller=True) == {"name": user.name}
        assert toolkit.read_profile_by_id("reader", user_id, ["phone"], "lagi", with_caller=True) == {"phone": user.phone}
        db.session.commit()
    assert records(app, user_id) == 2


def test_a_read_after_the_service_wrote_is_recorded_with_its_change(app):
    user_id, _headers = account(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        user.address = "Jl. Ahmad Yani 5"  # the service changed something first, still uncommitted
        db.session.flush()
        assert toolkit.read_profile("reader", user, ["name"], "setelah menulis") == {"name": user.name}
        db.session.commit()
    assert records(app, user_id) == 1
    with app.app_context():
        assert db.session.get(User, user_id).address == "Jl. Ahmad Yani 5"


def test_a_plugin_holding_only_an_account_id_reads_the_profile_by_it(app):
    """``read_profile_by_id``: the same read and the same record, for a plugin that kept an id."""
    client = app.test_client()
    citizen_id, headers = account(app)
    officer_id, _ = account(app, "officer", opd="DPUPR")

    with app.app_context():
        phone = db.session.get(User, citizen_id).phone
        officer = db.session.get(User, officer_id)
        read = toolkit.read_profile_by_id("reader", citizen_id, ["name", "phone"], "menelepon soal aduan 7",
                                          officer=officer)
    assert read["name"].startswith("Test Citizen") and read["phone"] == phone

    [entry] = client.get(LOG, headers=headers).json["items"]
    assert [f["field"] for f in entry["fields"]] == ["name", "phone"]
    assert entry["purpose"] == "menelepon soal aduan 7"
    assert entry["officer"]["opd"] == "DPUPR"


def test_reading_by_an_id_no_account_has_answers_none_and_records_nothing(app):
    user_id, _headers = account(app)
    with app.app_context():
        for gone in ("00000000-0000-0000-0000-000000000000", None, ""):
            assert toolkit.read_profile_by_id("reader", gone, ["name"], "an erased reporter") is None
        # The fields are checked first: an undeclared one is refused whether the account exists or not.
        for anyone in (user_id, "00000000-0000-0000-0000-000000000000"):
            with pytest.raises(PermissionError):
                toolkit.read_profile_by_id("reader", anyone, ["email"], "never declared")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProfileAccess)) == 0
