"""The lists of complaints: the citizen's own and the OPD queue."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ragem import toolkit

from plugins.rabeg.access import ADMIN
from plugins.rabeg.models import OPEN_STATES, Category, Complaint
from plugins.rabeg.seed import CATEGORIES
from plugins.rabeg.services.sla import status_filter


def my_complaints(user: toolkit.Account, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The reporter's own complaints, newest first (keyset pagination)."""
    stmt = select(Complaint).where(Complaint.reporter_id == user.id).options(selectinload(Complaint.category))
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.created_at, Complaint.id],
                                         limit=limit, cursor=cursor)
    return {"items": rows, "next_cursor": next_cursor}


SEEDED_CODES = frozenset(row[0] for row in CATEGORIES)

#: Sort orders of the queue: the keyset columns and whether newest comes first.
QUEUE_SORTS = {
    "resolution_due": ((Complaint.resolution_due, Complaint.id), False),
    "first_response_due": ((Complaint.first_response_due, Complaint.id), False),
    "created_at": ((Complaint.created_at, Complaint.id), True),
}


def _queue_scope(user: toolkit.Account, scope: str):
    """The base statement of the queue: the officer's OPD, or every OPD (``all``, admins only)."""
    stmt = select(Complaint)
    if scope == "all":
        if not toolkit.can(user, ADMIN):
            raise toolkit.Forbidden(details={"required_permission": ADMIN})
        return stmt
    opd = getattr(user, "opd_code", None)
    if not opd:
        raise toolkit.Forbidden(
            message={"id": "Akun Anda tidak terhubung dengan OPD.", "en": "Your account belongs to no agency."},
            details={"scope": scope},
        )
    return stmt.where(Complaint.opd_code == opd)


def check_codes(*, category: str | None, kecamatan: str | None, kelurahan: str | None) -> None:
    """Refuse a filter naming a category or region that does not exist (422 naming the field)."""
    problems = {}
    # The seeded codes count too: a fresh database adds its categories on the first filing.
    if (category and category not in SEEDED_CODES
            and toolkit.db.session.scalar(select(Category.id).where(Category.code == category)) is None):
        problems["category"] = "unknown category code"
    for field, level, code in (("kecamatan", "kecamatan", kecamatan), ("kelurahan", "kelurahan", kelurahan)):
        region = toolkit.region(code) if code else None
        if code and (region is None or region.level != level):
            problems[field] = f"unknown {level} code"
    if problems:
        raise toolkit.ValidationError(
            message={"id": "Filter tidak dikenal.", "en": "Unknown filter value."}, details=problems)


def _states(asked: list[str] | None) -> list[str] | None:
    """The states a queue filter means: the open ones by default (what an officer must still act on),
    ``all`` for no filter; ``open`` may be combined with named states."""
    if not asked:
        return list(OPEN_STATES)
    if "all" in asked:
        return None
    expanded = [s for item in asked for s in (OPEN_STATES if item == "open" else (item,))]
    return list(dict.fromkeys(expanded))


def opd_queue(user: toolkit.Account, *, scope: str = "my-opd", state: list[str] | None = None, category: str | None = None,
              kecamatan: str | None = None, kelurahan: str | None = None, sla: str | None = None,
              filed_from: datetime | None = None, filed_to: datetime | None = None, sort: str = "resolution_due",
              channel: list[str] | None = None, limit: int, cursor: str | None) -> dict[str, Any]:
    """The complaints an officer's OPD must handle (``all``: every OPD, admins only), filtered and sorted.

    ``state``: any of the given states (default: the open ones; ``all``: every state); ``sla``: the resolution deadline's status now;
    ``channel``: any of the given channels (``app``, ``in_person``...);
    ``filed_from`` inclusive, ``filed_to`` exclusive (naive UTC); ``sort``: a deadline (nearest
    first) or ``created_at`` (newest first). An unknown category code matches nothing.
    """
    stmt = _queue_scope(user, scope)
    check_codes(category=category, kecamatan=kecamatan, kelurahan=kelurahan)
    states = _states(state)
    if states is not None:
        stmt = stmt.where(Complaint.state.in_(states))
    if category:
        stmt = stmt.where(Complaint.category_id == select(Category.id).where(Category.code == category)
                          .scalar_subquery())
    if kecamatan:
        stmt = stmt.where(Complaint.kecamatan_code == kecamatan)
    if kelurahan:
        stmt = stmt.where(Complaint.kelurahan_code == kelurahan)
    if channel:
        stmt = stmt.where(Complaint.source.in_(channel))
    if sla:
        stmt = stmt.where(status_filter("resolution", sla, toolkit.utcnow()))
    columns, newest_first = QUEUE_SORTS[sort]
    if filed_from is not None:
        stmt = stmt.where(Complaint.created_at >= filed_from)
        if not newest_first:
            # A deadline never comes before the filing, so the same bound holds for the sort column:
            # stated, it lets the index walk start at filed_from instead of at the oldest deadline.
            stmt = stmt.where(columns[0] >= filed_from)
    if filed_to is not None:
        stmt = stmt.where(Complaint.created_at < filed_to)
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt.options(selectinload(Complaint.category)),
                                         list(columns), limit=limit, cursor=cursor, descending=newest_first)
    return {"items": rows, "next_cursor": next_cursor}
