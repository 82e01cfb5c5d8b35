"""``/api/v1/me/notifications``: a user's own inbox."""
from __future__ import annotations

from flask import g

from ragem.auth.guards import login_required
from ragem.blueprint import Blueprint
from ragem.notifications import service
from ragem.notifications.schemas import InboxPageSchema, InboxQuerySchema, NotificationSchema, ReadAllSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/me", description="Notifications inbox")


@blp.route("/notifications")
@login_required
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, InboxPageSchema)
def list_notifications(args):
    """The caller's notifications, newest first, with the unread count."""
    return service.inbox(
        g.current_user, limit=args["limit"], cursor=args.get("cursor"), unread_only=args["unread"]
    )


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
@blp.response(200, NotificationSchema)
def mark_notification_read(notification_id):
    """Mark one of the caller's notifications read (repeating it changes nothing)."""
    return service.mark_read(g.current_user, notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@login_required
@blp.response(200, ReadAllSchema)
def mark_all_notifications_read():
    """Mark all of the caller's notifications read; returns the new unread count."""
    return service.mark_all_read(g.current_user)
