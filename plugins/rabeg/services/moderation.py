"""Moderation: officers replace the public text of a complaint or hide photos; the originals are kept."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.access import staff_complaint
from plugins.rabeg.models import Complaint, Photo
from plugins.rabeg.services.lifecycle import add_entry, title

MODERATED = {"id": "dimoderasi", "en": "moderated"}


def _photos(complaint_id: int, photo_ids: list[int]) -> list[Photo]:
    """The complaint's photos with ``photo_ids``; 422 naming any id that is not one of them."""
    wanted = list(dict.fromkeys(photo_ids))
    rows = toolkit.db.session.scalars(
        select(Photo).where(Photo.complaint_id == complaint_id, Photo.id.in_([i for i in wanted if 0 < i < 2**31]))
    ).all()
    unknown = sorted(set(wanted) - {p.id for p in rows})
    if unknown:
        raise toolkit.ValidationError(
            message={"id": "Foto tidak termasuk dalam pengaduan ini.", "en": "Photo not part of this complaint."},
            details={"hide_photos": unknown},
        )
    return list(rows)


def moderate(complaint_id: int, actor: toolkit.Account, *, reason: str, description: str | None = None,
             hide_photos: list[int] | None = None) -> Complaint:
    """Set the public description and/or hide photos of a complaint, and tell the reporter why."""
    complaint = staff_complaint(complaint_id, actor)
    if description is None and not hide_photos:
        raise toolkit.ValidationError(
            message={"id": "Berikan teks pengganti atau foto yang disembunyikan.",
                     "en": "Give a replacement text or photos to hide."},
            details={"description": "required without hide_photos", "hide_photos": "required without description"},
        )
    photos = _photos(complaint.id, hide_photos) if hide_photos else []
    reason = reason.strip()
    now = toolkit.utcnow()
    before = {"moderated_description": complaint.moderated_description,
              "hidden_photos": sorted(p.id for p in photos if p.hidden)}
    if description is not None:
        complaint.moderated_description = description.strip()
    for photo in photos:
        photo.hidden, photo.hidden_reason = True, reason
    complaint.updated_at = now
    changed = (["description"] if description is not None else []) + (["photos"] if photos else [])
    what = ", ".join(changed)
    message = {"id": f"Petugas menyesuaikan tampilan publik pengaduan ini ({what}). Alasan: {reason}",
               "en": f"An officer adjusted what the public sees of this complaint ({what}). Reason: {reason}"}
    add_entry(complaint, actor, now, kind="moderation", public_message=message,
              internal_note=f"moderation: {', '.join(changed)}; hidden photos {[p.id for p in photos]}")
    toolkit.audit("rabeg.complaint.moderate", "rabeg_complaint", str(complaint.id), before=before,
                  after={"moderated_description": complaint.moderated_description,
                         "hidden_photos": sorted(p.id for p in photos)}, reason=reason, actor=actor)
    # Only the reporter: it is their text and their photos; supporters see the public version anyway.
    if complaint.reporter_id:
        toolkit.notify(complaint.reporter_id, kind="rabeg.complaint.moderated", service="rabeg",
                       title=title(complaint, MODERATED), body=message, data={"complaint_id": complaint.id})
    toolkit.db.session.commit()
    return complaint
