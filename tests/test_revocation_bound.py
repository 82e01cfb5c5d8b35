"""What ends a session or a right reaches every worker and host within RAGEM_STATE_TTL (docs/tokens.md).

Two apps on one database (and one Redis when RAGEM_TEST_REDIS_URL is set) stand for two workers
or hosts. App 1 serves a request with a token first, so it holds what it read of the session;
app 2 then logs the session out, an admin there takes a role away, or the account is deactivated.
Once the bound has passed (the tests set it short and wait it out), app 1 refuses the token. On
the app that made the change the refusal is immediate, as it always was.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from ragem import toolkit
from ragem.app import create_app
from ragem.auth.models import User
from ragem.extensions import db
from ragem.testing import bearer, create_account
from ragem.toolkit import hookimpl

from throwaway import ThrowawayPlugin

BOUND = 0.3  # RAGEM_STATE_TTL of both apps, seconds
DESK = "/api/v1/zzdesk/desk"
ME = "/api/v1/me"


class OfficerDesk(ThrowawayPlugin):
    """A service with one route for officers only, as an OPD's plugin would have."""

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("zzdesk", "plugins.zzdesk", description="officer desk")

        @blp.route("/desk")
        @blp.doc(operationId="zzdeskDesk")
        @toolkit.roles_required("officer")
        def desk():
            """The caller's OPD."""
            return {"opd": toolkit.current_user().opd_code}

        return [blp]


@pytest.fixture
def first(make_app):
    """App 1: the worker that serves the token first and must refuse it later."""
    return make_app(extra_plugins=[("zzdesk", OfficerDesk("zzdesk"))], STATE_TTL=BOUND)


@pytest.fixture
def second(first, ragem_settings):
    """App 2: another worker or host on the same database, where the change is made."""
    other = create_app({**ragem_settings, "STATE_TTL": BOUND})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def wait_out_the_bound() -> None:
    """Let RAGEM_STATE_TTL pass (no assertion depends on how long anything took)."""
    time.sleep(BOUND + 0.1)


def assert_refused(response, reason: str | None) -> None:
    assert response.status_code == 401, response.json
    assert response.json["error"]["code"] == "invalid_token"
    assert response.json["error"].get("details", {}).get("reason") == reason


def test_a_session_logged_out_on_another_worker_is_refused_within_the_bound(first, second):
    user_id, _phone, _password = create_account(first)
    headers = bearer(first, user_id)
    assert first.test_client().get(ME, headers=headers).status_code == 200
    assert second.test_client().post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert_refused(second.test_client().get(ME, headers=headers), "revoked")  # at once where it happened
    wait_out_the_bound()
    assert_refused(first.test_client().get(ME, headers=headers), "revoked")


def test_a_device_removed_on_another_worker_is_refused_within_the_bound(first, second):
    user_id, _phone, _password = create_account(first)
    lost_phone, mine = bearer(first, user_id), bearer(first, user_id)
    assert first.test_client().get(ME, headers=lost_phone).status_code == 200
    client = second.test_client()
    sessions = client.get("/api/v1/auth/sessions", headers=mine).json["items"]
    lost_id = next(item["id"] for item in sessions if not item["current"])
    assert client.delete(f"/api/v1/auth/sessions/{lost_id}", headers=mine).status_code == 204
    wait_out_the_bound()
    assert_refused(first.test_client().get(ME, headers=lost_phone), "revoked")
    assert first.test_client().get(ME, headers=mine).status_code == 200  # the other device stays in


def test_an_account_deactivated_elsewhere_is_refused_within_the_bound(first, second):
    user_id, _phone, _password = create_account(first)
    headers = bearer(first, user_id)
    assert first.test_client().get(ME, headers=headers).status_code == 200
    with second.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(is_active=False))
        db.session.commit()
    wait_out_the_bound()
    assert_refused(first.test_client().get(ME, headers=headers), None)


def test_a_role_removed_on_another_worker_is_refused_within_the_bound(first, second):
    officer_id, _phone, _password = create_account(first, "officer", opd="DISKOMINFO")
    officer = bearer(first, officer_id)
    admin = bearer(first, create_account(first, "admin")[0])
    assert first.test_client().get(DESK, headers=officer).json == {"opd": "DISKOMINFO"}
    removed = second.test_client().delete(
        f"/api/v1/admin/users/{officer_id}/roles/officer?reason=pindah tugas", headers=admin
    )
    assert removed.status_code == 200 and removed.json["roles"] == ["citizen"]
    wait_out_the_bound()
    refused = first.test_client().get(DESK, headers=officer)
    assert refused.status_code == 403 and refused.json["error"]["details"] == {"required_roles": ["officer"]}
    assert first.test_client().get(ME, headers=officer).json["roles"] == ["citizen"]


def test_on_the_worker_that_made_the_change_it_holds_at_once(first):
    officer_id, _phone, _password = create_account(first, "officer", opd="DISKOMINFO")
    officer = bearer(first, officer_id)
    admin = bearer(first, create_account(first, "admin")[0])
    client = first.test_client()
    assert client.get(DESK, headers=officer).status_code == 200
    assert client.get(ME, headers=officer).json["roles"] == ["officer"]
    assert client.delete(f"/api/v1/admin/users/{officer_id}/roles/officer?reason=pindah", headers=admin).status_code == 200
    assert client.get(DESK, headers=officer).status_code == 403
    assert client.get(ME, headers=officer).json["roles"] == ["citizen"]
    assert client.post("/api/v1/auth/logout", headers=officer).status_code == 204
    assert_refused(client.get(ME, headers=officer), "revoked")
