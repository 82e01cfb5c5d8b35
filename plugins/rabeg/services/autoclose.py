"""Auto-close: a resolved complaint the reporter has not answered within 7 days closes by itself."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import Complaint
from plugins.rabeg.services.followers import notify_followers
from plugins.rabeg.services.lifecycle import STATE_NAMES, add_entry, change_state, title

#: How long the reporter has to confirm or refuse a resolution.
CONFIRMATION_WINDOW = timedelta(days=7)
#: Complaints closed per transaction (a long backlog is worked off in several commits).
BATCH = 200

CLOSED_UNANSWERED = {
    "id": "Pengaduan ditutup otomatis karena tidak ada konfirmasi dalam 7 hari setelah selesai ditangani.",
    "en": "The complaint was closed automatically: no confirmation within 7 days of its resolution.",
}


def close_unconfirmed(now: datetime | None = None) -> int:
    """Close every complaint resolved more than 7 days before ``now`` and still unanswered; returns how many.

    Each closing is compare-and-set on the state, so a confirmation arriving at the same moment wins
    or loses cleanly (never both).
    """
    session = toolkit.db.session
    now = now or toolkit.utcnow()
    cutoff = now - CONFIRMATION_WINDOW
    closed, last_id = 0, 0
    while True:
        batch = session.scalars(
            select(Complaint).where(Complaint.state == "resolved", Complaint.resolved_at < cutoff,
                                    Complaint.id > last_id)
            .order_by(Complaint.id).limit(BATCH)
        ).all()
        if not batch:
            return closed
        for complaint in batch:
            last_id = complaint.id
            try:
                change_state(complaint, "closed", now, closed_at=now)
            except toolkit.Conflict:
                continue  # the reporter answered meanwhile; earlier closings are already committed
            add_entry(complaint, None, now, kind="transition", from_state="resolved", to_state="closed",
                      public_message=CLOSED_UNANSWERED, internal_note="auto-close: no confirmation in 7 days")
            toolkit.audit("rabeg.complaint.autoclose", "rabeg_complaint", str(complaint.id),
                          before={"state": "resolved"}, after={"state": "closed"}, actor=None)
            notify_followers(complaint, kind="rabeg.complaint.closed", title=title(complaint, STATE_NAMES["closed"]),
                             body=CLOSED_UNANSWERED)
            session.commit()  # one complaint at a time: a conflict's rollback never undoes another's closing
            closed += 1


def autoclose_job() -> None:
    """The periodic job (every hour): close unconfirmed resolved complaints."""
    close_unconfirmed()
