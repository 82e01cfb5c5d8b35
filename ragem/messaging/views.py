"""``/api/v1/admin/messages/attempts``: every try at delivering a message (admins), without its text."""
from __future__ import annotations

from sqlalchemy import select

from ragem.auth.guards import roles_required
from ragem.blueprint import Blueprint
from ragem.extensions import db
from ragem.messaging.models import DeliveryAttempt
from ragem.messaging.schemas import AttemptPageSchema, AttemptQuerySchema
from ragem.pagination import paginate

blp = Blueprint("messages_admin", __name__, url_prefix="/api/v1/admin/messages",
                description="Message delivery attempts (admins)")


@blp.route("/attempts")
@blp.arguments(AttemptQuerySchema, location="query")
@blp.response(200, AttemptPageSchema)
@roles_required("admin")
def list_delivery_attempts(args):
    """Delivery attempts, newest first: channel, provider, status, cost and receipts' times."""
    stmt = select(DeliveryAttempt)
    for name in ("channel", "status", "provider", "user_id"):
        if args.get(name):
            stmt = stmt.where(getattr(DeliveryAttempt, name) == args[name])
    items, next_cursor = paginate(db.session, stmt, [DeliveryAttempt.created_at, DeliveryAttempt.id],
                                  limit=args["limit"], cursor=args.get("cursor"))
    return {"items": items, "next_cursor": next_cursor}
