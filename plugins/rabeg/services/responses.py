"""Officers answer: public responses (told to the followers) and internal notes (seen by staff only)."""
from __future__ import annotations

import logging
from typing import Any, Iterable

from ragem import toolkit

from plugins.rabeg.access import staff_complaint
from plugins.rabeg.models import Complaint
from plugins.rabeg.photos import attach, check_attachable, check_count, discard, upload
from plugins.rabeg.services.followers import notify_followers
from plugins.rabeg.services.lifecycle import add_entry, mark_first_response, title
from plugins.rabeg.services.templates import template_message

ANSWERED = {"id": "mendapat tanggapan", "en": "has a new response"}

log = logging.getLogger("ragem.plugins.rabeg")


def respond(complaint_id: int, actor: toolkit.Account, *, public_message: str | None = None, photos: list[int] | None = None,
            template_id: int | None = None) -> Complaint:
    """Post a public response (a template's Indonesian text when no message is given); counts as first response."""
    complaint = staff_complaint(complaint_id, actor)
    if template_id is not None:
        template_text = template_message(template_id, complaint, complaint.state)
        public_message = public_message or template_text
    if not public_message:
        raise toolkit.ValidationError(
            message={"id": "Tulis tanggapan atau pilih templat.", "en": "Write a response or pick a template."},
            details={"public_message": "required without template_id"},
        )
    if photos:
        # Checked before anything is written: a refused photo leaves no half-recorded response.
        check_attachable(photos, uploader=actor)
    now = toolkit.utcnow()
    mark_first_response(complaint, now)
    complaint.updated_at = now
    entry = add_entry(complaint, actor, now, kind="response", public_message=public_message)
    if photos:
        attach(photos, uploader=actor, complaint=complaint, kind="response", timeline_entry=entry)
    toolkit.audit("rabeg.complaint.response", "rabeg_complaint", str(complaint.id),
                  after={"timeline_entry_id": entry.id, "template_id": template_id, "photos": photos or []},
                  actor=actor)
    notify_followers(complaint, kind="rabeg.complaint.response", title=title(complaint, ANSWERED), body=public_message)
    toolkit.db.session.commit()
    return complaint


def respond_with_uploads(complaint_id: int, actor: toolkit.Account, *, uploads: Iterable[Any] = (),
                         public_message: str | None = None, template_id: int | None = None) -> Complaint:
    """Post a public response with photo files (the console's form): each file is stored as
    ``POST /photos`` stores it (``photos.upload``), then ``respond`` attaches them.

    All or nothing: when a photo or the response is refused, the photos stored so far are deleted
    (rows, bytes and thumbnails) before the refusal is raised, so none waits for the cleanup job.

    :raises toolkit.ApiError: as ``respond`` and ``photos.upload`` (404 for another OPD's officer,
        413/415/422 for a photo, 422 for more than ``MAX_PER_ITEM`` photos).
    """
    uploads = list(uploads)
    # Checked before any byte is stored: a stranger or a sixth photo stores nothing at all.
    staff_complaint(complaint_id, actor)
    check_count(len(uploads))
    stored = []
    try:
        for data in uploads:
            stored.append(upload(data, uploader=actor))
        return respond(complaint_id, actor, public_message=public_message, template_id=template_id,
                       photos=[photo.id for photo in stored] or None)
    except Exception:
        _discard_after_refusal(stored)
        raise


def _discard_after_refusal(stored: list) -> None:
    """Undo a refused response's half-done work and delete the photos it had stored (committed)."""
    session = toolkit.db.session
    session.rollback()
    if not stored:
        return
    ids = [photo.id for photo in stored]
    try:
        discard(stored)
        session.commit()
    except Exception:  # noqa: BLE001 - the refusal is what the officer must see; the job deletes them later
        session.rollback()
        log.exception("rabeg response photos not deleted; the photo-cleanup job will",
                      extra={"photos": ids})


def add_note(complaint_id: int, actor: toolkit.Account, *, internal_note: str) -> Complaint:
    """Add an internal note: staff of the assigned OPD and admins read it; nobody is notified."""
    complaint = staff_complaint(complaint_id, actor)
    now = toolkit.utcnow()
    entry = add_entry(complaint, actor, now, kind="note", internal_note=internal_note)
    # The audit log is read by admins only, but the note's text stays on the timeline alone.
    toolkit.audit("rabeg.complaint.note", "rabeg_complaint", str(complaint.id),
                  after={"timeline_entry_id": entry.id}, actor=actor)
    toolkit.db.session.commit()
    return complaint
