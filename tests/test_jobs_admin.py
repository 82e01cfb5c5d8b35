"""Admins see each periodic job's last run and the jobs that failed for good, and can dismiss a failure."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ragem.audit.models import AuditEntry
from ragem.extensions import db
from ragem.hooktypes import PeriodicJob, PluginInfo
from ragem.jobs.scheduler import run_due_jobs
from ragem.toolkit import hookimpl

T0 = datetime(2026, 11, 2, 8, 0, 0)


def _fine():
    return None


def _boom():
    raise RuntimeError("pekerjaan gagal")


class Chores:
    """A throwaway service with one job that works and one that always fails."""

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug="chores", name={"id": "Tugas", "en": "Chores"}, description={"id": "Uji", "en": "Test"},
                          opd="DISKOMINFO", version="1.0")

    @hookimpl
    def ragem_periodic_jobs(self):
        return [PeriodicJob(name="fine", every_seconds=60, func=_fine),
                PeriodicJob(name="boom", every_seconds=3600, func=_boom)]


def test_admins_see_periodic_jobs_with_their_last_run(make_app, login_as):
    app = make_app(extra_plugins=[("chores", Chores())], entry_points=False)
    client = app.test_client()
    admin = login_as("admin", target_app=app)
    before = client.get("/api/v1/admin/jobs", headers=admin).get_json()["items"]
    assert {j["name"]: j["last_ok"] for j in before if j["service"] == "chores"} == {"chores.boom": None, "chores.fine": None}
    assert "core.files-cleanup" in {j["name"] for j in before}

    with app.app_context():
        run_due_jobs(now=T0)
    items = {j["name"]: j for j in client.get("/api/v1/admin/jobs", headers=admin).get_json()["items"]}
    assert items["chores.fine"]["last_ok"] is True and items["chores.fine"]["every_seconds"] == 60
    assert items["chores.boom"]["last_ok"] is False and items["chores.boom"]["service"] == "chores"
    assert items["chores.fine"]["last_started_at"].startswith("2026-") and items["chores.fine"]["last_finished_at"]


def test_admins_list_and_dismiss_failed_jobs_and_the_dismissal_is_audited(make_app, login_as):
    app = make_app(extra_plugins=[("chores", Chores())], entry_points=False)
    client = app.test_client()
    admin = login_as("admin", target_app=app)
    with app.app_context():
        run_due_jobs(now=T0)
    page = client.get("/api/v1/admin/jobs/failed?name=chores.boom", headers=admin).get_json()
    [failure] = page["items"]
    assert failure["attempts"] == 3 and "pekerjaan gagal" in failure["error"] and page["next_cursor"] is None
    assert client.get("/api/v1/admin/jobs/failed?name=chores.fine", headers=admin).get_json()["items"] == []

    assert client.delete(f"/api/v1/admin/jobs/failed/{failure['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/admin/jobs/failed", headers=admin).get_json()["items"] == []
    again = client.delete(f"/api/v1/admin/jobs/failed/{failure['id']}", headers=admin)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "failed_job")))
    assert actions == ["job.failure.dismiss"]


def test_only_admins_see_jobs(make_app, login_as):
    app = make_app(entry_points=False)
    client = app.test_client()
    assert client.get("/api/v1/admin/jobs").status_code == 401
    officer = login_as("officer", opd="DPUPR", target_app=app)
    assert client.get("/api/v1/admin/jobs/failed", headers=officer).status_code == 403
    assert client.delete("/api/v1/admin/jobs/failed/1", headers=officer).status_code == 403
