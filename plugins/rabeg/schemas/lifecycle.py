"""What the routes acting on a filed complaint accept: responses, notes, confirmation, duplicates,
moderation and re-routing (each answers with the complaint, ``schemas.complaints.ComplaintSchema``)."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.rabeg.photos import MAX_PER_ITEM
from plugins.rabeg.schemas.fields import ID, NOT_BLANK, TEXT


class ResponseCreateSchema(toolkit.BaseSchema):
    """A public response by an officer: a message, or a template (its Indonesian text), and optional photos."""

    public_message = fields.String(load_default=None, allow_none=True, validate=TEXT,
                                   metadata={"description": "required unless template_id is given"})
    photos = fields.List(fields.Integer(validate=ID), load_default=None, allow_none=True,
                         validate=validate.Length(max=MAX_PER_ITEM),
                         metadata={"description": "ids from POST /api/v1/rabeg/photos (the caller's, unattached)"})
    template_id = fields.Integer(load_default=None, allow_none=True, validate=ID,
                                 metadata={"description": "an active template for this category and current state"})


class ResponseFormSchema(ResponseCreateSchema):
    """The console's respond form: the API's fields, with the photo files themselves (a multipart
    form's file input ``photos``) instead of ids; each is stored as ``POST /photos`` stores it."""

    photos = fields.List(toolkit.FilePart(), load_default=None, allow_none=True,
                         validate=validate.Length(max=MAX_PER_ITEM, error=f"at most {MAX_PER_ITEM} photos"))


class NoteCreateSchema(toolkit.BaseSchema):
    """An internal note: only the assigned OPD's officers and admins ever read it."""

    internal_note = fields.String(required=True, validate=TEXT)


class ConfirmationSchema(toolkit.BaseSchema):
    """The reporter's verdict on a resolved complaint."""

    fixed = fields.Boolean(required=True, metadata={"description": "true closes the complaint, false reopens it"})
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5),
                            metadata={"description": "how the complaint was handled, 1 (bad) to 5 (very good)"})
    comment = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=2000), NOT_BLANK])


class DuplicateSchema(toolkit.BaseSchema):
    """Mark the complaint as a duplicate of another (open) one."""

    original_id = fields.Integer(required=True, validate=ID, metadata={"description": "id of the original complaint"})
    public_message = fields.String(load_default=None, allow_none=True, validate=TEXT)


class ModerationSchema(toolkit.BaseSchema):
    """Replace the public text and/or hide photos; the reporter is told the reason."""

    description = fields.String(load_default=None, allow_none=True,
                                validate=[validate.Length(min=10, max=4000), NOT_BLANK],
                                metadata={"description": "the text the public sees instead (the original is kept)"})
    hide_photos = fields.List(fields.Integer(validate=ID), load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=20),
                              metadata={"description": "photo ids of this complaint"})
    reason = fields.String(required=True, validate=[validate.Length(min=3, max=300), NOT_BLANK])


class RerouteSchema(toolkit.BaseSchema):
    """Send the complaint to another OPD (Diskominfo admins)."""

    opd = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={"example": "DISPERKIM"})
    reason = fields.String(required=True, validate=[validate.Length(min=3, max=500), NOT_BLANK])
