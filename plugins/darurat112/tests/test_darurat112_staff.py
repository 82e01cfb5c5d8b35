"""Supervisors and telephony systems are accounts an admin grants a 112 permission to; every role
against every block-list and grant route, cell by cell."""
import pytest

from ragem.testing import audit_entries

from plugins.darurat112.models import StaffGrant

from .conftest import BASE

GRANTS = f"{BASE}/staff-grants"
NUMBER = f"{BASE}/blocked-numbers/0812-3456-7890"


def grant(client, admin, account_headers, permission, reason="Kepala regu jaga malam"):
    answer = client.post(GRANTS, json={"account_id": account_headers["X-Test-User-Id"], "permission": permission,
                                       "reason": reason}, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.fixture
def people(client, login_as):
    """Every kind of caller of these routes, by name: headers (``None`` for no log-in)."""
    admin = login_as("admin")
    who = {"anonymous": None, "citizen": login_as("citizen"), "call_taker": login_as("officer", opd="DISKOMINFO"),
           "agency": login_as("officer", opd="DAMKAR"), "supervisor": login_as("officer", opd="DISKOMINFO"),
           "telephony": login_as("officer", opd="DISKOMINFO"), "revoked": login_as("officer", opd="DISKOMINFO"),
           "admin": admin}
    grant(client, admin, who["supervisor"], "darurat112.supervise")
    grant(client, admin, who["telephony"], "darurat112.telephony", "Sistem PABX 112")
    revoked = grant(client, admin, who["revoked"], "darurat112.supervise")
    assert client.post(f"{GRANTS}/{revoked['id']}/revoke", json={"reason": "Pindah tugas"},
                       headers=admin).status_code == 200
    return who


# (method, url, body, the callers that get through); everyone else gets 401 (no log-in) or 403.
MATRIX = [
    ("get", NUMBER, None, {"supervisor", "telephony", "admin"}),
    ("get", f"{BASE}/blocks", None, {"supervisor", "admin"}),
    ("post", f"{BASE}/blocks/999/lift", {"reason": "x"}, {"supervisor", "admin"}),  # 404: no such block
    ("get", GRANTS, None, {"admin"}),
    ("post", GRANTS, {"account_id": "nobody", "permission": "darurat112.supervise", "reason": "x"}, {"admin"}),
    ("post", f"{GRANTS}/999/revoke", {"reason": "x"}, {"admin"}),
]
ALLOWED_STATUS = {"get": (200,), "post": (404,)}


@pytest.mark.parametrize("route", list(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("who", ["anonymous", "citizen", "call_taker", "agency", "supervisor", "telephony", "revoked",
                                 "admin"])
def test_each_cell_of_the_block_list_and_grant_matrix(client, people, route, who):
    method, url, body, allowed = route
    headers = people[who]
    kwargs = {"headers": headers or {}}
    if body is not None:
        kwargs["json"] = body
    answer = getattr(client, method)(url, **kwargs)
    if who in allowed:
        assert answer.status_code in ALLOWED_STATUS[method], (who, answer.get_json())
    else:
        assert answer.status_code == (401 if headers is None else 403), (who, answer.get_json())
        assert answer.get_json()["error"]["code"]


def test_a_grant_is_audited_listed_and_revoked_and_the_right_goes_with_it(client, login_as, db_session):
    admin, officer = login_as("admin"), login_as("officer", opd="DISKOMINFO")
    assert client.get(f"{BASE}/blocks", headers=officer).status_code == 403
    made = grant(client, admin, officer, "darurat112.supervise")
    assert made["active"] is True and made["granted_by"] == admin["X-Test-User-Id"]
    assert client.get(f"{BASE}/blocks", headers=officer).status_code == 200
    [entry] = audit_entries(action="darurat112.staff.grant")
    assert entry.actor_id == admin["X-Test-User-Id"] and entry.reason == "Kepala regu jaga malam"
    listed = client.get(GRANTS, headers=admin).get_json()["items"]
    assert [g["account_id"] for g in listed] == [officer["X-Test-User-Id"]]

    twice = client.post(GRANTS, json={"account_id": officer["X-Test-User-Id"], "permission": "darurat112.supervise",
                                      "reason": "lagi"}, headers=admin)
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_granted"

    revoked = client.post(f"{GRANTS}/{made['id']}/revoke", json={"reason": "Pindah tugas"}, headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["active"] is False
    assert client.get(f"{BASE}/blocks", headers=officer).status_code == 403
    assert client.get(GRANTS, headers=admin).get_json()["items"] == []
    assert len(client.get(f"{GRANTS}?active=false", headers=admin).get_json()["items"]) == 1
    again = client.post(f"{GRANTS}/{made['id']}/revoke", json={"reason": "lagi"}, headers=admin)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "grant_revoked"
    [entry] = audit_entries(action="darurat112.staff.revoke")
    assert entry.reason == "Pindah tugas"


def test_the_telephony_grant_reads_a_number_and_nothing_else(client, login_as):
    admin, system = login_as("admin"), login_as("citizen")  # a system account needs no officer role
    grant(client, admin, system, "darurat112.telephony", "Sistem PABX 112")
    assert client.get(NUMBER, headers=system).status_code == 200
    assert client.get(f"{BASE}/blocks", headers=system).status_code == 403
    assert client.get(f"{BASE}/queue", headers=system).status_code == 403


@pytest.mark.parametrize("body", [
    {"account_id": "no-such-account", "permission": "darurat112.supervise", "reason": "x"},
    {"account_id": "{me}", "permission": "darurat112.command", "reason": "x"},
    {"account_id": "{me}", "permission": "darurat112.supervise", "reason": "   "},
    {"account_id": "{me}", "permission": "darurat112.supervise"},
    {"account_id": "x" * 37, "permission": "darurat112.supervise", "reason": "x"},
])
def test_bad_grants_are_refused_in_the_envelope_and_grant_nothing(client, login_as, db_session, body):
    admin, officer = login_as("admin"), login_as("officer", opd="DISKOMINFO")
    body = {k: (v.format(me=officer["X-Test-User-Id"]) if k == "account_id" else v) for k, v in body.items()}
    answer = client.post(GRANTS, json=body, headers={**admin, "Accept-Language": "en"})
    assert answer.status_code in (404, 422), answer.get_json()
    assert answer.get_json()["error"]["message"]
    assert db_session.query(StaffGrant).count() == 0


def test_erasing_a_granted_account_ends_its_grants(client, login_as, db_session):
    admin, officer = login_as("admin"), login_as("officer", opd="DISKOMINFO")
    grant(client, admin, officer, "darurat112.supervise")
    assert client.delete("/api/v1/me", headers=officer, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    db_session.expire_all()
    assert db_session.query(StaffGrant).count() == 0
    assert client.get(GRANTS, headers=admin).get_json()["items"] == []
