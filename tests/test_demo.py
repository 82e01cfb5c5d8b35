"""Demo data: known log-ins for trying RAGEM out, loaded any number of times, never in production."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from ragem import toolkit
from ragem.demo import DEMO_PASSWORD, DemoRefused, demo_user, load_demo
from ragem.extensions import db


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


class DemoPlugin:
    """A throwaway service that adds its own demo data through the hook."""

    def __init__(self):
        self.calls = []

    @toolkit.hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug="demoplug", name={"id": "Demo", "en": "Demo"}, description={"id": "Uji", "en": "Test"},
            opd="DPUPR", version="1.0.0", icon="star",
        )

    @toolkit.hookimpl
    def ragem_demo_data(self, session):
        # The core's demo accounts exist before any plugin is asked for its data.
        officer = toolkit.demo_user("officer-DPUPR")
        self.calls.append((session is toolkit.db.session, officer.opd_code))
        citizen = toolkit.demo_user("citizen1")
        if not citizen.email:  # idempotent, as the hook's contract asks
            citizen.email = "siti.demo@example.org"


def test_demo_load_creates_known_logins_and_a_second_run_changes_nothing(make_app):
    plugin = DemoPlugin()
    app = make_app(extra_plugins=[("demoplug", plugin)])
    client = app.test_client()
    with app.app_context():
        first = load_demo()
        counts = _row_counts()
        second = load_demo()
        assert _row_counts() == counts
        active_opds = sorted(db.session.scalars(select(db.metadata.tables["opd"].c.code)))
    assert first == second
    assert plugin.calls == [(True, "DPUPR"), (True, "DPUPR")]

    by_key = {login["key"]: login for login in first}
    assert by_key["admin"]["role"] == "admin"
    assert [by_key[f"citizen{n}"]["role"] for n in (1, 2, 3)] == ["citizen"] * 3
    # One officer per active OPD, each belonging to it.
    officers = {k: v for k, v in by_key.items() if v["role"] == "officer"}
    assert active_opds and sorted(officers) == sorted(f"officer-{code}" for code in active_opds)
    assert all(login["opd"] == key.removeprefix("officer-") for key, login in officers.items())
    assert len({login["phone"] for login in first}) == len(first)
    assert all(login["phone"].startswith("+628110000") and login["password"] == DEMO_PASSWORD for login in first)

    # Every printed log-in works through the API and carries its role.
    for login in (by_key["admin"], by_key["citizen2"], by_key["officer-DPUPR"]):
        response = client.post("/api/v1/auth/login", json={"identifier": login["phone"], "password": DEMO_PASSWORD})
        assert response.status_code == 200, login
    admin = {"Authorization": "Bearer " + client.post(
        "/api/v1/auth/login", json={"identifier": by_key["admin"]["phone"], "password": DEMO_PASSWORD}
    ).json["access_token"]}
    assert client.get("/api/v1/admin/services", headers=admin).status_code == 200

    with app.app_context():
        assert demo_user("citizen1").email == "siti.demo@example.org"
        assert demo_user("officer-DPUPR").has_role("officer")
        assert demo_user("admin").phone == by_key["admin"]["phone"]
        with pytest.raises(LookupError):
            demo_user("officer-NOSUCHOPD")


def test_demo_officers_follow_the_plugins_when_the_opd_table_is_empty(make_app):
    app = make_app()
    with app.app_context():
        db.session.execute(db.metadata.tables["opd"].delete())
        registry = app.extensions["ragem.plugins"]
        owners = {record.info.opd for record in registry.services()}
        logins = load_demo()
    assert {login["opd"] for login in logins if login["role"] == "officer"} == owners


def test_a_failing_demo_hook_leaves_nothing_behind(make_app):
    class Broken:
        @toolkit.hookimpl
        def ragem_plugin_info(self):
            return toolkit.PluginInfo(
                slug="brokendemo", name={"id": "Rusak", "en": "Broken"}, description={"id": "x", "en": "x"},
                opd="DLH", version="1.0.0", icon="x",
            )

        @toolkit.hookimpl
        def ragem_demo_data(self, session):
            raise RuntimeError("sample file missing")

    app = make_app(extra_plugins=[("brokendemo", Broken())])
    with app.app_context():
        counts = _row_counts()
        with pytest.raises(RuntimeError, match="sample file missing"):
            load_demo()
        assert _row_counts() == counts


def test_demo_data_is_refused_in_production(make_app):
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    app = make_app(ENV="production", SECRET_KEY="p" * 40, DATA_KEY="d" * 44, JWT_PRIVATE_KEY=pem,
                   SSO_ISSUER="https://ragem.example.id",
                   PASSWORD_HASHING="rfc9106-low-memory",  # production refuses the test profile
                   MESSAGES_WITHOUT_CODES=True)  # and starts without a message gateway only when told
    with app.app_context():
        counts = _row_counts()
        with pytest.raises(DemoRefused, match="RAGEM_ENV=production"):
            load_demo()
        assert _row_counts() == counts


def test_demo_citizens_log_in_and_have_a_complete_profile(make_app):
    app = make_app()
    with app.app_context():
        load_demo()
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"identifier": "081100000011", "password": DEMO_PASSWORD})
    assert login.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {login.json['access_token']}"}).json
    assert me["name"] == "Siti Nurhasanah"
    assert me["nik"] == "************0001"
    assert me["sex"] == "F" and me["birth_date"] == "1990-03-12"
    assert me["kelurahan"]["code"] == "36.73.01.1012"
