"""The life of a complaint after filing: which state changes are allowed, and how every change is recorded.

Every action on a complaint (a state change, a response, a note, a confirmation, a merge, a moderation,
a re-routing) goes through the helpers here: one append-only timeline entry, an audit record for staff
actions, and a message to the followers. State changes are compare-and-set, so two people (or a person
and the auto-close job) acting at the same moment cannot both win.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from ragem import toolkit

from plugins.rabeg.access import staff_complaint
from plugins.rabeg.models import Complaint, TimelineEntry
from plugins.rabeg.services.followers import notify_followers

#: What officers may do from each state. closed and rejected are final; resolved -> closed happens only
#: by the reporter's confirmation or the auto-close job, resolved -> reopened only by "not fixed", and
#: rejected as a duplicate only through the duplicate action.
TRANSITIONS = {
    "assigned": {"in_progress", "resolved", "rejected"},
    "in_progress": {"resolved", "rejected"},
    "reopened": {"in_progress", "resolved", "rejected"},
}
#: Reasons an officer may give when rejecting (``duplicate`` is set by the duplicate action only).
REJECT_REASONS = ("not_our_responsibility", "invalid")
STATE_NAMES = {
    "assigned": {"id": "diteruskan ke OPD", "en": "assigned"},
    "in_progress": {"id": "sedang ditangani", "en": "in progress"},
    "resolved": {"id": "selesai ditangani", "en": "resolved"},
    "closed": {"id": "ditutup", "en": "closed"},
    "rejected": {"id": "ditolak", "en": "rejected"},
    "reopened": {"id": "dibuka kembali", "en": "reopened"},
}


def refused(state: str, to: str) -> toolkit.Conflict:
    """The 409 for a state change that is not allowed from ``state`` (details name both states)."""
    return toolkit.Conflict(
        message={"id": "Perubahan status ini tidak diizinkan.", "en": "This state change is not allowed."},
        details={"from": state, "to": to},
    )


def change_state(complaint: Complaint, to: str, now: datetime, **values: Any) -> str:
    """Move ``complaint`` to ``to`` only if nobody changed its state meanwhile; returns the state it left.

    The UPDATE carries the state read earlier in its WHERE clause, so of two concurrent changes
    (an officer's and the auto-close job's, say) only one applies; the other gets the 409. It carries
    the OPD read earlier too: once a re-routing commits, the old OPD's officers can no longer change it.
    """
    before = complaint.state
    result = toolkit.db.session.execute(
        update(Complaint).where(Complaint.id == complaint.id, Complaint.state == before,
                                Complaint.opd_code == complaint.opd_code)
        .values(state=to, updated_at=now, **values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        toolkit.db.session.rollback()
        raise refused(before, to)
    return before


def add_entry(complaint: Complaint, actor: toolkit.Account | None, now: datetime, *, kind: str, from_state: str | None = None,
              to_state: str | None = None, public_message: str | dict[str, str] | None = None,
              internal_note: str | None = None) -> TimelineEntry:
    """Append a timeline entry (an entry that changes no state has from == to == the current state).

    ``public_message``: someone's own words as a string, or a message RAGEM writes as ``{"id", "en"}``.
    """
    bilingual = public_message if isinstance(public_message, dict) else None
    entry = TimelineEntry(
        complaint_id=complaint.id, actor_id=getattr(actor, "id", None), at=now, kind=kind,
        from_state=from_state or complaint.state, to_state=to_state or complaint.state,
        public_message=bilingual["id"] if bilingual else public_message,
        public_message_en=bilingual["en"] if bilingual else None, internal_note=internal_note,
    )
    toolkit.db.session.add(entry)
    toolkit.db.session.flush()
    return entry


def mark_first_response(complaint: Complaint, now: datetime) -> None:
    """The first officer action (a state change or a public response) stops the first-response clock."""
    if complaint.first_responded_at is None:
        complaint.first_responded_at = now


def title(complaint: Complaint, text: dict[str, str]) -> dict[str, str]:
    """A notification title naming the complaint: "Pengaduan RBG-2026-000001 <text>"."""
    return {"id": f"Pengaduan {complaint.public_number} {text['id']}",
            "en": f"Complaint {complaint.public_number} {text['en']}"}


def transition(complaint_id: int, actor: toolkit.Account, *, to: str, public_message: str | None = None,
               internal_note: str | None = None, reason: str | None = None,
               template_id: int | None = None) -> Complaint:
    """Move a complaint to state ``to`` (officers of the assigned OPD and admins); 409 if not allowed now.

    A ``template_id`` without ``public_message`` uses the template's Indonesian text.
    """
    from plugins.rabeg.services.templates import template_message  # templates import this module's helpers

    complaint = staff_complaint(complaint_id, actor)
    if to not in TRANSITIONS.get(complaint.state, set()):
        raise refused(complaint.state, to)
    if to == "rejected" and reason not in REJECT_REASONS:
        hint = "duplicates: POST /complaints/<id>/duplicate" if reason == "duplicate" else None
        raise toolkit.ValidationError(
            message={"id": "Sebutkan alasan penolakan: not_our_responsibility (bukan kewenangan kami) atau invalid "
                           "(tidak valid); duplikat ditandai lewat aksi duplikat.",
                     "en": "Give the reason for the rejection (not_our_responsibility or invalid); duplicates are "
                           "marked with the duplicate action."},
            details={"reason": hint or f"one of {', '.join(REJECT_REASONS)}"},
        )
    if template_id is not None:
        template_text = template_message(template_id, complaint, to)
        public_message = public_message or template_text
    now = toolkit.utcnow()
    values: dict[str, Any] = {"resolved_at": now} if to == "resolved" else {}
    if to == "rejected":
        # A rejection ends the complaint: it counts as the resolution time for the service levels.
        values["closed_at"] = now
    before = change_state(complaint, to, now, **values)
    mark_first_response(complaint, now)
    note = f"reason: {reason}" + (f"; {internal_note}" if internal_note else "") if to == "rejected" else internal_note
    add_entry(complaint, actor, now, kind="transition", from_state=before, to_state=to,
              public_message=public_message, internal_note=note)
    toolkit.audit("rabeg.complaint.transition", "rabeg_complaint", str(complaint.id),
                  before={"state": before}, after={"state": to, "reason": reason}, actor=actor)
    names = STATE_NAMES[to]
    notify_followers(complaint, kind=f"rabeg.complaint.{to}", title=title(complaint, names),
                     body=public_message or {"id": f"Status pengaduan: {names['id']}.",
                                             "en": f"The complaint is now {names['en']}."})
    toolkit.db.session.commit()
    return complaint
