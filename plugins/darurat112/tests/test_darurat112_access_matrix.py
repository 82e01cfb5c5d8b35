"""DARURAT112's rows of the authorisation matrix: every route, as each of the six actors, on an
incident raised by citizen A, by citizen B, and by nobody (a call the command centre recorded).

The "own" officer is of DISKOMINFO, the default command-centre OPD; the "other" one of DLH, which
is not a command centre. Supervision and telephony are admins', or need an admin's grant (no
officer here has one).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from ragem.testing import ALLOWED, LOGIN, AccessRow, access_world, matrix_gaps, plugin_routes, run_access_matrix

URL = "/api/v1/darurat112"
ALERT = {"event": "Banjir", "category": "Met", "urgency": "Immediate", "severity": "Severe", "certainty": "Observed",
         "headline": {"id": "Banjir di Cipare", "en": "Flooding in Cipare"},
         "description": {"id": "Air setinggi 50 cm di jalan utama.", "en": "Water 50 cm deep on the main roads."},
         "instruction": {"id": "Hindari jalan yang tergenang.", "en": "Avoid flooded roads."},
         "area": {"kelurahan": ["36.73.01.1002"]}}
INCIDENT = {"type": "fire", "lat": -6.1207, "lon": 106.1503, "accuracy_m": 15.0, "address": "Jl. Alun-alun Barat",
            "description": "Asap tebal dari rumah warga."}
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
PUBLIC = dict.fromkeys(ACTORS, ALLOWED)
LOGGED_IN = {**PUBLIC, "anonymous": 401}
COMMAND = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "officer_own": ALLOWED, "admin": ALLOWED}
ADMIN_ONLY = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "admin": ALLOWED}
GRANTED_ONLY = {**dict.fromkeys(ACTORS, 403), "anonymous": 401}
#: The block list: admins, and the accounts an admin granted supervision or telephony (none here).
SUPERVISORS = {**GRANTED_ONLY, "admin": ALLOWED}
#: The reporter's own incident: anyone else who is not the command centre learns nothing (404).
REPORTER = {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "citizen_a": ALLOWED}
SEES_INCIDENT = {**REPORTER, "officer_own": ALLOWED, "admin": ALLOWED}


def fresh_key() -> dict:
    """A new Idempotency-Key (the incident routes require one)."""
    return {"Idempotency-Key": f"matrix-{uuid.uuid4().hex}"}


def incident(world, owner):
    """An incident raised in the app by citizen ``owner``; for nobody, a call the command centre took."""
    client = world.app.test_client()
    if owner == "nobody":
        answer = client.post(f"{URL}/calls", headers={**world.headers["officer_own"], **fresh_key()},
                             json={"channel": "phone", "caller_number": "0812-3456-7890", "type": "medical",
                                   "lat": -6.12, "lon": 106.15, "description": "Ibu pingsan di rumah."})
    else:
        answer = client.post(f"{URL}/incidents", json=INCIDENT,
                             headers={**world.headers[f"citizen_{owner}"], **fresh_key()})
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    return {"incident_id": created["incident"]["id"] if "incident" in created else created["id"]}


def dispatch(agency: str):
    """A resource factory: a dispatch to ``agency`` for an incident of ``owner``, sent by the command
    centre (the own officer) once it holds the incident."""

    def make(world, owner):
        values = incident(world, owner)
        client, centre = world.app.test_client(), world.headers["officer_own"]
        url = f"{URL}/incidents/{values['incident_id']}"
        claimed = client.post(f"{url}/claim", json={}, headers={**centre, **fresh_key()})
        assert claimed.status_code in (200, 409), claimed.get_json()  # a call taken is its taker's already
        sent = client.post(f"{url}/dispatches", json={"agencies": [agency]}, headers={**centre, **fresh_key()})
        assert sent.status_code == 201, sent.get_json()
        return {**values, "dispatch_id": sent.get_json()["dispatches"][0]["id"]}

    return make


def alert(world, owner):
    """A public alert in force, issued by the command centre's OPD."""
    expires = (datetime.now(timezone.utc) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = world.app.test_client().post(f"{URL}/alerts", json={**ALERT, "expires": expires}, headers={**world.headers["officer_own"],
                                                                                   **fresh_key()})
    assert answer.status_code == 201, answer.get_json()
    return {"alert_id": answer.get_json()["id"]}


def console_incident(action: str | None = None, dispatch_of_another: bool = False):
    """A resource factory: the console page of an incident of ``owner`` (and one of its forms); with
    ``dispatch_of_another``, the form names a dispatch of another incident."""

    def make(world, owner):
        values = dispatch("DINKES")(world, owner)
        if dispatch_of_another:
            values["dispatch_id"] = dispatch("DINKES")(world, owner)["dispatch_id"]
        page = {"slug": "darurat112", "name": "incident", "tail": str(values["incident_id"]),
                "dispatch_id": values["dispatch_id"]}
        return {**page, "action": action} if action else page

    return make


#: The console: the command centre's pages; a citizen or a visitor is sent to log in.
CONSOLE_COMMAND = {"anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN, "officer_own": ALLOWED,
                   "officer_other": 403, "admin": ALLOWED}

ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/health", PUBLIC),
    AccessRow("POST", f"{URL}/incidents", LOGGED_IN, body={}, headers=fresh_key),
    AccessRow("GET", f"{URL}/incidents/mine", LOGGED_IN),
    AccessRow("GET", f"{URL}/incidents/<int:incident_id>", SEES_INCIDENT, resource=incident),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/information", REPORTER, resource=incident,
              body={"message": "Api makin besar."}, headers=fresh_key),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/cancel", REPORTER, resource=incident, body={},
              headers=fresh_key),
    # A post without its file is refused before the incident is looked up: the same 422 for any id.
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/photos", {**dict.fromkeys(ACTORS, 422), "anonymous": 401},
              resource=incident, headers=fresh_key),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/claim", COMMAND, resource=incident, headers=fresh_key),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/triage", COMMAND, resource=incident, body={},
              headers=fresh_key),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/mark", COMMAND, resource=incident, body={},
              headers=fresh_key),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/dispatches", COMMAND, resource=incident, body={},
              headers=fresh_key),
    AccessRow("POST", f"{URL}/incidents/<int:incident_id>/close", COMMAND, resource=incident, body={},
              headers=fresh_key),
    AccessRow("POST", f"{URL}/calls", COMMAND, body={}, headers=fresh_key),
    AccessRow("GET", f"{URL}/queue", COMMAND),
    AccessRow("GET", f"{URL}/queue/changes", COMMAND),
    AccessRow("GET", f"{URL}/kpis", LOGGED_IN),
    AccessRow("GET", f"{URL}/alerts", PUBLIC),
    AccessRow("GET", f"{URL}/alerts.cap", PUBLIC),
    AccessRow("GET", f"{URL}/alerts/<int:alert_id>", dict.fromkeys(ACTORS, 404), values={"alert_id": 999999}),
    AccessRow("GET", f"{URL}/alerts/<int:alert_id>.cap", dict.fromkeys(ACTORS, 404), values={"alert_id": 999999}),
    AccessRow("POST", f"{URL}/alerts", COMMAND, body={}, headers=fresh_key),
    AccessRow("POST", f"{URL}/alerts/<int:alert_id>/update", COMMAND,
              values={"alert_id": 999999}, body={}, headers=fresh_key),
    AccessRow("POST", f"{URL}/alerts/<int:alert_id>/cancel", {**COMMAND, "officer_own": 404, "admin": 404},
              values={"alert_id": 999999}, body={"note": "uji"}, headers=fresh_key),
    AccessRow("GET", f"{URL}/blocks", SUPERVISORS),
    AccessRow("POST", f"{URL}/blocks/<int:block_id>/lift", {**SUPERVISORS, "admin": 404}, values={"block_id": 999999},
              body={"reason": "uji"}),
    AccessRow("GET", f"{URL}/blocked-numbers/<string:msisdn>", SUPERVISORS, values={"msisdn": "+6281399887766"}),
    AccessRow("GET", f"{URL}/dispatches", {**GRANTED_ONLY, "officer_own": ALLOWED, "officer_other": ALLOWED}),
    AccessRow("POST", f"{URL}/dispatches/<int:dispatch_id>/state", {**dict.fromkeys(ACTORS, 404), "anonymous": 401},
              values={"dispatch_id": 999999}, body={"state": "en_route"}),
    # Real records of someone else: a dispatch to DINKES (neither actor's agency). The command centre
    # may only cancel it; the agency's officers move it; anyone else learns nothing of it.
    AccessRow("POST", f"{URL}/dispatches/<int:dispatch_id>/state",
              {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "officer_own": 403, "admin": 403},
              resource=dispatch("DINKES"), body={"state": "en_route"}),
    AccessRow("POST", f"{URL}/dispatches/<int:dispatch_id>/state",
              {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "officer_own": ALLOWED, "admin": ALLOWED},
              resource=dispatch("DINKES"), body={"state": "cancelled"}),
    # A dispatch to the other officer's own OPD: theirs to move, not to see others' through.
    AccessRow("POST", f"{URL}/dispatches/<int:dispatch_id>/state",
              {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "officer_own": 403, "officer_other": ALLOWED,
               "admin": 403},
              resource=dispatch("DLH"), body={"state": "en_route"}),
    AccessRow("GET", f"{URL}/alerts/<int:alert_id>", PUBLIC, resource=alert),
    AccessRow("GET", f"{URL}/alerts/<int:alert_id>.cap", PUBLIC, resource=alert),
    AccessRow("POST", f"{URL}/alerts/<int:alert_id>/update", COMMAND, resource=alert, body={}, headers=fresh_key),
    AccessRow("POST", f"{URL}/alerts/<int:alert_id>/cancel", COMMAND, resource=alert, body={"note": "uji"},
              headers=fresh_key),
    AccessRow("GET", f"{URL}/staff-grants", ADMIN_ONLY),
    AccessRow("POST", f"{URL}/staff-grants", ADMIN_ONLY, body={}),
    AccessRow("POST", f"{URL}/staff-grants/<int:grant_id>/revoke", {**ADMIN_ONLY, "admin": 404},
              values={"grant_id": 999999}, body={"reason": "uji"}),
    # The console's pages and forms (core routes, 112's values).
    AccessRow("GET", "/console/p/<slug>/<name>", CONSOLE_COMMAND, values={"slug": "darurat112", "name": "queue"}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", CONSOLE_COMMAND, resource=console_incident()),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_COMMAND,
              resource=console_incident("close"), body={"outcome": "resolved", "note": "uji"}),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_COMMAND,
              resource=console_incident("cancel-dispatch"),
              body=lambda world, values: {"dispatch_id": values["dispatch_id"], "note": "uji"}),
    # The cancel button of an incident's page naming another incident's dispatch: not found there.
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", {**CONSOLE_COMMAND, "officer_own": 404,
                                                                           "admin": 404},
              resource=console_incident("cancel-dispatch", dispatch_of_another=True),
              body=lambda world, values: {"dispatch_id": values["dispatch_id"], "note": "uji"}),
    # An agency's dispatches page: its form naming a dispatch to DINKES (neither actor's agency).
    AccessRow("POST", "/console/p/<slug>/<name>/act/<action>",
              {"anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN, "officer_own": 403, "officer_other": 404,
               "admin": 403},
              resource=lambda world, owner: {"slug": "darurat112", "name": "dispatches", "action": "update",
                                             **dispatch("DINKES")(world, owner)},
              body=lambda world, values: {"dispatch_id": values["dispatch_id"], "state": "en_route"}),
]


def test_every_darurat112_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "darurat112"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    world = access_world(make_app(RATELIMIT_ENABLED=False), opd_own="DISKOMINFO", opd_other="DLH")
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
