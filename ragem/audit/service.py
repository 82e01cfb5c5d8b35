"""Writing and reading the audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from flask import g, has_request_context
from sqlalchemy import select

from ragem.audit.models import AuditEntry
from ragem.extensions import db
from ragem.pagination import paginate


def record(
    action: str,
    target_type: str,
    target_id: str | None = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str | None = None,
    actor: Any = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (committed with the change it describes).

    ``actor`` defaults to the logged-in user of the request; pass ``None`` outside a request for a
    system action (CLI, jobs), or an explicit user.
    """
    if actor is None and has_request_context():
        actor = g.get("current_user")
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "primary_role", None) if actor else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        reason=reason,
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def list_entries(
    *,
    limit: int,
    cursor: str | None,
    actor_id: str | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
):
    """A page of audit entries, newest first, filtered by actor, action, target and time."""
    stmt = select(AuditEntry)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return paginate(db.session, stmt, [AuditEntry.at, AuditEntry.id], limit=limit, cursor=cursor)
