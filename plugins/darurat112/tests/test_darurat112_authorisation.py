"""Who sees and does what: citizens their own incidents only; the command centre everything; an
agency's officers only incidents dispatched to their agency, from the dispatch on; the block list
only supervisors and the telephony account (tests/test_darurat112_calls_and_blocks.py)."""
import pytest

from .conftest import BASE, INCIDENTS


@pytest.fixture
def dispatched(client, call_taker, login_as, raise_incident):
    """An incident raised by a citizen, claimed, and dispatched to DAMKAR: ``(citizen, incident, dispatch_id)``."""
    citizen = login_as("citizen")
    incident = raise_incident(citizen)
    client.post(f"{INCIDENTS}/{incident['id']}/claim", json={}, headers=call_taker)
    sent = client.post(f"{INCIDENTS}/{incident['id']}/dispatches", json={"agencies": ["DAMKAR"]}, headers=call_taker)
    return citizen, incident, sent.get_json()["dispatches"][0]["id"]


COMMAND_ROUTES = [
    ("get", f"{BASE}/queue", None), ("get", f"{BASE}/queue/changes", None),
    ("post", f"{BASE}/calls", {"channel": "walk_in"}),
    ("post", f"{INCIDENTS}/{{id}}/claim", {}), ("post", f"{INCIDENTS}/{{id}}/triage", {"priority": 1}),
    ("post", f"{INCIDENTS}/{{id}}/mark", {"as": "prank"}),
    ("post", f"{INCIDENTS}/{{id}}/dispatches", {"agencies": ["BPBD"]}),
    ("post", f"{INCIDENTS}/{{id}}/close", {"outcome": "resolved"}),
]


def send(client, method, url, body, headers):
    return getattr(client, method)(url, json=body, headers=headers) if body is not None else \
        getattr(client, method)(url, headers=headers)


@pytest.mark.parametrize("who", ["citizen", "officer-DAMKAR", "officer-DLH"])
def test_only_the_command_centre_reaches_its_routes(client, login_as, raise_incident, who):
    role, _, opd = who.partition("-")
    headers = login_as(role, opd=opd or None)
    incident = raise_incident(login_as("citizen"))
    for method, url, body in COMMAND_ROUTES:
        answer = send(client, method, url.format(id=incident["id"]), body, headers)
        assert answer.status_code == 403, (url, answer.get_json())
        assert answer.get_json()["error"]["details"]["required_permission"] == "darurat112.command"


def test_a_citizen_sees_only_their_own_incidents(client, login_as, raise_incident, dispatched):
    citizen, incident, dispatch_id = dispatched
    stranger = login_as("citizen")
    assert client.get(f"{INCIDENTS}/{incident['id']}", headers=citizen).status_code == 200
    for method, url, body in [("get", f"{INCIDENTS}/{incident['id']}", None),
                              ("post", f"{INCIDENTS}/{incident['id']}/information", {"message": "halo"}),
                              ("post", f"{INCIDENTS}/{incident['id']}/cancel", {}),
                              ("post", f"{BASE}/dispatches/{dispatch_id}/state", {"state": "cancelled"})]:
        assert send(client, method, url, body, stranger).status_code == 404, url
    assert client.get(f"{INCIDENTS}/mine", headers=stranger).get_json()["items"] == []
    assert client.post(f"{BASE}/dispatches/{dispatch_id}/state", json={"state": "cancelled"},
                       headers=citizen).status_code == 404
    assert client.get(f"{BASE}/dispatches", headers=citizen).status_code == 403


def test_the_command_centre_sees_every_incident(client, call_taker, login_as, raise_incident):
    incident = raise_incident(login_as("citizen"))
    for headers in (call_taker, login_as("admin")):
        detail = client.get(f"{INCIDENTS}/{incident['id']}", headers=headers)
        assert detail.status_code == 200 and "caller_msisdn" in detail.get_json()
        assert [i["id"] for i in client.get(f"{BASE}/queue", headers=headers).get_json()["items"]] == [incident["id"]]


def test_an_agency_sees_an_incident_only_once_dispatched_to_it(client, call_taker, login_as, raise_incident):
    fire_brigade, police = login_as("officer", opd="DAMKAR"), login_as("officer", opd="POLRESTA")
    incident = raise_incident(login_as("citizen"))
    url = f"{INCIDENTS}/{incident['id']}"
    assert client.get(url, headers=fire_brigade).status_code == 404  # not yet dispatched
    client.post(f"{url}/claim", json={}, headers=call_taker)
    sent = client.post(f"{url}/dispatches", json={"agencies": ["DAMKAR"]}, headers=call_taker).get_json()
    detail = client.get(url, headers=fire_brigade)
    assert detail.status_code == 200 and "caller_msisdn" in detail.get_json()  # they may call back
    assert client.get(url, headers=police).status_code == 404
    assert [d["incident_id"] for d in client.get(f"{BASE}/dispatches", headers=fire_brigade).get_json()["items"]] \
        == [incident["id"]]
    assert client.get(f"{BASE}/dispatches", headers=police).get_json()["items"] == []
    # And after: the dispatch ended, the agency still reads what it worked on.
    dispatch_id = sent["dispatches"][0]["id"]
    client.post(f"{BASE}/dispatches/{dispatch_id}/state", json={"state": "completed"}, headers=fire_brigade)
    assert client.get(url, headers=fire_brigade).status_code == 200


def test_the_command_centre_may_cancel_a_dispatch_but_not_move_it(client, call_taker, dispatched):
    _citizen, _incident, dispatch_id = dispatched
    url = f"{BASE}/dispatches/{dispatch_id}/state"
    moved = client.post(url, json={"state": "on_scene"}, headers=call_taker)
    assert moved.status_code == 403
    assert client.post(url, json={"state": "cancelled"}, headers=call_taker).get_json()["state"] == "cancelled"


def test_the_command_centre_opds_are_a_setting(make_app, login_as):
    app = make_app(DARURAT112_COMMAND_CENTRE_OPDS="BPBD")
    client = app.test_client()
    assert client.get(f"{BASE}/queue", headers=login_as("officer", opd="BPBD", target_app=app)).status_code == 200
    assert client.get(f"{BASE}/queue",
                      headers=login_as("officer", opd="DISKOMINFO", target_app=app)).status_code == 403


def test_a_bad_setting_stops_the_service_from_starting(make_app, login_as):
    app = make_app(DARURAT112_PRANK_LIMIT="lima")
    plugins = app.test_client().get("/api/v1/admin/plugins", headers=login_as("admin", target_app=app)).get_json()
    [service] = [item for item in plugins["items"] if item["name"] == "darurat112"]
    assert service["status"] == "failed" and "RAGEM_DARURAT112_PRANK_LIMIT" in service["reason"]
