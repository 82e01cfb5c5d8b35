"""The audit log and failed background jobs pages (admins), over the admin API's own functions."""
from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError, fields, validate

from ragem.audit import service as audit_log
from ragem.console import listing, pages
from ragem.console.texts import TEXTS
from ragem.console.views import FORM, _render, _require, api_message, blp
from ragem.errors import ApiError
from ragem.extensions import db
from ragem.http_guards import accepts_media_types
from ragem.jobs import admin as jobs_admin
from ragem.schemas import BaseSchema
from ragem.timeutil import wib_midnight


class AuditFilterSchema(BaseSchema):
    """The audit page's filters: the API's, with days on the city's calendar instead of instants."""

    actor = fields.String(validate=validate.Length(max=36))
    action = fields.String(validate=validate.Length(max=80))
    date_from = fields.Date()
    date_to = fields.Date()


def _wib_day_start(day: date):
    return wib_midnight(day.year, day.month, day.day)


@blp.route("/audit")
def audit():
    """Audit entries, newest first, filtered by actor, action and WIB days (both days included)."""
    account, refusal = _require(pages.core_page("console.audit"))
    if refusal:
        return refusal
    query = {key: value for key in ("actor", "action", "date_from", "date_to")
             if (value := request.args.get(key, "").strip())}
    error, filters = None, {}
    try:
        filters = AuditFilterSchema().load(query)
    except ValidationError:
        error = TEXTS["bad_filter"]
    since = _wib_day_start(filters["date_from"]) if "date_from" in filters else None
    until = _wib_day_start(filters["date_to"] + timedelta(days=1)) if "date_to" in filters else None
    items, next_cursor = listing.one_page(audit_log.list_entries, actor_id=filters.get("actor"),
                                          action=filters.get("action"), since=since, until=until)
    return _render("console/audit.html", account, 422 if error else 200, items=items, next_cursor=next_cursor,
                   query=query, error=error, names=listing.account_names(e.actor_id for e in items))


@blp.route("/jobs")
def failed_jobs():
    """Background jobs that failed on their last try, newest first, each with its retry button."""
    account, refusal = _require(pages.core_page("console.failed_jobs"))
    if refusal:
        return refusal
    return _jobs_page(account)


def _jobs_page(account, status: int = 200, error=None):
    items, next_cursor = listing.one_page(jobs_admin.failed_jobs)
    return _render("console/jobs.html", account, status, items=items, next_cursor=next_cursor, error=error)


@blp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@accepts_media_types(FORM)
def retry_job(job_id):
    """Run a failed job again in the background (audited as ``job.failure.retry``, like the API)."""
    account, refusal = _require(pages.core_page("console.failed_jobs"))
    if refusal:
        return refusal
    if job_id > 2**62:  # past any id the table can hold (PostgreSQL BIGINT would overflow)
        return _jobs_page(account, 404, TEXTS["not_found"])
    try:
        retried = jobs_admin.retry_failed(job_id)
    except ApiError as failure:
        db.session.rollback()
        return _jobs_page(account, 409, api_message(failure))
    if retried is None:
        return _jobs_page(account, 404, TEXTS["not_found"])
    flash(TEXTS["job_retried"])
    return redirect(url_for("console.failed_jobs"))
