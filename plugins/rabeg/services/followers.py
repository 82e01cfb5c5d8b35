"""Who follows a complaint: its reporter and every supporter ("me too", or a merged duplicate's people)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import Complaint, Supporter
from plugins.rabeg.services.complainant_sms import text_complainant


def follower_ids(complaint: Complaint) -> list[str]:
    """Account ids told about every change: the reporter first, then supporters in the order they joined."""
    ids = [complaint.reporter_id] if complaint.reporter_id else []
    supporters = toolkit.db.session.scalars(
        select(Supporter.user_id).where(Supporter.complaint_id == complaint.id).order_by(Supporter.id)
    )
    ids.extend(uid for uid in supporters if uid not in ids)
    return ids


def notify_followers(complaint: Complaint, *, kind: str, title: dict[str, str], body: Any,
                     sms_body: Any = None) -> None:
    """Put the same message in the inbox of every follower, and text it (or ``sms_body``) to a
    complainant without an account whose phone an officer recorded (the caller commits; the SMS
    leaves after the commit)."""
    for user_id in follower_ids(complaint):
        toolkit.notify(user_id, kind=kind, service="rabeg", title=title, body=body,
                       data={"complaint_id": complaint.id})
    text_complainant(complaint, kind=kind, title=title, body=sms_body if sms_body is not None else body)
