"""Duplicates: a complaint about a problem already reported is merged into the original.

The duplicate is rejected (reason duplicate) and points to the original; its reporter and supporters
become supporters of the original, so they follow the one complaint that is being worked on.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg.access import is_staff_for, load_complaint, staff_complaint
from plugins.rabeg.models import Complaint, Supporter
from plugins.rabeg.services.followers import follower_ids, notify_followers
from plugins.rabeg.services.lifecycle import TRANSITIONS, add_entry, change_state, mark_first_response, refused, title

FINAL_STATES = ("closed", "rejected")


def _bad_original(original_id: int, problem: str, message: dict[str, str], **details: Any) -> toolkit.ValidationError:
    return toolkit.ValidationError(message=message, details={"original_id": original_id, "problem": problem, **details})


def _original(original_id: int, duplicate: Complaint, actor: toolkit.Account) -> Complaint:
    """The complaint ``original_id`` if it may absorb ``duplicate``; 422 (or 409 for its state) otherwise."""
    if original_id == duplicate.id:
        raise _bad_original(original_id, "same", {"id": "Pengaduan tidak dapat menjadi duplikat dirinya sendiri.",
                                                  "en": "A complaint cannot duplicate itself."})
    original = load_complaint(original_id)
    if original is None or not is_staff_for(actor, original):
        # Same answer for "does not exist" and "not yours to see": no number is confirmed to outsiders.
        raise _bad_original(original_id, "unknown", {"id": "Pengaduan asli tidak ditemukan.",
                                                     "en": "The original complaint was not found."})
    if original.duplicate_of_id is not None:
        root = original
        while root.duplicate_of_id is not None:
            root = toolkit.db.session.get(Complaint, root.duplicate_of_id)
        raise _bad_original(original_id, "is_duplicate",
                            {"id": f"Pengaduan itu sendiri duplikat; gunakan pengaduan asli {root.public_number}.",
                             "en": f"That complaint is itself a duplicate; use the original {root.public_number}."},
                            root_id=root.id, root_number=root.public_number)
    if original.state in FINAL_STATES:
        raise toolkit.Conflict(
            message={"id": "Pengaduan asli sudah ditutup atau ditolak.",
                     "en": "The original complaint is closed or rejected."},
            details={"original_id": original_id, "original_state": original.state},
        )
    return original


def _merge_followers(duplicate: Complaint, original: Complaint) -> int:
    """Make the duplicate's reporter and supporters supporters of the original (once each); returns how many joined."""
    session = toolkit.db.session
    already = set(session.scalars(select(Supporter.user_id).where(Supporter.complaint_id == original.id)))
    if original.reporter_id:
        already.add(original.reporter_id)
    joined = 0
    for user_id in follower_ids(duplicate):
        if user_id in already:
            continue
        session.add(Supporter(complaint_id=original.id, user_id=user_id))
        already.add(user_id)
        joined += 1
    if joined:
        # In SQL, so a "me too" counted at the same moment is not lost.
        original.supporters_count = Complaint.supporters_count + joined
    return joined


def mark_duplicate(complaint_id: int, actor: toolkit.Account, *, original_id: int,
                   public_message: str | None = None) -> Complaint:
    """Reject ``complaint_id`` as a duplicate of ``original_id`` and move its followers to the original."""
    duplicate = staff_complaint(complaint_id, actor)
    if "rejected" not in TRANSITIONS.get(duplicate.state, set()):
        raise refused(duplicate.state, "rejected")
    original = _original(original_id, duplicate, actor)
    now = toolkit.utcnow()
    merged = {"id": f"Pengaduan ini sama dengan pengaduan {original.public_number} dan digabungkan ke sana; Anda akan "
                    "menerima kabar perkembangannya.",
              "en": f"This complaint is the same as {original.public_number} and was merged into it; you will hear "
                    "how it progresses."}
    message = public_message or merged
    before = change_state(duplicate, "rejected", now, duplicate_of_id=original.id, closed_at=now)
    mark_first_response(duplicate, now)  # telling the reporter where their complaint went is an answer
    add_entry(duplicate, actor, now, kind="duplicate", from_state=before, to_state="rejected", public_message=message,
              internal_note=f"reason: duplicate; duplicate of {original.public_number}")
    joined = _merge_followers(duplicate, original)
    add_entry(original, actor, now, kind="duplicate",
              public_message={"id": f"Pengaduan {duplicate.public_number} digabungkan ke pengaduan ini.",
                              "en": f"Complaint {duplicate.public_number} was merged into this one."},
              internal_note=f"merged duplicate {duplicate.public_number}; {joined} new supporter(s)")
    toolkit.audit("rabeg.complaint.duplicate", "rabeg_complaint", str(duplicate.id),
                  before={"state": before}, after={"state": "rejected", "reason": "duplicate",
                                                   "duplicate_of": original.id, "supporters_joined": joined},
                  actor=actor)
    notify_followers(duplicate, kind="rabeg.complaint.duplicate",
                     title=title(duplicate, {"id": "digabungkan", "en": "merged"}),
                     body=public_message or merged,
                     # A complainant without an account cannot follow the original: no promise of news.
                     sms_body=public_message or (f"Pengaduan ini sama dengan pengaduan {original.public_number} dan "
                                                 "digabungkan ke sana. Tanyakan perkembangannya dengan nomor itu."))
    try:
        toolkit.db.session.commit()
    except IntegrityError:
        # Someone joined the original as a supporter at this very moment: nothing is applied, ask for a retry.
        toolkit.db.session.rollback()
        raise toolkit.Conflict(
            message={"id": "Pengaduan berubah bersamaan; silakan coba lagi.",
                     "en": "The complaint changed meanwhile; try again."},
            details={"original_id": original_id},
        )
    return duplicate
