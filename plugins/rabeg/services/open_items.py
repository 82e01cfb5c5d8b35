"""The dashboard's count of open complaints: an officer's OPD, or the whole city for an admin."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem import toolkit

from plugins.rabeg.models import OPEN_STATES, Complaint

LABEL = {"id": "Pengaduan terbuka", "en": "Open complaints"}


def open_complaints(user: toolkit.Account) -> toolkit.OpenItems | None:
    """Open complaints (submitted, assigned, in progress, reopened) waiting for ``user``'s OPD; every
    OPD's for an admin; ``None`` for an officer without an OPD. One count on an indexed column."""
    stmt = select(func.count()).select_from(Complaint).where(Complaint.state.in_(OPEN_STATES))
    if not user.has_role("admin"):
        if not user.opd_code:
            return None
        stmt = stmt.where(Complaint.opd_code == user.opd_code)
    return toolkit.OpenItems(toolkit.db.session.scalar(stmt) or 0, LABEL)
