"""The public view of complaints (no login): a list and a map feed, with no personal data.

What the public may read is written out field by field in ``public_item``: the reporter's account,
contact details, address text and internal notes never appear, the name only when the reporter
allowed it (and never for an anonymous report), the moderated text instead of the original.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg import photos
from plugins.rabeg.models import Category, Complaint, Photo
from plugins.rabeg.seed import category_codes
from plugins.rabeg.services.queues import check_codes

MAP_LIMIT = 2000


def _photo_item(photo: Photo) -> dict[str, Any]:
    """A public photo: signed links to the (EXIF-free) picture and its thumbnail, nothing about the uploader."""
    return {"id": photo.id, "kind": photo.kind, "url": toolkit.signed_url(photo.file_id, photos.URL_TTL_SECONDS),
            "thumbnail_url": toolkit.signed_url(photo.thumbnail_file_id, photos.URL_TTL_SECONDS)
            if photo.thumbnail_file_id else None}


def public_photos_of(complaint_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The visible photos of a page of complaints in one query (``photos.public_photos`` does one complaint).

    Same rule and order as ``photos.public_photos``: moderated (hidden) photos never, report photos
    first in the citizen's order, then response photos as posted.
    """
    found: dict[int, list[dict[str, Any]]] = {cid: [] for cid in complaint_ids}
    if not complaint_ids:
        return found
    stmt = (select(Photo).where(Photo.complaint_id.in_(complaint_ids), Photo.hidden.is_(False))
            .order_by(Photo.complaint_id, Photo.kind, Photo.timeline_entry_id, Photo.position, Photo.id))
    for photo in toolkit.db.session.scalars(stmt):
        found[photo.complaint_id].append(_photo_item(photo))
    return found


def public_item(complaint: Complaint, category_code: str,
                photo_items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``complaint`` as anyone may see it (``photo_items``: its public photos, read here when not given)."""
    item = {
        "id": complaint.id, "public_number": complaint.public_number, "category": category_code,
        "state": complaint.state, "kelurahan": complaint.kelurahan_code, "created_at": complaint.created_at,
        "first_responded_at": complaint.first_responded_at, "resolved_at": complaint.resolved_at,
        "closed_at": complaint.closed_at, "supporters_count": complaint.supporters_count,
    }
    if complaint.duplicate_of_id is not None:
        # A duplicate says only that it existed and was merged: its text, point and photos are the
        # same problem as its original's, and its reporter follows the original now.
        return {**item, "description": None, "lat": None, "lon": None, "reporter_name": None, "photos": []}
    shows_name = complaint.show_name_publicly and not complaint.anonymous
    return {
        **item,
        "description": complaint.moderated_description or complaint.description,
        # The place of a public problem (a road, a drain), as filed; never the address text.
        "lat": complaint.lat, "lon": complaint.lon,
        "reporter_name": complaint.reporter_display_name if shows_name else None,
        "photos": public_photos_of([complaint.id])[complaint.id] if photo_items is None else photo_items,
    }


def _filtered(*, category: str | None, state: list[str] | None, kelurahan: str | None,
              bbox: tuple[float, float, float, float] | None):
    """The public complaints matching the filters (unknown category or kelurahan: 422)."""
    check_codes(category=category, kecamatan=None, kelurahan=kelurahan)
    stmt = select(Complaint)
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
    """A page of public complaints, newest first (keyset pagination)."""
    stmt = _filtered(category=category, state=state, kelurahan=kelurahan, bbox=bbox)
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.created_at, Complaint.id],
                                         limit=limit, cursor=cursor)
    codes = category_codes() if rows else {}
    pictures = public_photos_of([c.id for c in rows])
    return {"items": [public_item(c, codes[c.category_id], pictures[c.id]) for c in rows], "next_cursor": next_cursor}


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
