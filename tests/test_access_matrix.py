"""The authorisation matrix of the core: every route, as every actor (anonymous, citizens A and B,
an officer of the owning OPD and one of another, an admin), on resources owned by A, by B and by
nobody, gets exactly the outcome its row states. A route without a row fails the coverage test:
the core's rows are here, each plugin's in its own ``tests/test_<slug>_access_matrix.py`` (found by
that name and read without importing it), and the routes not yet covered are listed below (none
today).
"""
from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from throwaway import ThrowawayPlugin, throwaway_services

from ragem import toolkit
from ragem.auth.models import User
from ragem.extensions import db
from ragem.jobs.models import FailedJob
from ragem.notifications.models import Notification
from ragem.testing import (
    ALLOWED,
    LOGIN,
    AccessRow,
    access_matrix_files,
    access_world,
    bearer,
    create_account,
    png_claiming,
    matrix_gaps,
    plugin_blueprints,
    route_keys,
    rows_declared_in,
    run_access_matrix,
)

REPO = Path(__file__).resolve().parents[1]


def everyone(outcome=ALLOWED) -> dict:
    """Every actor gets ``outcome``."""
    return dict.fromkeys(("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin"), outcome)


PUBLIC = everyone()
LOGGED_IN = {**everyone(), "anonymous": 401}
ADMIN_ONLY = {**everyone(403), "anonymous": 401, "admin": ALLOWED}
#: An admin route on a record that does not exist: only the admin learns it is missing.
ADMIN_UNKNOWN = {**ADMIN_ONLY, "admin": 404}
#: A dangerous act on one's own account: logged in, it asks for a proof of the owner first.
PROOF_ASKED = {**everyone(403), "anonymous": 401}
CONSOLE_PUBLIC = everyone()
CONSOLE_STAFF = {**everyone(ALLOWED), "anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN}
CONSOLE_ADMIN = {**CONSOLE_STAFF, "officer_own": 403, "officer_other": 403}


# --- resources -------------------------------------------------------------------------------------

def target_account(world, owner):
    """A fresh account to act on (admin routes): citizen A's own stays usable for the next rows."""
    return {"user_id": create_account(world.app, "citizen")[0]}


def owners_account(world, owner):
    """The account of ``owner`` itself (a read only)."""
    return {"user_id": world.user_ids.get(f"citizen_{owner}", world.user_ids["admin"])}


def notification_of(world, owner):
    """A notification for ``owner`` (for nobody: one of a third account's)."""
    user = world.user_ids.get(f"citizen_{owner}") or create_account(world.app, "citizen")[0]
    with world.app.app_context():
        note = Notification(user_id=user, service="core", kind="test", title_id="Uji", title_en="Test",
                            body_id="Uji matriks", body_en="Matrix test", data={})
        db.session.add(note)
        db.session.commit()
        return {"notification_id": note.id}


def session_of(world, owner):
    """A log-in session of ``owner`` (for nobody: of a third account)."""
    user = world.user_ids.get(f"citizen_{owner}") or create_account(world.app, "citizen")[0]
    headers = bearer(world.app, user)
    listed = world.app.test_client().get("/api/v1/auth/sessions", headers=headers).get_json()["items"]
    current = [s for s in listed if s.get("current")] or listed
    return {"session_id": current[0]["id"]}


def file_of(world, owner):
    """An uploaded file of ``owner`` (for nobody: of a third account)."""
    user = world.user_ids.get(f"citizen_{owner}") or create_account(world.app, "citizen")[0]
    answer = world.app.test_client().post("/api/v1/files", headers=bearer(world.app, user),
                                          data={"file": (io.BytesIO(png_claiming(8, 8)), "a.png")})
    assert answer.status_code == 201, answer.get_json()
    return {"file_id": answer.get_json()["id"]}


def failed_job(world, owner):
    """A failed background job."""
    with world.app.app_context():
        job = FailedJob(name="matrix.test", args="()", error="boom", attempts=1)
        db.session.add(job)
        db.session.commit()
        return {"job_id": job.id}


ROWS = [
    # Public reads
    AccessRow("GET", "/healthz", PUBLIC),
    AccessRow("GET", "/readyz", PUBLIC),
    AccessRow("GET", "/metrics", PUBLIC),
    AccessRow("GET", "/openapi.yaml", PUBLIC),
    AccessRow("GET", "/api/docs", PUBLIC),
    AccessRow("GET", "/api/docs/assets/<string:name>", everyone(404), values={"name": "nothing-here.js"}),
    AccessRow("GET", "/.well-known/jwks.json", PUBLIC),
    AccessRow("GET", "/.well-known/openid-configuration", PUBLIC),
    AccessRow("GET", "/api/v1/services", PUBLIC),
    AccessRow("GET", "/api/v1/opds", PUBLIC),
    AccessRow("GET", "/api/v1/opds/<string:code>", PUBLIC, values={"code": "DPUPR"}),
    AccessRow("GET", "/api/v1/regions", PUBLIC),
    AccessRow("GET", "/api/v1/regions/<string:code>", PUBLIC, values={"code": "36.73"}),
    # Accounts: anyone may try to register or log in; the rest is the caller's own
    AccessRow("POST", "/api/v1/auth/register", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/login", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/refresh", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/password/forgot", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/password/reset", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/resend-code", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/verify-phone", PUBLIC, body={}),
    AccessRow("POST", "/api/v1/auth/logout", LOGGED_IN, own_account=True),
    AccessRow("GET", "/api/v1/auth/sessions", LOGGED_IN),
    AccessRow("DELETE", "/api/v1/auth/sessions/<uuid:session_id>",
              {**everyone(404), "anonymous": 401, "citizen_a": ALLOWED}, resource=session_of),
    AccessRow("GET", "/api/v1/me", LOGGED_IN),
    AccessRow("PATCH", "/api/v1/me", LOGGED_IN, body={}),
    AccessRow("DELETE", "/api/v1/me", PROOF_ASKED, body={}, own_account=True),
    AccessRow("GET", "/api/v1/me/access-log", LOGGED_IN),
    AccessRow("GET", "/api/v1/me/summary", LOGGED_IN),
    AccessRow("GET", "/api/v1/me/export", LOGGED_IN),
    AccessRow("GET", "/api/v1/me/connected-apps", LOGGED_IN),
    AccessRow("DELETE", "/api/v1/me/connected-apps/<string:client_id>", {**everyone(404), "anonymous": 401},
              values={"client_id": "no-such-app"}),
    AccessRow("POST", "/api/v1/me/email", LOGGED_IN, body={}, own_account=True),
    AccessRow("DELETE", "/api/v1/me/email", PROOF_ASKED, own_account=True),
    AccessRow("POST", "/api/v1/me/email/verify", LOGGED_IN, body={}, own_account=True),
    AccessRow("POST", "/api/v1/me/password", LOGGED_IN, body={}, own_account=True),
    AccessRow("POST", "/api/v1/me/phone", LOGGED_IN, body={}, own_account=True),
    AccessRow("POST", "/api/v1/me/phone/verify", LOGGED_IN, body={}, own_account=True),
    AccessRow("POST", "/api/v1/me/reauth-code", LOGGED_IN, own_account=True),
    AccessRow("GET", "/api/v1/me/notifications", LOGGED_IN),
    AccessRow("POST", "/api/v1/me/notifications/<int:notification_id>/read",
              {**everyone(404), "anonymous": 401, "citizen_a": ALLOWED}, resource=notification_of),
    AccessRow("POST", "/api/v1/me/notifications/read-all", LOGGED_IN),
    # Files: the uploader's own
    AccessRow("POST", "/api/v1/files", LOGGED_IN, body={}),
    AccessRow("GET", "/api/v1/files/<string:file_id>",
              {**everyone(404), "anonymous": 401, "citizen_a": ALLOWED, "admin": ALLOWED}, resource=file_of),
    # Administration
    AccessRow("GET", "/api/v1/admin/audit", ADMIN_ONLY),
    AccessRow("GET", "/api/v1/admin/evaluation", ADMIN_ONLY),
    AccessRow("GET", "/api/v1/admin/evaluation.csv", ADMIN_ONLY),
    AccessRow("GET", "/api/v1/admin/jobs", ADMIN_ONLY),
    AccessRow("GET", "/api/v1/admin/jobs/failed", ADMIN_ONLY),
    AccessRow("DELETE", "/api/v1/admin/jobs/failed/<int:job_id>", ADMIN_ONLY, resource=failed_job),
    AccessRow("POST", "/api/v1/admin/jobs/failed/<int:job_id>/retry", ADMIN_ONLY, resource=failed_job),
    AccessRow("GET", "/api/v1/admin/kpi-targets", ADMIN_ONLY),
    AccessRow("PUT", "/api/v1/admin/kpi-targets/<string:kpi_key>/<int:year>", ADMIN_ONLY,
              values={"kpi_key": "no.such.kpi", "year": 2026}, body={}),
    AccessRow("DELETE", "/api/v1/admin/kpi-targets/<string:kpi_key>/<int:year>", ADMIN_ONLY,
              values={"kpi_key": "no.such.kpi", "year": 2026}),
    AccessRow("GET", "/api/v1/admin/messages/attempts", ADMIN_ONLY),
    AccessRow("GET", "/api/v1/admin/opds", ADMIN_ONLY),
    AccessRow("POST", "/api/v1/admin/opds", ADMIN_ONLY, body={}),
    AccessRow("PATCH", "/api/v1/admin/opds/<string:code>", ADMIN_ONLY, values={"code": "NOSUCHOPD"}, body={}),
    AccessRow("DELETE", "/api/v1/admin/opds/<string:code>", ADMIN_UNKNOWN, values={"code": "NOSUCHOPD"}),
    AccessRow("GET", "/api/v1/admin/plugins", ADMIN_ONLY),
    AccessRow("GET", "/api/v1/admin/services", ADMIN_ONLY),
    AccessRow("PATCH", "/api/v1/admin/services/<string:slug>", ADMIN_ONLY, values={"slug": "no-such-service"}, body={}),
    AccessRow("GET", "/api/v1/admin/sso-clients", ADMIN_ONLY),
    AccessRow("POST", "/api/v1/admin/sso-clients", ADMIN_ONLY, body={}),
    AccessRow("GET", "/api/v1/admin/sso-clients/<string:client_id>", ADMIN_UNKNOWN, values={"client_id": "nope"}),
    AccessRow("PATCH", "/api/v1/admin/sso-clients/<string:client_id>", ADMIN_UNKNOWN, values={"client_id": "nope"}, body={}),
    AccessRow("DELETE", "/api/v1/admin/sso-clients/<string:client_id>", ADMIN_UNKNOWN, values={"client_id": "nope"}),
    AccessRow("POST", "/api/v1/admin/sso-clients/<string:client_id>/secret", ADMIN_UNKNOWN, values={"client_id": "nope"}),
    AccessRow("GET", "/api/v1/admin/users", ADMIN_ONLY),
    AccessRow("POST", "/api/v1/admin/users/search", ADMIN_ONLY, body={"q": "3673011708850001"}),
    AccessRow("GET", "/api/v1/admin/users/<string:user_id>", ADMIN_ONLY, resource=owners_account),
    AccessRow("POST", "/api/v1/admin/users/<string:user_id>/suspend", ADMIN_ONLY, resource=target_account, body={}),
    AccessRow("POST", "/api/v1/admin/users/<string:user_id>/reinstate", ADMIN_ONLY, resource=target_account, body={}),
    AccessRow("POST", "/api/v1/admin/users/<string:user_id>/roles", ADMIN_ONLY, resource=target_account, body={}),
    AccessRow("DELETE", "/api/v1/admin/users/<string:user_id>/roles/<string:role>", ADMIN_ONLY,
              resource=lambda world, owner: {**target_account(world, owner), "role": "officer"}),
    # Single sign-on: OPD systems authenticate as clients, people through the pages
    AccessRow("GET", "/sso/authorize", PUBLIC),
    AccessRow("POST", "/sso/authorize", PUBLIC),
    AccessRow("GET", "/sso/login", PUBLIC),
    AccessRow("POST", "/sso/login", PUBLIC),
    AccessRow("GET", "/sso/logout", PUBLIC),
    AccessRow("POST", "/sso/logout", PUBLIC),
    AccessRow("POST", "/sso/language", PUBLIC),
    AccessRow("POST", "/sso/token", everyone(400), body={}),
    AccessRow("POST", "/sso/revoke", everyone(401), body={}),
    AccessRow("GET", "/sso/userinfo", everyone(401)),
    AccessRow("POST", "/sso/userinfo", everyone(401)),
    # The console
    AccessRow("GET", "/console/login", CONSOLE_PUBLIC),
    AccessRow("POST", "/console/login", everyone(401),
              body=lambda world, values: {"identifier": f"nobody-{uuid.uuid4().hex[:8]}", "password": "salah-sekali"}),
    AccessRow("POST", "/console/logout", everyone(302), own_account=True),
    AccessRow("POST", "/console/language", CONSOLE_PUBLIC, body={"language": "en"}),
    AccessRow("GET", "/console/static/<path:filename>", CONSOLE_PUBLIC, values={"filename": "console.css"}),
    AccessRow("GET", "/console/", CONSOLE_STAFF),
    AccessRow("GET", "/console/services", CONSOLE_ADMIN),
    AccessRow("POST", "/console/services/<slug>", CONSOLE_ADMIN, values={"slug": "no-such-service"}),
    AccessRow("GET", "/console/accounts", CONSOLE_ADMIN),
    AccessRow("POST", "/console/accounts", CONSOLE_ADMIN, body={"q": "3673011708850001"}),
    AccessRow("GET", "/console/accounts/<user_id>", CONSOLE_ADMIN, resource=owners_account),
    AccessRow("POST", "/console/accounts/<user_id>/suspend", CONSOLE_ADMIN, resource=target_account,
              body={"reason": "uji"}),
    AccessRow("POST", "/console/accounts/<user_id>/reinstate", CONSOLE_ADMIN, resource=target_account),
    AccessRow("POST", "/console/accounts/<user_id>/roles", CONSOLE_ADMIN, resource=target_account,
              body={"role": "officer", "opd": "DPUPR"}),
    AccessRow("POST", "/console/accounts/<user_id>/roles/<role>/revoke", CONSOLE_ADMIN,
              resource=lambda world, owner: {**target_account(world, owner), "role": "officer"}),
    AccessRow("GET", "/console/audit", CONSOLE_ADMIN),
    AccessRow("GET", "/console/evaluation", CONSOLE_ADMIN),
    AccessRow("GET", "/console/evaluation.csv", CONSOLE_ADMIN),
    AccessRow("GET", "/console/jobs", CONSOLE_ADMIN),
    AccessRow("POST", "/console/jobs/<int:job_id>/retry", CONSOLE_ADMIN, resource=failed_job),
    AccessRow("GET", "/console/sso-clients", CONSOLE_ADMIN),
    AccessRow("POST", "/console/sso-clients", CONSOLE_ADMIN),
    AccessRow("POST", "/console/sso-clients/<client_id>/delete", {**CONSOLE_ADMIN, "admin": 404}, values={"client_id": "nope"}),
    # The form is checked before the system is looked up (an admin-only page: nothing to hide).
    AccessRow("POST", "/console/sso-clients/<client_id>/edit", {**CONSOLE_ADMIN, "admin": 422}, values={"client_id": "nope"}),
    AccessRow("POST", "/console/sso-clients/<client_id>/secret", {**CONSOLE_ADMIN, "admin": 404}, values={"client_id": "nope"}),
    # A plugin's console pages are its own rows; an unknown one is the same 404 for all staff.
    AccessRow("GET", "/console/p/<slug>/<name>", {**CONSOLE_STAFF, "officer_own": 404, "officer_other": 404, "admin": 404},
              values={"slug": "nope", "name": "nope"}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>",
              {**CONSOLE_STAFF, "officer_own": 404, "officer_other": 404, "admin": 404},
              values={"slug": "nope", "name": "nope", "tail": "1"}),
    AccessRow("POST", "/console/p/<slug>/<name>/act/<action>",
              {**CONSOLE_STAFF, "officer_own": 404, "officer_other": 404, "admin": 404},
              values={"slug": "nope", "name": "nope", "action": "go"}),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>",
              {**CONSOLE_STAFF, "officer_own": 404, "officer_other": 404, "admin": 404},
              values={"slug": "nope", "name": "nope", "tail": "1", "action": "go"}),
]

