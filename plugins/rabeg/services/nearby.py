"""Before filing: open complaints of the same category close by, and "me too" support for one of them."""
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg.access import load_complaint
from plugins.rabeg.models import OPEN_STATES, Complaint, Supporter
from plugins.rabeg.services.filing import active_category
from plugins.rabeg.services.public import (
    COORDINATE_DECIMALS,
    is_published,
    public_coordinate,
    public_description,
    published,
)

RADIUS_M = 250
MAX_RESULTS = 20
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0
HALF_CELL = 0.5 / 10**COORDINATE_DECIMALS  # degrees: half a cell of the public grid


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby(lat: float, lon: float, category: str) -> list[dict[str, Any]]:
    """Open complaints of ``category`` within 250 m of the point, nearest first (at most 20).

    Only what the public may read, of the complaints the public may see (``services.public``):
    number, public text (masked), distance, supporters, state, date. The distance is measured to
    the complaint's public (rounded) point, like the radius: from exact distances, three questions
    asked from three places would give the exact point back.
    A bounding box narrows the rows first (so the category/latitude index is used); the distance
    then decides.
    """
    cat = active_category(category)
    # The box, widened by half a grid cell: a point just outside it may round to one inside.
    dlat = RADIUS_M / METRES_PER_DEGREE_LAT + HALF_CELL
    dlon = RADIUS_M / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)) + HALF_CELL
    rows = toolkit.db.session.execute(
        select(Complaint.id, Complaint.public_number, Complaint.description, Complaint.moderated_description,
               Complaint.lat, Complaint.lon, Complaint.supporters_count, Complaint.created_at, Complaint.state)
        .where(Complaint.category_id == cat.id, Complaint.lat.between(lat - dlat, lat + dlat),
               Complaint.lon.between(lon - dlon, lon + dlon), Complaint.state.in_(OPEN_STATES),
               Complaint.duplicate_of_id.is_(None), published())
    ).all()
    found = []
    for row in rows:
        metres = distance_m(lat, lon, public_coordinate(row.lat), public_coordinate(row.lon))
        if metres <= RADIUS_M:
            found.append((metres, row))
    found.sort(key=lambda item: (item[0], item[1].id))
    return [
        {"id": row.id, "public_number": row.public_number,
         "description": public_description(row), "distance_m": round(metres),
         "supporters_count": row.supporters_count or 0, "created_at": row.created_at, "state": row.state}
        for metres, row in found[:MAX_RESULTS]
    ]


def _supportable(complaint_id: int, user: toolkit.Account) -> Complaint:
    """The open complaint ``user`` may support; 404 unknown or unpublished, 409 their own, closed or a duplicate.

    A complaint the public may not see cannot be supported: a supporter reads every change to it.
    """
    complaint = load_complaint(complaint_id)
    own = complaint is not None and complaint.reporter_id is not None and complaint.reporter_id == user.id
    if complaint is None or not (own or is_published(complaint)):
        raise toolkit.NotFound(details={"complaint_id": complaint_id})
    if own:
        raise toolkit.Conflict(
            message={"id": "Anda pelapor pengaduan ini.", "en": "You filed this complaint yourself."},
            details={"complaint_id": complaint_id, "reason": "own_complaint"},
        )
    if complaint.duplicate_of_id is not None:
        original = toolkit.db.session.get(Complaint, complaint.duplicate_of_id)
        raise toolkit.Conflict(
            message={"id": "Pengaduan ini duplikat; dukung pengaduan aslinya.",
                     "en": "This complaint is a duplicate; support the original instead."},
            details={"complaint_id": complaint_id, "reason": "duplicate",
                     "duplicate_of": original.public_number if original else None},
        )
    if complaint.state not in OPEN_STATES:
        raise toolkit.Conflict(
            message={"id": "Pengaduan ini sudah tidak terbuka.", "en": "This complaint is no longer open."},
            details={"complaint_id": complaint_id, "state": complaint.state, "reason": "not_open"},
        )
    return complaint


def _answer(complaint: Complaint, supporting: bool) -> dict[str, Any]:
    toolkit.db.session.refresh(complaint, ["supporters_count"])
    return {"complaint_id": complaint.id, "supporting": supporting, "supporters_count": complaint.supporters_count}


def support(complaint_id: int, user: toolkit.Account) -> tuple[dict[str, Any], bool]:
    """Add ``user``'s "me too" to an open complaint once; returns ``(answer, added)``.

    The count is raised in SQL (not read-modify-write), and the unique (complaint, user) key
    makes two racing requests count once.
    """
    session = toolkit.db.session
    complaint = _supportable(complaint_id, user)
    exists = session.scalar(select(Supporter.id).where(Supporter.complaint_id == complaint.id,
                                                       Supporter.user_id == user.id))
    if exists:
        return _answer(complaint, True), False
    try:
        session.add(Supporter(complaint_id=complaint.id, user_id=user.id, created_at=toolkit.utcnow()))
        session.flush()
    except IntegrityError:
        session.rollback()  # the same citizen's other request won the race: one support
        return _answer(load_complaint(complaint_id), True), False
    session.execute(update(Complaint).where(Complaint.id == complaint.id)
                    .values(supporters_count=Complaint.supporters_count + 1))
    toolkit.audit("rabeg.complaint.support", "rabeg_complaint", str(complaint.id), actor=user)
    session.commit()
    return _answer(complaint, True), True


def withdraw(complaint_id: int, user: toolkit.Account) -> dict[str, Any]:
    """Take back ``user``'s "me too" (nothing changes if they never gave it); 404 unknown complaint."""
    session = toolkit.db.session
    complaint = load_complaint(complaint_id)
    if complaint is None:
        raise toolkit.NotFound(details={"complaint_id": complaint_id})
    removed = session.execute(delete(Supporter).where(Supporter.complaint_id == complaint.id,
                                                      Supporter.user_id == user.id)).rowcount
    if removed:
        session.execute(update(Complaint).where(Complaint.id == complaint.id, Complaint.supporters_count > 0)
                        .values(supporters_count=Complaint.supporters_count - 1))
        toolkit.audit("rabeg.complaint.support_withdrawn", "rabeg_complaint", str(complaint.id), actor=user)
    session.commit()
    return _answer(complaint, False)
