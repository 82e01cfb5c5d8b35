"""``GET /api/v1/admin/audit``: the audit log for admins."""
from __future__ import annotations

from ragem.audit import service
from ragem.audit.schemas import AuditPageSchema, AuditQuerySchema
from ragem.auth.guards import roles_required
from ragem.blueprint import Blueprint

blp = Blueprint("audit", __name__, url_prefix="/api/v1/admin", description="Audit log (admins)")


@blp.route("/audit")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@roles_required("admin")
def list_audit(args):
    """List audit entries, newest first, filtered by actor, action, target and time."""
    items, next_cursor = service.list_entries(
        limit=args["limit"],
        cursor=args.get("cursor"),
        actor_id=args.get("actor"),
        action=args.get("action"),
        target_type=args.get("target_type"),
        target_id=args.get("target_id"),
        since=args.get("since"),
        until=args.get("until"),
    )
    return {"items": items, "next_cursor": next_cursor}
