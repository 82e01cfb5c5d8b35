"""Citizens raise an emergency from the app and follow it: their list, the detail and public timeline,
more information, a photo, cancelling."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.access import REPORT, visible_incident
from plugins.darurat112.schemas.fields import IncidentIdempotencyHeaderSchema
from plugins.darurat112.schemas.incidents import (
    IncidentCancelSchema, IncidentCreateSchema, IncidentInformationSchema, IncidentPhotoSchema,
    IncidentPhotoUploadSchema, IncidentRaisedSchema, IncidentSchema, MyIncidentPageSchema,
)
from plugins.darurat112.services import followup, intake, queue

blp = toolkit.Blueprint("darurat112_incidents", __name__, description="112: emergencies raised by citizens")


@blp.route("/incidents", methods=["POST"])
@toolkit.permission_required(REPORT)
@blp.arguments(IncidentIdempotencyHeaderSchema, location="headers")
@blp.arguments(IncidentCreateSchema)
@blp.response(201, IncidentRaisedSchema)
@blp.alt_response(200, schema=IncidentRaisedSchema,
                  description="a retry with a known Idempotency-Key: the first incident")
def raise_incident(headers, body):
    """Raise an emergency at a point in Kota Serang; committed before the answer, which is small: the
    incident's number and state. `Idempotency-Key` is required (the same key with another body: 422
    `idempotency_key_reused`)."""
    incident, created = intake.raise_incident(toolkit.current_user(), idempotency_key=headers["idempotency_key"],
                                              **body)
    return incident, 201 if created else 200


@blp.route("/incidents/mine")
@toolkit.permission_required(REPORT)
@blp.arguments(toolkit.PageArgsSchema, location="query")
@blp.response(200, MyIncidentPageSchema)
def list_my_incidents(args):
    """The caller's own incidents, newest first (`?limit=&cursor=`)."""
    items, next_cursor = queue.mine(toolkit.current_user(), **args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/incidents/<int:incident_id>")
@toolkit.login_required
@blp.response(200, IncidentSchema)
@blp.alt_response(404, response="NOT_FOUND", description="not the caller's incident (nor staff's), or none")
def get_incident(incident_id):
    """One incident with its timeline: the reporter sees the public steps, staff everything."""
    return visible_incident(incident_id, toolkit.current_user())


@blp.route("/incidents/<int:incident_id>/information", methods=["POST"])
@toolkit.permission_required(REPORT)
@blp.arguments(IncidentInformationSchema)
@blp.response(200, IncidentSchema)
def add_incident_information(body, incident_id):
    """The reporter adds information (on the public timeline); 409 once closed."""
    return followup.add_information(incident_id, toolkit.current_user(), **body)


@blp.route("/incidents/<int:incident_id>/cancel", methods=["POST"])
@toolkit.permission_required(REPORT)
@blp.arguments(IncidentCancelSchema)
@blp.response(200, IncidentSchema)
def cancel_incident(body, incident_id):
    """The reporter cancels; 409 `help_dispatched` once help is on its way (call 112), or once closed."""
    return followup.cancel(incident_id, toolkit.current_user(), **body)


@blp.route("/incidents/<int:incident_id>/photos", methods=["POST"])
@toolkit.permission_required(REPORT)
@blp.arguments(IncidentPhotoUploadSchema, location="multipart")
@blp.response(201, IncidentPhotoSchema)
def upload_incident_photo(body, incident_id):
    """The reporter sends a photo after raising the incident (JPEG or PNG, at most five; 413/415 as
    for any upload)."""
    return followup.add_photo(incident_id, toolkit.current_user(), body["file"])
