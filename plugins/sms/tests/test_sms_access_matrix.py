"""The SMS gateway's rows of the authorisation matrix: its delivery receipts come from the
provider, proved by the provider's token or signature; a person's log-in, whoever it is, proves
nothing (401)."""
from __future__ import annotations

from ragem.testing import AccessRow, access_world, matrix_gaps, plugin_routes, run_access_matrix

URL = "/api/v1/sms"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
PROVIDER_ONLY = dict.fromkeys(ACTORS, 401)

ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/receipts", PROVIDER_ONLY),
    AccessRow("POST", f"{URL}/receipts", PROVIDER_ONLY, body={}),
    AccessRow("POST", f"{URL}/twilio/status", PROVIDER_ONLY, body={}),
]


def test_every_sms_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "sms"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    world = access_world(make_app(RATELIMIT_ENABLED=False))
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
