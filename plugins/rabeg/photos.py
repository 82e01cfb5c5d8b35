"""Complaint and response photos: uploaded first, attached when the complaint or response is filed.

The bytes go through ``toolkit.save_upload`` (type judged by content, JPEG or PNG only, EXIF and
GPS stripped), and a small JPEG thumbnail (``toolkit.save_thumbnail``) is stored beside each photo
for lists. Photos are never public files: whoever may see a complaint gets short-lived signed links.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import Complaint, Photo

ALLOWED = frozenset({"image/jpeg", "image/png"})
#: Largest photo unless RAGEM_RABEG_PHOTO_MAX_BYTES says otherwise.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_BYTES = toolkit.PluginSetting("RABEG_PHOTO_MAX_BYTES", parse=toolkit.positive_int, default=DEFAULT_MAX_BYTES,
                                  help="largest photo a citizen or officer may upload, in bytes")
MAX_PER_ITEM = 5  # per complaint and per officer response
THUMBNAIL_PX = 320
#: An uploaded photo never filed with a complaint or response is deleted after this long.
UNATTACHED_KEEP = timedelta(hours=24)
#: How long a photo link in a complaint answer works (long enough to scroll, short enough to not leak).
URL_TTL_SECONDS = 600


def max_bytes() -> int:
    """The photo size limit of this app (RAGEM_RABEG_PHOTO_MAX_BYTES)."""
    return MAX_BYTES.value()


def upload(data: Any, *, uploader: toolkit.Account) -> Photo:
    """Store one photo and its thumbnail for ``uploader``; the photo waits, unattached, until filed.

    :raises toolkit.ApiError: 413 too large, 415 not JPEG/PNG by content, 422 corrupt.
    """
    session = toolkit.db.session
    stored = toolkit.save_upload(data, owner_id=uploader.id, purpose="rabeg.photo", allowed=ALLOWED,
                                 max_bytes=max_bytes())
    thumb = toolkit.save_thumbnail(stored, max_px=THUMBNAIL_PX, purpose="rabeg.thumbnail")
    photo = Photo(uploader_id=uploader.id, complaint_id=None, kind="report", file_id=stored.id,
                  thumbnail_file_id=thumb.id, content_type=stored.content_type, position=0, hidden=False,
                  created_at=toolkit.utcnow())
    session.add(photo)
    session.commit()
    return photo


def check_count(count: int) -> None:
    """Refuse more than ``MAX_PER_ITEM`` photos for one complaint or response.

    :raises toolkit.ValidationError: 422 naming the limit in ``details.photos``.
    """
    if count > MAX_PER_ITEM:
        raise toolkit.ValidationError(
            message={"id": f"Paling banyak {MAX_PER_ITEM} foto.", "en": f"At most {MAX_PER_ITEM} photos."},
            details={"photos": f"at most {MAX_PER_ITEM}, got {count}"},
        )


def check_attachable(photo_ids: Iterable[Any] | None, *, uploader: toolkit.Account) -> list[Photo]:
    """The photos ``photo_ids`` in the given order, if each is the uploader's and still unattached.

    :raises toolkit.ValidationError: more than ``MAX_PER_ITEM``, a repeated id, or an id that is not
        the uploader's free photo (named in ``details.photos``; 422 either way, so ids cannot be probed).
    """
    ids = list(photo_ids or [])
    if not ids:
        return []
    check_count(len(ids))
    if any(not isinstance(i, int) or isinstance(i, bool) for i in ids) or len(set(ids)) != len(ids):
        raise toolkit.ValidationError(details={"photos": "distinct photo ids"})
    uploader_id = getattr(uploader, "id", None)
    # Locked until the filing commits (PostgreSQL), so two filings racing for one photo cannot both take it.
    rows = {p.id: p for p in toolkit.db.session.scalars(select(Photo).where(Photo.id.in_(
        [i for i in ids if 0 < i < 2**31])).with_for_update())} if uploader_id else {}
    bad = [i for i in ids if i not in rows or rows[i].uploader_id != uploader_id or rows[i].complaint_id is not None]
    if bad:
        raise toolkit.ValidationError(
            message={"id": "Foto tidak ditemukan atau sudah dipakai.", "en": "Photo not found or already used."},
            details={"photos": {str(i): "not your unattached photo" for i in bad}},
        )
    return [rows[i] for i in ids]


def attach(photo_ids: Iterable[Any] | None, *, uploader: toolkit.Account, complaint: Complaint, kind: str = "report",
           timeline_entry: Any = None) -> list[Photo]:
    """Attach the uploader's free photos to ``complaint`` (``kind`` report or response) in the given order.

    For an officer's response pass its ``timeline_entry``. Checked as in ``check_attachable`` (at most
    five each time); the caller commits.
    """
    if kind not in ("report", "response"):
        raise ValueError("kind is report or response")
    photos = check_attachable(photo_ids, uploader=uploader)
    entry_id = getattr(timeline_entry, "id", timeline_entry)
    for position, photo in enumerate(photos):
        photo.complaint_id = complaint.id
        photo.kind = kind
        photo.position = position
        photo.timeline_entry_id = entry_id
    return photos


def public_photos(complaint: Complaint) -> list[Photo]:
    """The complaint's photos anyone may see: moderated (hidden) ones never, in the complaint's order."""
    return [photo for photo in complaint.photos if not photo.hidden]


def delete_unattached(older_than: timedelta = UNATTACHED_KEEP) -> int:
    """Delete photos uploaded but never filed (an abandoned form) once ``older_than`` has passed,
    bytes and thumbnail included; returns how many. Runs as the periodic job ``rabeg.photo-cleanup``."""
    session = toolkit.db.session
    cutoff = toolkit.utcnow() - older_than
    stale = list(session.scalars(select(Photo).where(Photo.complaint_id.is_(None), Photo.created_at < cutoff)
                                 .limit(1000)))
    discard(stale)
    session.commit()
    return len(stale)


def discard(unattached: Iterable[Photo]) -> None:
    """Delete photos that were never filed, their bytes and thumbnails included; the caller commits.

    An attached photo is left alone: it belongs to a complaint's record now.
    """
    session = toolkit.db.session
    for photo in unattached:
        if photo.complaint_id is not None:
            continue
        session.delete(photo)
        for file_id in (photo.file_id, photo.thumbnail_file_id):
            if file_id:
                toolkit.delete_file(file_id)
