"""The RABEG lifecycle API: responses, notes, confirmation, duplicates, moderation and re-routing."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import FILE, HANDLE
from plugins.rabeg.schemas.complaints import ComplaintSchema
from plugins.rabeg.services import confirmation, duplicates, moderation, reroute, responses
from plugins.rabeg.schemas.lifecycle import (
    ConfirmationSchema,
    DuplicateSchema,
    ModerationSchema,
    NoteCreateSchema,
    ResponseCreateSchema,
    RerouteSchema,
)

blp = toolkit.Blueprint("rabeg_lifecycle", __name__, description="RABEG: the life of a complaint after filing")

STAFF_ERRORS = "403: not the assigned OPD's staff (its reporter); 404: unknown or not visible to the caller"


@blp.route("/complaints/<int:complaint_id>/responses", methods=["POST"])
@toolkit.permission_required(HANDLE)
@blp.arguments(ResponseCreateSchema)
@blp.response(201, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description=STAFF_ERRORS)
def respond_to_complaint(body, complaint_id):
    """Post a public response (told to the reporter and supporters); the first one stops the first-response clock."""
    return responses.respond(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints/<int:complaint_id>/notes", methods=["POST"])
@toolkit.permission_required(HANDLE)
@blp.arguments(NoteCreateSchema)
@blp.response(201, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description=STAFF_ERRORS)
def add_complaint_note(body, complaint_id):
    """Add an internal note (never shown to the reporter or the public; nobody is notified)."""
    return responses.add_note(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints/<int:complaint_id>/confirmation", methods=["POST"])
@toolkit.permission_required(FILE)
@blp.arguments(ConfirmationSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description="not the caller's complaint, or no such complaint")
@blp.alt_response(409, response="CONFLICT", description="the complaint is not resolved (or was already confirmed)")
def confirm_complaint(body, complaint_id):
    """The reporter confirms a resolution: fixed closes it, not fixed reopens it with a new deadline; rated 1-5."""
    return confirmation.confirm(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints/<int:complaint_id>/duplicate", methods=["POST"])
@toolkit.permission_required(HANDLE)
@blp.arguments(DuplicateSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description=STAFF_ERRORS)
@blp.alt_response(409, response="CONFLICT",
                  description="this complaint can no longer be rejected, or the original is closed/rejected")
def mark_complaint_duplicate(body, complaint_id):
    """Reject the complaint as a duplicate of an open one; its reporter and supporters follow the original."""
    return duplicates.mark_duplicate(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints/<int:complaint_id>/moderation", methods=["POST"])
@toolkit.permission_required(HANDLE)
@blp.arguments(ModerationSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description=STAFF_ERRORS)
def moderate_complaint(body, complaint_id):
    """Replace the public text and/or hide photos (the originals are kept); the reporter is told why."""
    return moderation.moderate(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints/<int:complaint_id>/reroute", methods=["POST"])
@toolkit.permission_required(HANDLE)
@blp.arguments(RerouteSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(403, response="FORBIDDEN", description="not a Diskominfo admin (rabeg.admin)")
@blp.alt_response(404, response="NOT_FOUND", description=STAFF_ERRORS)
@blp.alt_response(409, response="CONFLICT", description="the complaint is no longer open")
def reroute_complaint(body, complaint_id):
    """Send an open complaint to another OPD (admins, rabeg.admin; audited, counted as a routing error)."""
    return reroute.reroute(complaint_id, toolkit.current_user(), **body)
