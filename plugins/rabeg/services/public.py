"""The public view of complaints (no login): a list and a map feed, with no personal data.

Here the rules every public view follows (the list and the map, Open311 GET and the "nearby" list
before filing): which complaints are published (``published``) and the public form of their text
(``public_description``, ``public_text``). Then the filters and the queries; what the public may
read of a complaint is written out field by field in ``schemas.public.PublicComplaintSchema``.
"""
from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from ragem import toolkit

from plugins.rabeg.masking import mask_personal_data
from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import category_codes
from plugins.rabeg.services.queues import check_codes

MAP_LIMIT = 2000


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
        stmt = stmt.where(Complaint.lat.between(min_lat, max_lat), Complaint.lon.between(min_lon, max_lon))
    return stmt


def public_list(*, category=None, state=None, kelurahan=None, bbox=None, limit: int, cursor: str | None) -> dict:
    """A page of public complaints, newest first (keyset pagination), with their categories and photos."""
    stmt = _filtered(category=category, state=state, kelurahan=kelurahan, bbox=bbox)
    stmt = stmt.options(selectinload(Complaint.category), selectinload(Complaint.photos))
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.created_at, Complaint.id],
                                         limit=limit, cursor=cursor)
    return {"items": rows, "next_cursor": next_cursor}


def map_feed(*, category=None, state=None, kelurahan=None, bbox=None, limit: int = MAP_LIMIT) -> dict:
    """A GeoJSON FeatureCollection of the newest matching complaints that have a map point (at most ``limit``)."""
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
        "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
        "properties": {"id": row.id, "public_number": row.public_number, "category": codes[row.category_id],
                       "state": row.state, "created_at": row.created_at},
    } for row in rows[:limit]]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}
