"""What admins see of the job machinery: each periodic job's last run, and the jobs that failed for good."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ragem.audit.service import record
from ragem.extensions import db
from ragem.jobs.models import FailedJob, JobRun
from ragem.jobs.scheduler import DAY_SECONDS, periodic_jobs
from ragem.pagination import paginate


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
