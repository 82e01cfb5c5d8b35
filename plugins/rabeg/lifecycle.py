"""The life of a complaint after filing: officers move it along, respond, or reject it."""
from __future__ import annotations

from typing import Any

from ragem import toolkit

from plugins.rabeg.access import staff_complaint
from plugins.rabeg.models import TimelineEntry
from plugins.rabeg.present import complaint_view


# The life of a complaint, as far as this slice goes: officers move it along or reject it.
TRANSITIONS = {
    "assigned": {"in_progress", "resolved", "rejected"},
    "in_progress": {"resolved", "rejected"},
    "reopened": {"in_progress", "resolved", "rejected"},
}
REJECT_REASONS = ("not_our_responsibility", "duplicate", "invalid")
STATE_NAMES = {
    "in_progress": {"id": "sedang ditangani", "en": "in progress"},
    "resolved": {"id": "selesai ditangani", "en": "resolved"},
    "rejected": {"id": "ditolak", "en": "rejected"},
}


def transition(complaint_id: int, actor: Any, *, to: str, public_message: str | None = None,
               internal_note: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Move a complaint to state ``to`` (officers of the assigned OPD and admins); 409 if not allowed now."""
    session = toolkit.db.session
    complaint = staff_complaint(complaint_id, actor)
    if to not in TRANSITIONS.get(complaint.state, set()):
        raise toolkit.Conflict(
            message={"id": "Perubahan status ini tidak diizinkan.", "en": "This state change is not allowed."},
            details={"from": complaint.state, "to": to},
        )
    if to == "rejected" and reason not in REJECT_REASONS:
        raise toolkit.ValidationError(
            message={"id": "Sebutkan alasan penolakan.", "en": "Give the reason for the rejection."},
            details={"reason": f"one of {', '.join(REJECT_REASONS)}"},
        )
    now = toolkit.utcnow()
    before = complaint.state
    complaint.state = to
    if complaint.first_responded_at is None:
        complaint.first_responded_at = now
    if to == "resolved":
        complaint.resolved_at = now
    note = internal_note
    if to == "rejected":
        note = f"reason: {reason}" + (f"; {internal_note}" if internal_note else "")
    session.add(TimelineEntry(complaint_id=complaint.id, actor_id=actor.id, at=now, from_state=before, to_state=to,
                              public_message=public_message, internal_note=note))
    toolkit.audit("rabeg.complaint.transition", "rabeg_complaint", str(complaint.id),
                  before={"state": before}, after={"state": to, "reason": reason}, actor=actor)
    if complaint.reporter_id:
        names = STATE_NAMES[to]
        toolkit.notify(
            complaint.reporter_id, kind=f"rabeg.complaint.{to}", service="rabeg",
            title={"id": f"Pengaduan {complaint.public_number} {names['id']}",
                   "en": f"Complaint {complaint.public_number} {names['en']}"},
            body=public_message or {"id": f"Status pengaduan Anda: {names['id']}.", "en": f"Your complaint is now {names['en']}."},
            data={"complaint_id": complaint.id},
        )
    session.commit()
    return complaint_view(complaint, actor)


