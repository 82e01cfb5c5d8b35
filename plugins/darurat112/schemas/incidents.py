"""What the citizen's incident routes accept and answer, and how an incident and its timeline are shown."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, post_dump, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.darurat112.access import is_staff_for
from plugins.darurat112.models import DISPATCH_STATES, OUTCOMES, STATES, TYPES
from plugins.darurat112.schemas.fields import SHORT_TEXT, TEXT, accuracy, latitude, longitude


class IncidentCreateSchema(toolkit.BaseSchema):
    """A citizen's emergency, kept small for a bad network (unknown fields are refused)."""

    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    lat = latitude(required=True)
    lon = longitude(required=True)
    accuracy_m = accuracy(required=True)
    address = fields.String(load_default=None, allow_none=True, validate=SHORT_TEXT)
    description = fields.String(load_default=None, allow_none=True, validate=TEXT)


class IncidentRaisedSchema(toolkit.BaseSchema):
    """The answer to raising an incident: small, for a bad network (`GET /incidents/{id}` has the rest)."""

    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "112-2026-000123"})
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    priority = fields.Integer(required=True)
    created_at = toolkit.UtcDateTime(required=True)


class IncidentInformationSchema(toolkit.BaseSchema):
    """What the reporter adds to their incident."""

    message = fields.String(required=True, validate=TEXT)


class IncidentCancelSchema(toolkit.BaseSchema):
    """The reporter cancels (before help is dispatched)."""

    reason = fields.String(load_default=None, allow_none=True, validate=SHORT_TEXT)


def _message(entry) -> str | None:
    """RAGEM's own text in the caller's language; someone's words as written."""
    if entry.message_en:
        return toolkit.translate({"id": entry.message, "en": entry.message_en})
    return entry.message


class IncidentTimelineEntrySchema(FromModel, toolkit.BaseSchema):
    """One step of an incident, stamped by the server; ``public: false`` steps reach staff only."""

    computed = {"message": _message}

    id = fields.Integer(required=True)
    at = toolkit.UtcDateTime(required=True)
    kind = fields.String(required=True, metadata={
        "description": "created | held | claimed | triaged | information | note | photo | dispatched | "
                       "dispatch_update | merged | closed"})
    actor = fields.String(required=True, metadata={"description": "reporter | command_centre | agency | system"})
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    public = fields.Boolean(required=True)
    message = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True, metadata={"description": "details of the step (staff only)"})


class IncidentDispatchSummarySchema(FromModel, toolkit.BaseSchema):
    """One agency sent to the incident and where its team is."""

    computed = {"agency_name": lambda d: toolkit.translate(_agency(d.agency_code))}

    id = fields.Integer(required=True)
    agency = fields.String(required=True, attribute="agency_code", metadata={"example": "DAMKAR"})
    agency_name = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(DISPATCH_STATES))
    created_at = toolkit.UtcDateTime(required=True)
    acknowledged_at = toolkit.UtcDateTime(allow_none=True)
    en_route_at = toolkit.UtcDateTime(allow_none=True)
    on_scene_at = toolkit.UtcDateTime(allow_none=True)
    completed_at = toolkit.UtcDateTime(allow_none=True)
    cancelled_at = toolkit.UtcDateTime(allow_none=True)


def _agency(code: str) -> dict[str, str]:
    row = toolkit.opd(code)
    return {"id": row.name_id, "en": row.name_en} if row else {"id": code, "en": code}


class IncidentSummarySchema(FromModel, toolkit.BaseSchema):
    """An incident in a list."""

    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "112-2026-000123"})
    channel = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    priority = fields.Integer(required=True, metadata={"description": "1 (life at risk) to 4"})
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    outcome = fields.String(allow_none=True, validate=validate.OneOf(OUTCOMES))
    flagged = fields.Boolean(required=True, metadata={"description": "raised by a blocked account or number"})
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    kecamatan = fields.String(allow_none=True, attribute="kecamatan_code")
    created_at = toolkit.UtcDateTime(required=True)
    changed_at = toolkit.UtcDateTime(required=True)
    closed_at = toolkit.UtcDateTime(allow_none=True)
    dispatches = fields.List(fields.Nested(IncidentDispatchSummarySchema), required=True)


class IncidentSchema(IncidentSummarySchema):
    """An incident with its timeline, as the caller may see it: the reporter gets the public steps and
    no staff details; the command centre and the dispatched agencies get everything."""

    computed = {
        "photos": lambda incident: [{"id": p.id, "url": toolkit.signed_url(p.file_id, 300)} for p in incident.photos],
        "duplicate_of": lambda incident: incident.duplicate_of.number if incident.duplicate_of else None,
    }

    # Staff only: a reporter must not learn that their account or number is blocked.
    flagged = fields.Boolean(metadata={"description": "staff only: raised by a blocked account or number"})
    accuracy_m = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    kelurahan = fields.String(allow_none=True, attribute="kelurahan_code")
    location_verified = fields.Boolean(required=True)
    caller_name = fields.String(allow_none=True, metadata={"description": "staff only"})
    caller_msisdn = fields.String(allow_none=True, metadata={"description": "staff only: the number to call back"})
    claimed_at = toolkit.UtcDateTime(allow_none=True)
    dispatched_at = toolkit.UtcDateTime(allow_none=True)
    on_scene_at = toolkit.UtcDateTime(allow_none=True)
    duplicate_of = fields.String(allow_none=True, metadata={"description": "number of the original incident"})
    photos = fields.List(fields.Dict(), required=True, metadata={"description": "id and a signed link (minutes)"})
    timeline = fields.List(fields.Nested(IncidentTimelineEntrySchema), required=True)

    @post_dump(pass_original=True)
    def _only_what_the_caller_may_see(self, data: dict[str, Any], incident, **_kwargs) -> dict[str, Any]:
        """The reporter sees the public steps, without staff details."""
        if is_staff_for(toolkit.current_user(), incident):
            return data
        for name in ("caller_name", "caller_msisdn", "flagged"):
            data.pop(name, None)
        data["timeline"] = [{k: v for k, v in entry.items() if k != "data"}
                            for entry in data["timeline"] if entry["public"]]
        return data


IncidentPageSchema = toolkit.page_schema(IncidentSummarySchema, "Darurat112IncidentPage")


class MyIncidentSummarySchema(IncidentSummarySchema):
    """One of the reporter's own incidents in their list: no staff details (whether it was flagged)."""

    class Meta:
        exclude = ("flagged",)


MyIncidentPageSchema = toolkit.page_schema(MyIncidentSummarySchema, "Darurat112MyIncidentPage")



class IncidentPhotoUploadSchema(toolkit.BaseSchema):
    """``POST /incidents/{id}/photos``: one JPEG or PNG in the multipart field ``file``."""

    file = toolkit.FilePart(required=True, metadata={"description": "JPEG or PNG, judged by its bytes; EXIF/GPS removed"})


class IncidentPhotoSchema(FromModel, toolkit.BaseSchema):
    """A photo of the incident."""

    computed = {"url": lambda photo: toolkit.signed_url(photo.file_id, 300)}

    id = fields.Integer(required=True)
    content_type = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "signed link, valid a few minutes"})