#: Routes of this repository's plugins without a row yet: exactly those (the coverage test fails
#: when one gets a row and stays here, or a new route is added without one).
NOT_YET_COVERED: set[tuple[str, str]] = set()


@pytest.fixture
def matrix_app(make_app):
    """Every installed plugin and the throwaway services; no rate limits (the matrix makes many calls)."""
    return make_app(extra_plugins=throwaway_services(), RATELIMIT_ENABLED=False)


def core_routes(app) -> set:
    """The routes the core mounts (no plugin's)."""
    plugin_owned = set().union(*plugin_blueprints(app).values())
    return {key for key in route_keys(app) if key not in route_keys(app, plugin_owned)}


def test_every_core_route_has_a_row(matrix_app):
    missing, stale = matrix_gaps(matrix_app, ROWS, core_routes(matrix_app))
    assert missing == set(), "a core route was added: give it a row in ROWS"
    assert stale == set(), "a row names a route that no longer exists"


def test_every_route_of_every_plugin_of_this_repository_has_a_row(matrix_app):
    """A plugin of this repository keeps its rows in ``tests/test_<slug>_access_matrix.py``; a plugin
    installed from elsewhere checks its own (the scaffold writes the file). The files are read here
    without importing them; the routes without a row are exactly those of ``NOT_YET_COVERED``."""
    registry = matrix_app.extensions["ragem.plugins"]
    uncovered = set()
    for record in registry.records.values():
        source = getattr(record.module, "__file__", None)
        if not record.blueprints or not source or REPO / "plugins" not in Path(source).resolve().parents:
            continue  # installed from elsewhere (or a test's throwaway): its own matrix test checks it
        declared = set().union(set(), *(rows_declared_in(path) for path in access_matrix_files(record.module)))
        uncovered |= route_keys(matrix_app, {bp.name for bp in record.blueprints}) - declared
    listed = {key for key in NOT_YET_COVERED if key in route_keys(matrix_app)}  # a denied plugin's are absent
    assert uncovered - listed == set(), "a plugin route has no row"
    assert listed - uncovered == set(), "these routes have rows now: drop them from NOT_YET_COVERED"


