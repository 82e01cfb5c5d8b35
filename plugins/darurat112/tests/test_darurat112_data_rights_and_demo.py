"""A citizen's incidents in their summary and export, anonymised (kept) on erasure; the demo data."""
from sqlalchemy import func, select

from ragem.testing import DEMO_PASSWORD, audit_entries, load_demo
from ragem.toolkit import db

from plugins.darurat112.models import Incident, IncidentIdempotencyRecord, IncidentTimelineEntry

from .conftest import BASE, INCIDENTS


def test_summary_and_export_hold_the_citizens_own_incidents(client, login_as, raise_incident, call_taker):
    citizen, other = login_as("citizen"), login_as("citizen")
    mine = raise_incident(citizen, description="Kebakaran di dapur.")
    raise_incident(other)
    client.post(f"{INCIDENTS}/{mine['id']}/claim", json={}, headers=call_taker)
    client.post(f"{INCIDENTS}/{mine['id']}/triage", json={"note": "catatan internal petugas"}, headers=call_taker)
    section = client.get("/api/v1/me/summary", headers=citizen).get_json()["sections"]["darurat112"]
    assert section["open_incidents"] == 1 and section["latest"][0]["number"] == mine["number"]
    exported = client.get("/api/v1/me/export", headers=citizen).get_json()["services"]["darurat112"]
    [incident] = exported["incidents"]
    assert incident["number"] == mine["number"] and incident["description"] == "Kebakaran di dapur."
    assert incident["caller_msisdn"].startswith("+62")
    assert [step["kind"] for step in incident["timeline"]] == ["created", "claimed"]
    assert "catatan internal" not in str(exported)


def test_erasure_keeps_the_incident_without_the_person_and_says_so(client, login_as, raise_incident, app):
    citizen = login_as("citizen")
    raised = raise_incident(citizen)
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with app.app_context():
        incident = db.session.scalar(select(Incident).where(Incident.number == raised["number"]))
        assert incident is not None and incident.type == "fire" and incident.lat == -6.1207
        assert (incident.reporter_id, incident.caller_name, incident.caller_msisdn) == (None, None, None)
        assert db.session.scalar(select(func.count()).select_from(IncidentIdempotencyRecord)) == 0
        assert db.session.scalar(select(func.count()).select_from(IncidentTimelineEntry)) >= 1
        [entry] = audit_entries(action="user.erase")
        assert "darurat112" in str(entry.after) and "anonymised" in str(entry.after)


def log_in(client, phone):
    answer = client.post("/api/v1/auth/login", json={"identifier": phone, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_demo_incidents_are_raised_in_several_states_once(app, client):
    with app.app_context():
        logins = {row["key"]: row for row in load_demo()}
        counts = (db.session.scalar(select(func.count()).select_from(Incident)),
                  db.session.scalar(select(func.count()).select_from(IncidentTimelineEntry)))
        load_demo()  # a second run finds them all and changes nothing
        again = (db.session.scalar(select(func.count()).select_from(Incident)),
                 db.session.scalar(select(func.count()).select_from(IncidentTimelineEntry)))
    assert counts[0] == 5 and again == counts
    with app.app_context():
        placed = {i.number: (i.kelurahan_code, i.kecamatan_code) for i in db.session.scalars(
            select(Incident).where(Incident.channel == "app"))}
    assert len(placed) == 4 and all(kel and kec and kel.startswith(kec + ".") for kel, kec in placed.values())
    taker = log_in(client, logins["officer-DISKOMINFO"]["phone"])
    queue = client.get(f"{BASE}/queue", headers=taker).get_json()["items"]
    assert {i["state"] for i in queue} == {"new", "claimed", "dispatched"}
    closed = client.get(f"{BASE}/queue?state=closed", headers=taker).get_json()["items"]
    assert {i["outcome"] for i in closed} == {"resolved", "prank"}
    health = log_in(client, logins["officer-DINKES"]["phone"])
    [dispatch] = client.get(f"{BASE}/dispatches", headers=health).get_json()["items"]
    assert dispatch["state"] == "en_route"
    citizen = log_in(client, logins["citizen3"]["phone"])
    [mine] = client.get(f"{INCIDENTS}/mine", headers=citizen).get_json()["items"]
    assert mine["state"] == "dispatched"


def test_erasure_deletes_the_blocks_on_the_account_and_on_its_numbers(client, login_as, call_taker, app):
    from ragem.testing import account
    from plugins.darurat112.models import Block

    citizen = login_as("citizen")
    with app.app_context():
        phone = account(citizen["X-Test-User-Id"]).phone
    for _ in range(6):  # the citizen's app reports, each claimed and marked a prank: the account is blocked
        raised = client.post(INCIDENTS, json={"type": "other", "lat": -6.12, "lon": 106.15, "accuracy_m": 10.0},
                             headers={**citizen, "Idempotency-Key": f"p-{_}"}).get_json()
        client.post(f"{INCIDENTS}/{raised['id']}/claim", json={}, headers=call_taker)
        assert client.post(f"{INCIDENTS}/{raised['id']}/mark", json={"as": "prank"},
                           headers=call_taker).status_code == 200
    for number in (phone, "0254-200112"):  # prank calls from the citizen's phone, and from someone's landline
        for _ in range(6):
            client.post(f"{BASE}/calls", json={"channel": "phone", "caller_number": number, "outcome": "prank"},
                        headers=call_taker)
    with app.app_context():
        assert sorted(b.kind for b in db.session.scalars(select(Block))) == ["account", "msisdn", "msisdn"]
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with app.app_context():
        [left] = db.session.scalars(select(Block)).all()
        assert left.kind == "msisdn" and left.value == "+62254200112"  # not the erased person's number
        [entry] = audit_entries(action="user.erase")
        assert "darurat112" in str(entry.after)
    assert client.get(f"{BASE}/blocked-numbers/{phone}", headers=login_as("admin")).get_json()["blocked"] is False
