"""Admins see each periodic job's last run and the jobs that failed for good, and can dismiss a failure."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ragem.audit.models import AuditEntry
from ragem.extensions import db
from ragem.hooktypes import PeriodicJob, PluginInfo
from ragem.jobs.runner import job_path
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
    assert client.post("/api/v1/admin/jobs/failed/1/retry").status_code == 401
    assert client.post("/api/v1/admin/jobs/failed/1/retry", headers=officer).status_code == 403
    citizen = login_as("citizen", target_app=app)
    assert client.post("/api/v1/admin/jobs/failed/1/retry", headers=citizen).status_code == 403


# -- retrying a failed job ---------------------------------------------------------------------------

BROKEN = {"on": True}  # the cause of the failures, fixed by hand before a retry
DELIVERED: list[str] = []


def deliver_report(report_id: str, copies: int = 1) -> None:
    """A queued job that fails while BROKEN is on."""
    if BROKEN["on"]:
        raise RuntimeError("gateway down")
    DELIVERED.append(f"{report_id}x{copies}")


class Flaky:
    """A throwaway service whose periodic job fails while BROKEN is on."""

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug="flaky", name={"id": "Goyah", "en": "Flaky"}, description={"id": "Uji", "en": "Test"},
                          opd="DISKOMINFO", version="1.0")

    @hookimpl
    def ragem_periodic_jobs(self):
        return [PeriodicJob(name="sync", every_seconds=60, func=lambda: deliver_report("sync"))]


def _failures(client, admin, name):
    """The failed-job records of job ``name`` (a queued function is named by its import path)."""
    return client.get(f"/api/v1/admin/jobs/failed?name={name}", headers=admin).get_json()["items"]


def test_a_failed_queued_job_is_retried_once_its_cause_is_fixed(make_app, login_as):
    from ragem.toolkit import enqueue

    app = make_app(extra_plugins=[("flaky", Flaky())], entry_points=False)
    client, admin = app.test_client(), login_as("admin", target_app=app)
    BROKEN["on"], DELIVERED[:] = True, []
    with app.app_context():
        enqueue(deliver_report, "laporan-7", copies=2)
    [failure] = _failures(client, admin, job_path(deliver_report))
    assert failure["retryable"] is True and failure["args"] == "('laporan-7', copies=2)"
    BROKEN["on"] = False
    answer = client.post(f"/api/v1/admin/jobs/failed/{failure['id']}/retry", headers=admin)
    assert answer.status_code == 202, answer.get_json()
    assert DELIVERED == ["laporan-7x2"]
    assert _failures(client, admin, job_path(deliver_report)) == []
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "failed_job")))
    assert actions == ["job.failure.retry"]
    assert client.post(f"/api/v1/admin/jobs/failed/{failure['id']}/retry", headers=admin).status_code == 404


def test_a_retry_that_fails_again_leaves_a_new_record(make_app, login_as):
    app = make_app(extra_plugins=[("flaky", Flaky())], entry_points=False)
    client, admin = app.test_client(), login_as("admin", target_app=app)
    BROKEN["on"], DELIVERED[:] = True, []
    with app.app_context():
        run_due_jobs(now=T0)
    [failure] = _failures(client, admin, "flaky.sync")
    assert failure["retryable"] is True
    assert client.post(f"/api/v1/admin/jobs/failed/{failure['id']}/retry", headers=admin).status_code == 202
    [again] = _failures(client, admin, "flaky.sync")  # recorded under the job's own name again
    assert "gateway down" in again["error"] and again["retryable"] is True and again["failed_at"] >= failure["failed_at"]
    BROKEN["on"] = False
    assert client.post(f"/api/v1/admin/jobs/failed/{again['id']}/retry", headers=admin).status_code == 202
    assert DELIVERED == ["syncx1"]


def test_a_job_whose_arguments_were_not_kept_cannot_be_retried(make_app, login_as):
    from ragem.toolkit import enqueue

    app = make_app(entry_points=False)
    client, admin = app.test_client(), login_as("admin", target_app=app)
    BROKEN["on"] = True
    with app.app_context():
        enqueue(deliver_report, {"a", "set"})  # picklable, but not JSON
    [failure] = _failures(client, admin, job_path(deliver_report))
    assert failure["retryable"] is False
    refused = client.post(f"/api/v1/admin/jobs/failed/{failure['id']}/retry", headers=admin)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "job_not_retryable"
    assert len(_failures(client, admin, job_path(deliver_report))) == 1  # nothing was changed


def test_the_cli_lists_retries_and_dismisses_failed_jobs(make_app):
    from ragem.testing import invoke_cli
    from ragem.toolkit import enqueue

    app = make_app(entry_points=False)
    BROKEN["on"], DELIVERED[:] = True, []
    with app.app_context():
        enqueue(deliver_report, "cli-1")
        enqueue(deliver_report, "cli-2")
    listing = invoke_cli(app, ["jobs", "failed"])
    assert listing.exit_code == 0 and "deliver_report('cli-1')" in listing.output and "gateway down" in listing.output
    ids = [int(line.split()[0]) for line in listing.output.splitlines() if "deliver_report" in line]
    BROKEN["on"] = False
    retried = invoke_cli(app, ["jobs", "retry", str(ids[-1])])
    assert retried.exit_code == 0, retried.output
    assert DELIVERED == ["cli-1x1"]
    assert invoke_cli(app, ["jobs", "dismiss", str(ids[0])]).exit_code == 0
    assert "no failed jobs" in invoke_cli(app, ["jobs", "failed"]).output
    unknown = invoke_cli(app, ["jobs", "retry", "999999"])
    assert unknown.exit_code != 0 and "ragem jobs failed" in unknown.output
