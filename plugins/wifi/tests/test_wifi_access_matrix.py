"""The Wi-Fi service's rows of the authorisation matrix: every route, as each of the six actors.

Citizens use the Wi-Fi (their own devices and tokens); admins manage hotspots, policies and
suspensions; officers, of any OPD, neither. FreeRADIUS's routes answer only its bearer secret: a
person's log-in, whoever it is, gets 403. A device belongs to citizen A or B; "nobody" has no
devices here (a device always has its citizen), so that owner gets a third citizen's.
"""
from __future__ import annotations

import itertools

from ragem.testing import ALLOWED, LOGIN, AccessRow, access_world, create_account, bearer, matrix_gaps, plugin_routes, run_access_matrix

URL = "/api/v1/wifi"
SECRET = "test-radius-secret-0123456789abcdef"
TERMS = "2026-12"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
PUBLIC = dict.fromkeys(ACTORS, ALLOWED)
CITIZENS = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "citizen_a": ALLOWED, "citizen_b": ALLOWED}
ADMIN_ONLY = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "admin": ALLOWED}
#: A citizen's own device: another citizen learns nothing of it (404); staff may not use the Wi-Fi.
OWN_DEVICE = {**CITIZENS, "citizen_b": 404}
RADIUS = dict.fromkeys(ACTORS, 403)
_macs = itertools.count(1)


