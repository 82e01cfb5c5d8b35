"""The push service's rows of the authorisation matrix: a logged-in person registers and forgets
the devices of their own account (forgetting another account's token changes nothing: the
service deletes only the caller's own, see the device tests); nobody else may."""
from __future__ import annotations

from ragem.testing import ALLOWED, AccessRow, access_world, matrix_gaps, plugin_routes, run_access_matrix

URL = "/api/v1/push"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
LOGGED_IN = {**dict.fromkeys(ACTORS, ALLOWED), "anonymous": 401}

ACCESS_MATRIX = [
    AccessRow("POST", f"{URL}/devices", LOGGED_IN, body={"token": "fcm-token-matrix-0001", "platform": "android"}),
    AccessRow("DELETE", f"{URL}/devices", LOGGED_IN, body={"token": "fcm-token-matrix-0001"}),
]


def test_every_push_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "push"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    world = access_world(make_app(RATELIMIT_ENABLED=False))
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
