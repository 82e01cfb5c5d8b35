"""The lists of complaints: the citizen's own and the OPD queue."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.access import ADMIN
from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.present import summary


def my_complaints(user: Any, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The reporter's own complaints, newest first (keyset pagination)."""
    stmt = select(Complaint).where(Complaint.reporter_id == user.id)
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.created_at, Complaint.id],
                                         limit=limit, cursor=cursor)
    codes = dict(toolkit.db.session.execute(select(Category.id, Category.code)).all()) if rows else {}
    return {"items": [summary(c, codes[c.category_id]) for c in rows], "next_cursor": next_cursor}


def opd_queue(user: Any, *, scope: str, state: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """The complaints an officer's OPD must handle (``all``: every OPD, admins only), nearest deadline first."""
    stmt = select(Complaint)
    if scope == "all":
        if not toolkit.can(user, ADMIN):
            raise toolkit.Forbidden(details={"required_permission": ADMIN})
    else:
        opd = getattr(user, "opd_code", None)
        if not opd:
            raise toolkit.Forbidden(
                message={"id": "Akun Anda tidak terhubung dengan OPD.", "en": "Your account belongs to no agency."},
                details={"scope": scope},
            )
        stmt = stmt.where(Complaint.opd_code == opd)
    if state:
        stmt = stmt.where(Complaint.state == state)
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.resolution_due, Complaint.id],
                                         limit=limit, cursor=cursor, descending=False)
    codes = dict(toolkit.db.session.execute(select(Category.id, Category.code)).all()) if rows else {}
    return {"items": [summary(c, codes[c.category_id]) for c in rows], "next_cursor": next_cursor}
