"""The public view of complaints (no login): a list and a map feed, with no personal data.

Here the rules every public view follows (the list and the map, Open311 GET and the "nearby" list
before filing): which complaints are published (``published``), the public form of their text
(``public_description``, ``public_text``) and of their place (``public_point``). Then the filters
and the queries; what the public may read of a complaint is written out field by field in
``schemas.public.PublicComplaintSchema``.
"""
from __future__ import annotations

import math

from sqlalchemy import and_, false, select
from sqlalchemy.orm import selectinload

from ragem import toolkit

from plugins.rabeg.masking import mask_personal_data
from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import category_codes
from plugins.rabeg.services.queues import check_codes

MAP_LIMIT = 2000
#: Public points are rounded to 3 decimal places of a degree: in Kota Serang (6° S) a cell of about
#: 111 m north-south by 110 m east-west. That still puts a pothole on the right stretch of road and
#: a flood in the right neighbourhood, but no longer on one house: a cell holds dozens of homes.
COORDINATE_DECIMALS = 3
_CELLS_PER_DEGREE = 10**COORDINATE_DECIMALS


def published():
    """SQL condition: the complaints the public may see (the reporter did not mark it private, and
    its category publishes its complaints). The others still count in the KPIs and stay whole for
    their reporter and the staff."""
    return and_(Complaint.private.is_(False),
                Complaint.category_id.in_(select(Category.id).where(Category.complaints_public.is_(True))))


def is_published(complaint: Complaint) -> bool:
    """``published()`` for one complaint already loaded."""
    return not complaint.private and complaint.category.complaints_public


def public_text(text: str | None) -> str | None:
    """Text someone wrote, as the public reads it: NIK, phone numbers and email addresses masked."""
    return mask_personal_data(text)


def public_coordinate(value: float | None) -> float | None:
    """A latitude or longitude as the public sees it: the centre line of its grid cell (rounded half up)."""
    if value is None:
        return None
    return math.floor(value * _CELLS_PER_DEGREE + 0.5) / _CELLS_PER_DEGREE


def public_point(complaint: Complaint) -> tuple[float | None, float | None]:
    """``(lat, lon)`` the public may see: rounded (``public_coordinate``), and none at all for a complaint
    that is not published (a private category's complaints never reach a public view anyway)."""
    if not is_published(complaint):
        return None, None
    return public_coordinate(complaint.lat), public_coordinate(complaint.lon)


def in_public_range(column, low: float, high: float):
    """SQL condition: ``column``'s *public* (rounded) value lies within ``[low, high]``.

    A filter on the exact value would leak it: shrinking a box around a marker until it empties
    would find the exact point. Here the box is snapped to the grid, so it answers only what the
    rounded points say. Still a range on the exact column, so its index serves the query.
    """
    # Cells whose centre is within [low, high] (rounded first: -6.07 * 1000 is -6070.000000000001).
    first = math.ceil(round(low * _CELLS_PER_DEGREE, 6))
    last = math.floor(round(high * _CELLS_PER_DEGREE, 6))
    if first > last:
        return false()
    return and_(column >= (first - 0.5) / _CELLS_PER_DEGREE, column < (last + 0.5) / _CELLS_PER_DEGREE)


def public_description(complaint) -> str | None:
    """The description the public reads: the moderated text when there is one, masked.

    ``complaint`` is a ``Complaint`` or a row with its ``description`` and ``moderated_description``.
    """
    return public_text(complaint.moderated_description or complaint.description)


def _filtered(*, category: str | None, state: list[str] | None, kelurahan: str | None,
              bbox: tuple[float, float, float, float] | None):
    """The public complaints matching the filters (unknown category or kelurahan: 422)."""
    check_codes(category=category, kecamatan=None, kelurahan=kelurahan)
    stmt = select(Complaint).where(published())
    if category:
        stmt = stmt.where(Complaint.category_id == select(Category.id).where(Category.code == category)
                          .scalar_subquery())
    if state:
        stmt = stmt.where(Complaint.state.in_(state))
    if kelurahan:
        stmt = stmt.where(Complaint.kelurahan_code == kelurahan)
    if bbox:
        min_lon, min_lat, max_lon, max_lat = bbox
        stmt = stmt.where(in_public_range(Complaint.lat, min_lat, max_lat),
                          in_public_range(Complaint.lon, min_lon, max_lon))
    return stmt


def public_list(*, category=None, state=None, kelurahan=None, bbox=None, limit: int, cursor: str | None) -> dict:
    """A page of public complaints, newest first (keyset pagination), with their categories and photos."""
    stmt = _filtered(category=category, state=state, kelurahan=kelurahan, bbox=bbox)
    stmt = stmt.options(selectinload(Complaint.category), selectinload(Complaint.photos))
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.created_at, Complaint.id],
                                         limit=limit, cursor=cursor)
    return {"items": rows, "next_cursor": next_cursor}


def map_feed(*, category=None, state=None, kelurahan=None, bbox=None, limit: int = MAP_LIMIT) -> dict:
    """A GeoJSON FeatureCollection of the newest matching complaints that have a map point (at most ``limit``),
    each at its public (rounded) point."""
    stmt = _filtered(category=category, state=state, kelurahan=kelurahan, bbox=bbox)
    # Only what a marker needs, read as plain columns: thousands of points without loading whole rows.
    # Duplicates are left off the map: their original is the marker.
    stmt = (stmt.where(Complaint.lat.is_not(None), Complaint.lon.is_not(None), Complaint.duplicate_of_id.is_(None))
            .with_only_columns(Complaint.id, Complaint.public_number, Complaint.category_id, Complaint.state,
                               Complaint.created_at, Complaint.lat, Complaint.lon)
            .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit + 1))
    rows = toolkit.db.session.execute(stmt).all()
    codes = category_codes() if rows else {}
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [public_coordinate(row.lon), public_coordinate(row.lat)]},
        "properties": {"id": row.id, "public_number": row.public_number, "category": codes[row.category_id],
                       "state": row.state, "created_at": row.created_at},
    } for row in rows[:limit]]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}
