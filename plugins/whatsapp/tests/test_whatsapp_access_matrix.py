"""The WhatsApp gateway's rows of the authorisation matrix: Meta's webhook proves itself with the
verify token (the subscription check, 403 without it) and the payload's signature (401 without
it); a person's log-in, whoever it is, proves nothing."""
from __future__ import annotations

from ragem.testing import AccessRow, access_world, matrix_gaps, plugin_routes, run_access_matrix

URL = "/api/v1/whatsapp"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")

ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/webhook", dict.fromkeys(ACTORS, 403)),
    AccessRow("POST", f"{URL}/webhook", dict.fromkeys(ACTORS, 401), body={}),
]


def test_every_whatsapp_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "whatsapp"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    world = access_world(make_app(RATELIMIT_ENABLED=False))
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