def test_every_actor_gets_what_the_core_rows_state(matrix_app):
    world = access_world(matrix_app)
    findings = run_access_matrix(world, ROWS)
    assert findings == [], "\n".join(findings)


def test_the_runner_reports_every_cell_that_differs(matrix_app):
    """The matrix can fail: a row that lets the anonymous caller read an account, or that says a
    console form refuses an admin, is reported cell by cell."""
    world = access_world(matrix_app)
    wrong = [AccessRow("GET", "/api/v1/me", everyone()),
             AccessRow("POST", "/console/language", {**CONSOLE_PUBLIC, "admin": 403}, body={"language": "en"})]
    findings = run_access_matrix(world, wrong)
    assert len(findings) == 2
    assert findings[0].startswith("GET /api/v1/me as anonymous") and "got 401" in findings[0]
    assert findings[1].startswith("POST /console/language as admin") and "expected 403" in findings[1]


class BareRefusal(ThrowawayPlugin):
    """A service whose one route refuses everyone with plain text, not the API's error envelope."""

    @toolkit.hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("zzbare_refuse", "tests.zzbare", description="plain refusals")

        @blp.route("/refuse")
        def refuse():
            """Refuse in plain text."""
            return "nein", 403, {"Content-Type": "text/plain"}

        return [blp]


def test_the_runner_reports_an_api_refusal_without_the_error_envelope(make_app):
    """A refusal the mobile app cannot read (no ``{"error": {...}}``) is a finding, even when its
    status is the one the row expects."""
    world = access_world(make_app(extra_plugins=[("zzbare", BareRefusal("zzbare"))], RATELIMIT_ENABLED=False))
    findings = run_access_matrix(world, [AccessRow("GET", "/api/v1/zzbare/refuse", everyone(403))])
    assert len(findings) == 6
    assert all("403 without the JSON error envelope" in finding for finding in findings)
