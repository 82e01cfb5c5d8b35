"""``/api/v1/admin/jobs``: periodic jobs and their last run, and failed jobs (admins)."""
from __future__ import annotations

from ragem.auth.guards import roles_required
from ragem.blueprint import Blueprint
from ragem.errors import NotFound
from ragem.jobs import admin
from ragem.jobs.schemas import FailedJobPageSchema, FailedJobQuerySchema, FailedJobSchema, PeriodicJobListSchema
from ragem.schemas import ErrorSchema

blp = Blueprint("jobs_admin", __name__, url_prefix="/api/v1/admin/jobs", description="Background jobs (admins)")


@blp.route("")
@blp.response(200, PeriodicJobListSchema)
@roles_required("admin")
def list_periodic_jobs():
    """Every periodic job, how often it runs and how its last run ended."""
    return {"items": admin.periodic_overview()}


@blp.route("/failed")
@blp.arguments(FailedJobQuerySchema, location="query")
@blp.response(200, FailedJobPageSchema)
@roles_required("admin")
def list_failed_jobs(args):
    """Jobs that failed on their last try (after their retries), newest first."""
    items, next_cursor = admin.failed_jobs(limit=args["limit"], cursor=args.get("cursor"), name=args.get("name"))
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/failed/<int:job_id>/retry", methods=["POST"])
@blp.response(202, FailedJobSchema)
@blp.alt_response(409, schema=ErrorSchema, description="job_not_retryable: the record holds no replay")
@roles_required("admin")
def retry_failed_job(job_id):
    """Run a failed job again now, in the background (audited); a new record appears if it fails again."""
    row = admin.retry_failed(job_id)
    if row is None:
        raise NotFound(details={"job_id": job_id})
    return row


@blp.route("/failed/<int:job_id>", methods=["DELETE"])
@blp.response(204)
@roles_required("admin")
def dismiss_failed_job(job_id):
    """Dismiss a failure once it has been dealt with (audited)."""
    if not admin.dismiss_failed(job_id):
        raise NotFound(details={"job_id": job_id})
