"""Admins find accounts and grant or revoke roles; audited, effective at once; ``ragem users create``."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from ragem.audit.models import AuditEntry
from ragem.auth.models import User
from ragem.auth.accounts import create_user
from ragem.extensions import db
from ragem.opds.models import Opd

USERS = "/api/v1/admin/users"


def uid(headers) -> str:
    return headers["X-Test-User-Id"]


def roles_url(user_id, role=None, reason="uji coba peran"):
    return f"{USERS}/{user_id}/roles" + (f"/{role}?reason={reason}" if role else "")


def audit_entries(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


# -- the account list -------------------------------------------------------------------------

def test_admins_list_and_find_accounts_with_the_nik_masked(client, app, login_as):
    admin = login_as("admin")
    with app.app_context():
        budi = create_user(name="Budi Santoso", phone="081200000111", password="x", nik="3673011708850001")
        create_user(name="Ani Wijaya", phone="081200000222", password="x", roles=("officer",), opd_code="DLH")
        db.session.commit()
        budi_id = budi.id

    everyone = client.get(USERS, headers=admin)
    assert everyone.status_code == 200 and len(everyone.json["items"]) == 3
    text = everyone.get_data(as_text=True)
    assert "3673011708850001" not in text and "password_hash" not in text and "argon2" not in text
    listed = {item["name"]: item for item in everyone.json["items"]}
    assert listed["Budi Santoso"]["nik"] == "************0001" and listed["Budi Santoso"]["verified"] is True
    assert listed["Ani Wijaya"]["roles"] == ["officer"] and listed["Ani Wijaya"]["opd"] == "DLH"

    by_name = client.get(f"{USERS}?q=santo", headers=admin).json["items"]
    assert [u["id"] for u in by_name] == [budi_id]
    by_phone = client.post(f"{USERS}/search", json={"q": "0812-0000-0111"}, headers=admin).json["items"]
    assert [u["id"] for u in by_phone] == [budi_id]
    assert client.get(f"{USERS}?q=0000", headers=admin).json["items"] == []  # phones match whole only
    officers = client.get(f"{USERS}?role=officer", headers=admin).json["items"]
    assert [u["name"] for u in officers] == ["Ani Wijaya"]

    page = client.get(f"{USERS}?limit=2", headers=admin).json
    rest = client.get(f"{USERS}?limit=2&cursor={page['next_cursor']}", headers=admin).json
    assert len(page["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {u["id"] for u in page["items"] + rest["items"]} == {u["id"] for u in everyone.json["items"]}

    one = client.get(f"{USERS}/{budi_id}", headers=admin)
    assert one.status_code == 200 and one.json["nik"] == "************0001"
    assert client.get(f"{USERS}/00000000-0000-0000-0000-000000000000", headers=admin).status_code == 404
    assert client.get(f"{USERS}?role=superuser", headers=admin).status_code == 422


def test_only_admins_see_accounts(client, login_as):
    for role in ("citizen", "officer"):
        headers = login_as(role)
        assert client.get(USERS, headers=headers).status_code == 403
        assert client.post(roles_url(uid(headers)), json={"role": "admin", "reason": "naik sendiri"},
                           headers=headers).status_code == 403
    assert client.get(USERS).status_code == 401


# -- granting and revoking --------------------------------------------------------------------

def test_a_granted_role_works_at_once_and_a_revoked_one_stops_at_once(client, app, login_as):
    admin, citizen = login_as("admin"), login_as("citizen")
    assert client.get(USERS, headers=citizen).status_code == 403

    granted = client.post(roles_url(uid(citizen)), json={"role": "admin", "reason": "admin pengganti"}, headers=admin)
    assert granted.status_code == 200 and granted.json["roles"] == ["admin", "citizen"]
    # The same access token (its roles claim still says citizen): roles come from the database.
    assert client.get(USERS, headers=citizen).status_code == 200

    revoked = client.delete(roles_url(uid(citizen), "admin", reason="masa tugas selesai"), headers=admin)
    assert revoked.status_code == 200 and revoked.json["roles"] == ["citizen"]
    assert client.get(USERS, headers=citizen).status_code == 403

    grant, = audit_entries(app, "role.grant")
    assert grant.actor_id == uid(admin) and grant.target_id == uid(citizen) and grant.reason == "admin pengganti"
    assert grant.before == {"roles": ["citizen"], "opd": None}
    assert grant.after == {"roles": ["admin", "citizen"], "opd": None}
    revoke, = audit_entries(app, "role.revoke")
    assert revoke.before == grant.after and revoke.after == grant.before and revoke.reason == "masa tugas selesai"


def test_an_officer_needs_an_active_opd(client, app, login_as):
    admin, citizen = login_as("admin"), login_as("citizen")
    with app.app_context():
        db.session.execute(update(Opd).where(Opd.code == "BAPPEDA").values(active=False))
        db.session.commit()
    for body, code in (
        ({"role": "officer", "reason": "tanpa opd"}, "validation_error"),
        ({"role": "officer", "opd": "NGASAL", "reason": "opd tidak ada"}, "unknown_opd"),
        ({"role": "officer", "opd": "BAPPEDA", "reason": "opd nonaktif"}, "unknown_opd"),
        ({"role": "admin", "opd": "DLH", "reason": "opd untuk admin"}, "validation_error"),
        ({"role": "superuser", "reason": "peran tidak ada"}, "validation_error"),
        ({"role": "officer", "opd": "DLH"}, "validation_error"),  # no reason
    ):
        refused = client.post(roles_url(uid(citizen)), json=body, headers=admin)
        assert refused.status_code == 422 and refused.json["error"]["code"] == code, body
    assert audit_entries(app, "role.grant") == []

    officer = client.post(roles_url(uid(citizen)), json={"role": "officer", "opd": "DLH", "reason": "petugas DLH"},
                          headers=admin)
    assert officer.status_code == 200 and officer.json["opd"] == "DLH"
    assert client.post(roles_url(uid(citizen)), json={"role": "officer", "opd": "DLH", "reason": "lagi"},
                       headers=admin).status_code == 200
    moved = client.post(roles_url(uid(citizen)), json={"role": "officer", "opd": "DPUPR", "reason": "mutasi"},
                        headers=admin)
    assert moved.json["opd"] == "DPUPR"
    assert [e.after["opd"] for e in audit_entries(app, "role.grant")] == ["DLH", "DPUPR"]  # the repeat left none

    gone = client.delete(roles_url(uid(citizen), "officer", reason="pensiun"), headers=admin)
    assert gone.json["roles"] == ["citizen"] and gone.json["opd"] is None


def test_the_last_admin_cannot_be_demoted(client, app, login_as):
    first = login_as("admin")
    alone = client.delete(roles_url(uid(first), "admin", reason="turun sendiri"), headers=first)
    assert alone.status_code == 409 and alone.json["error"]["code"] == "last_admin"

    second = login_as("admin")
    with app.app_context():  # an admin account that is switched off does not count
        db.session.execute(update(User).where(User.id == uid(second)).values(is_active=False))
        db.session.commit()
    assert client.delete(roles_url(uid(first), "admin", reason="turun"), headers=first).status_code == 409

    with app.app_context():
        db.session.execute(update(User).where(User.id == uid(second)).values(is_active=True))
        db.session.commit()
    # With another admin active, an admin may step down; an admin-only account becomes a citizen.
    stepped = client.delete(roles_url(uid(first), "admin", reason="serah terima"), headers=first)
    assert stepped.status_code == 200 and stepped.json["roles"] == ["citizen"]
    assert client.get(USERS, headers=first).status_code == 403
    last = client.delete(roles_url(uid(second), "admin", reason="iseng"), headers=second)
    assert last.status_code == 409 and last.json["error"]["code"] == "last_admin"


def test_revoking_needs_a_reason_and_keeps_one_role(client, app, login_as):
    admin, citizen = login_as("admin"), login_as("citizen")
    assert client.delete(f"{USERS}/{uid(citizen)}/roles/citizen", headers=admin).status_code == 422
    only = client.delete(roles_url(uid(citizen), "citizen"), headers=admin)
    assert only.status_code == 409 and only.json["error"]["code"] == "last_role"
    not_held = client.delete(roles_url(uid(citizen), "officer"), headers=admin)
    assert not_held.status_code == 200 and not_held.json["roles"] == ["citizen"]
    assert client.delete(roles_url("00000000-0000-0000-0000-000000000000", "citizen"), headers=admin).status_code == 404
    assert audit_entries(app, "role.revoke") == []


# -- ragem users create -----------------------------------------------------------------------

@pytest.fixture
def cli(app, monkeypatch):
    """Run ``ragem ...`` against the test app."""
    from ragem.cli import main

    main.list_commands(None)  # import every command module before pointing build_app at the test app
    monkeypatch.setattr("ragem.cli.build_app", lambda read_only=False: app)
    return lambda *args: CliRunner().invoke(main, list(args))


def test_cli_creates_verified_accounts_that_can_log_in(cli, app, client):
    made = cli("users", "create", "--name", "Petugas Dishub", "--phone", "0812 4444 5555", "--password",
               "Lampu-Merah-44", "--role", "officer", "--opd", "DISHUB", "--nik", "3673011708850001")
    assert made.exit_code == 0, made.output
    assert "+6281244445555" in made.output and "************0001" in made.output
    assert "3673011708850001" not in made.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "+6281244445555"))
        assert user.roles == ["officer"] and user.opd_code == "DISHUB" and user.is_verified
        assert user.birth_date.isoformat() == "1985-08-17" and user.nik_masked.endswith("0001")
    logged_in = client.post("/api/v1/auth/login", json={"identifier": "3673011708850001", "password": "Lampu-Merah-44"})
    assert logged_in.status_code == 200


@pytest.mark.parametrize("args, says", [
    (["--phone", "+1 202 555 0100"], "invalid_phone"),
    (["--nik", "9971011708850001"], "invalid_nik"),
    (["--password", "bismillah"], "weak_password"),
    (["--password", "Sari-Dewi-Kusuma"], "contains_name"),
    (["--role", "officer"], "--opd"),
    (["--role", "officer", "--opd", "NGASAL"], "NGASAL"),
    (["--opd", "DLH"], "only for officers"),
])
def test_cli_explains_what_is_wrong(cli, app, args, says):
    base = {"--name": "Sari Dewi", "--phone": "081266667777", "--password": "Gunung-Karang-1", "--role": "citizen"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = cli("users", "create", *[part for pair in base.items() for part in pair])
    assert result.exit_code != 0 and says in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_cli_refuses_a_taken_phone_without_naming_the_holder(cli, login_as):
    login_as("citizen")
    first = cli("users", "create", "--name", "Sari Dewi", "--phone", "081266667777", "--password", "Gunung-Karang-1")
    assert first.exit_code == 0
    again = cli("users", "create", "--name", "Joko", "--phone", "+6281266667777", "--password", "Gunung-Karang-1")
    assert again.exit_code != 0 and "already_registered" in again.output and "Sari" not in again.output