def device(world, owner):
    """A new device of citizen ``owner`` (of a third citizen for nobody), after accepting the terms;
    the citizen's older ones are removed first (a citizen keeps at most three)."""
    client = world.app.test_client()
    headers = (world.headers[f"citizen_{owner}"] if owner != "nobody"
               else bearer(world.app, create_account(world.app, "citizen")[0]))
    client.post(f"{URL}/access", json={"terms_version": TERMS}, headers=headers)
    for old in client.get(f"{URL}/devices", headers=headers).get_json()["items"]:  # a citizen keeps at most 3
        client.delete(f"{URL}/devices/{old['id']}", headers=headers)
    answer = client.post(f"{URL}/devices", json={"mac": f"aabbcc{next(_macs):06x}", "label": "HP"}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return {"device_id": answer.get_json()["id"]}


def hotspot(world, owner):
    """A hotspot (the admin's)."""
    number = next(_macs)
    answer = world.app.test_client().post(f"{URL}/admin/hotspots", headers=world.headers["admin"], json={
        "name": f"Hotspot {number}", "lat": -6.12, "lon": 106.15, "ssids": ["SerangKota"],
        "nas_identifiers": [f"nas-{number}"]})
    assert answer.status_code == 201, answer.get_json()
    return {"hotspot_id": answer.get_json()["id"]}


def suspension(world, owner):
    """A suspension in force of a fresh Wi-Fi user (suspending A or B would spoil their devices' rows)."""
    user = create_account(world.app, "citizen")[0]
    accepted = world.app.test_client().post(f"{URL}/access", json={"terms_version": TERMS}, headers=bearer(world.app, user))
    assert accepted.status_code in (200, 201), accepted.get_json()
    answer = world.app.test_client().post(f"{URL}/admin/suspensions", headers=world.headers["admin"],
                                          json={"kind": "user", "user_id": user, "reason": "uji matriks"})
    assert answer.status_code == 201, answer.get_json()
    return {"suspension_id": answer.get_json()["id"]}


def console(slug_name: str, action: str | None = None, resource=None):
    """A resource factory: the Wi-Fi console page ``slug_name`` (``hotspot`` with a real hotspot's id)
    and one of its forms; ``resource`` adds its values (a real suspension for the lift form)."""

    def make(world, owner):
        values = {"slug": "wifi", "name": slug_name}
        if slug_name == "hotspot":
            values["tail"] = str(hotspot(world, owner)["hotspot_id"])
        if resource is not None:
            values.update(resource(world, owner))
        return {**values, "action": action} if action else values

    return make


#: The console's Wi-Fi pages are admins' (wifi.manage); officers of any OPD are refused.
CONSOLE_ADMIN = {"anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN, "officer_own": 403, "officer_other": 403,
                 "admin": ALLOWED}

ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/health", PUBLIC),
    AccessRow("GET", f"{URL}/hotspots", PUBLIC),
    AccessRow("GET", f"{URL}/terms", PUBLIC),
    AccessRow("GET", f"{URL}/captive-portal", PUBLIC),
    AccessRow("GET", f"{URL}/access", CITIZENS),
    AccessRow("POST", f"{URL}/access", CITIZENS, body={"terms_version": TERMS}),
    AccessRow("POST", f"{URL}/tokens", CITIZENS),
    AccessRow("GET", f"{URL}/devices", CITIZENS),
    AccessRow("POST", f"{URL}/devices", CITIZENS, body={}),
    AccessRow("PATCH", f"{URL}/devices/<int:device_id>", OWN_DEVICE, resource=device, body={"label": "Laptop"}),
    AccessRow("DELETE", f"{URL}/devices/<int:device_id>", OWN_DEVICE, resource=device),
    AccessRow("GET", f"{URL}/admin/hotspots", ADMIN_ONLY),
    AccessRow("POST", f"{URL}/admin/hotspots", ADMIN_ONLY, body={}),
    AccessRow("PATCH", f"{URL}/admin/hotspots/<int:hotspot_id>", ADMIN_ONLY, resource=hotspot, body={}),
    AccessRow("GET", f"{URL}/admin/policies", ADMIN_ONLY),
    AccessRow("PUT", f"{URL}/admin/policies/global", ADMIN_ONLY, body={}),
    AccessRow("PUT", f"{URL}/admin/policies/hotspots/<int:hotspot_id>", ADMIN_ONLY, resource=hotspot, body={}),
    # A hotspot without a policy of its own: the admin is told there is none to remove.
    AccessRow("DELETE", f"{URL}/admin/policies/hotspots/<int:hotspot_id>", {**ADMIN_ONLY, "admin": 404}, resource=hotspot),
    AccessRow("GET", f"{URL}/admin/suspensions", ADMIN_ONLY),
    AccessRow("POST", f"{URL}/admin/suspensions", ADMIN_ONLY, body={}),
    AccessRow("POST", f"{URL}/admin/suspensions/<int:suspension_id>/lift", {**ADMIN_ONLY, "admin": 404},
              values={"suspension_id": 999999}, body={"reason": "uji"}),
    AccessRow("POST", f"{URL}/admin/suspensions/<int:suspension_id>/lift", ADMIN_ONLY, resource=suspension,
              body={"reason": "uji"}),
    AccessRow("GET", f"{URL}/admin/kpis", ADMIN_ONLY),
    AccessRow("GET", f"{URL}/admin/terms", ADMIN_ONLY),
    AccessRow("POST", f"{URL}/admin/terms", ADMIN_ONLY, body={}),
    AccessRow("POST", f"{URL}/radius/authorize", RADIUS, body={}),
    AccessRow("POST", f"{URL}/radius/authenticate", RADIUS, body={}),
    AccessRow("POST", f"{URL}/radius/post-auth", RADIUS, body={}),
    AccessRow("POST", f"{URL}/radius/accounting", RADIUS, body={}),
    # The console's pages and forms (core routes, the Wi-Fi's values).
    AccessRow("GET", "/console/p/<slug>/<name>", CONSOLE_ADMIN, values={"slug": "wifi", "name": "hotspots"}),
    AccessRow("GET", "/console/p/<slug>/<name>", CONSOLE_ADMIN, values={"slug": "wifi", "name": "suspensions"}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", CONSOLE_ADMIN, resource=console("hotspot")),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_ADMIN,
              resource=console("hotspot", "status"), body={"status": "maintenance"}),
    AccessRow("POST", "/console/p/<slug>/<name>/act/<action>", CONSOLE_ADMIN, resource=console("suspensions", "lift", suspension),
              body=lambda world, values: {"suspension_id": values["suspension_id"], "reason": "uji"}),
]


def test_every_wifi_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "wifi"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    app = make_app(RATELIMIT_ENABLED=False, WIFI_RADIUS_SECRET=SECRET)
    world = access_world(app, opd_own="DISKOMINFO", opd_other="DLH")
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
