"""What admins see of the job machinery: each periodic job's last run, and the jobs that failed for good."""
from __future__ import annotations

import json
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ragem.audit.service import record
from ragem.errors import Conflict
from ragem.extensions import db
from ragem.jobs.models import FailedJob, JobRun
from ragem.jobs.queue import QueuedJob, dispatch
from ragem.jobs.runner import job_path, resolve
from ragem.jobs.scheduler import DAY_SECONDS, periodic_jobs, run_periodic_now
from ragem.pagination import paginate

NOT_RETRYABLE = {
    "id": "Pekerjaan ini tidak dapat diulang; tangani secara manual lalu abaikan catatannya.",
    "en": "This job cannot be retried; deal with it by hand, then dismiss the record.",
}


def _last_runs(names: list[str]) -> dict[str, JobRun]:
    """The newest claimed slot of each job in ``names``."""
    if not names:
        return {}
    newest = (select(JobRun.name, func.max(JobRun.slot).label("slot"))
              .where(JobRun.name.in_(names)).group_by(JobRun.name).subquery())
    rows = db.session.scalars(
        select(JobRun).join(newest, (JobRun.name == newest.c.name) & (JobRun.slot == newest.c.slot))
    )
    return {row.name: row for row in rows}


def periodic_overview() -> list[dict[str, Any]]:
    """Every registered periodic job with its interval and its last run (``None`` if it never ran)."""
    jobs = periodic_jobs()
    runs = _last_runs([job.name for job in jobs])
    overview = []
    for job in jobs:
        run = runs.get(job.name)
        overview.append({
            "name": job.name, "service": job.slug, "every_seconds": job.every_seconds,
            "at": (job.at or "00:00") if job.every_seconds % DAY_SECONDS == 0 else None,
            "last_started_at": run.claimed_at if run else None,
            "last_finished_at": run.finished_at if run else None,
            # None while the last run is still going (or died with its process).
            "last_ok": run.ok if run else None,
        })
    return overview


def failed_jobs(*, limit: int, cursor: str | None, name: str | None = None) -> tuple[list[FailedJob], str | None]:
    """Jobs that failed on their last try, newest first, optionally only those called ``name``."""
    stmt = select(FailedJob)
    if name:
        stmt = stmt.where(FailedJob.name == name)
    return paginate(db.session, stmt, [FailedJob.failed_at, FailedJob.id], limit=limit, cursor=cursor)


def dismiss_failed(job_id: int) -> bool:
    """Forget a failure once someone has dealt with it; ``False`` if there is no such record."""
    row = db.session.get(FailedJob, job_id)
    if row is None:
        return False
    record("job.failure.dismiss", "failed_job", str(job_id), before={"name": row.name, "attempts": row.attempts})
    db.session.delete(row)
    db.session.commit()
    return True


def retry_failed(job_id: int) -> FailedJob | None:
    """Run a failed job again, now, in the background (audited); its record goes, and a new one
    appears if it fails again. ``None`` if there is no such record.

    :raises Conflict: ``job_not_retryable`` (409) when the record holds no replay (its arguments
        were not JSON, it was recorded before retries existed, or its job is gone).
    """
    row = db.session.get(FailedJob, job_id)
    if row is None:
        return None
    queued = _replay(row)
    record("job.failure.retry", "failed_job", str(job_id), before={"name": row.name, "attempts": row.attempts})
    db.session.delete(row)
    db.session.commit()
    dispatch(current_app._get_current_object(), queued)  # type: ignore[attr-defined]
    return row


def _replay(row: FailedJob) -> QueuedJob:
    """The call that retries ``row``, checked before anything is changed."""
    try:
        plan = json.loads(row.replay) if row.replay else None
    except ValueError:
        plan = None
    if isinstance(plan, dict) and isinstance(plan.get("periodic"), str):
        if plan["periodic"] in {job.name for job in periodic_jobs()}:
            return QueuedJob(path=job_path(run_periodic_now), args=(plan["periodic"],), kwargs={},
                             name=plan["periodic"], replay=row.replay)
        raise Conflict("job_not_retryable", NOT_RETRYABLE, details={"reason": "the periodic job is no longer registered"})
    if isinstance(plan, dict) and isinstance(plan.get("path"), str):
        try:
            resolve(plan["path"])
        except Exception:  # noqa: BLE001 - a function renamed or removed since
            raise Conflict("job_not_retryable", NOT_RETRYABLE, details={"reason": "its function no longer exists"}) from None
        return QueuedJob(path=plan["path"], args=tuple(plan.get("args") or ()), kwargs=dict(plan.get("kwargs") or {}))
    raise Conflict("job_not_retryable", NOT_RETRYABLE, details={"reason": "its arguments were not kept"})
