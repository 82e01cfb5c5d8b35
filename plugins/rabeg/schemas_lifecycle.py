"""What the lifecycle and template endpoints accept and answer (these schemas also write openapi.yaml)."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.rabeg.models import STATES

# Blank text is no message: "   " is refused like "".
NOT_BLANK = validate.Regexp(r"^\s*\S", error="must not be blank")
TEXT = [validate.Length(min=1, max=4000), NOT_BLANK]
ID = validate.Range(min=1, max=2**31 - 1)


class ResponseCreateSchema(toolkit.BaseSchema):
    """A public response by an officer: a message, or a template (its Indonesian text), and optional photos."""

    public_message = fields.String(load_default=None, allow_none=True, validate=TEXT,
                                   metadata={"description": "required unless template_id is given"})
    photos = fields.List(fields.Integer(validate=ID), load_default=None, allow_none=True,
                         validate=validate.Length(max=5),
                         metadata={"description": "ids from POST /api/v1/rabeg/photos (the caller's, unattached)"})
    template_id = fields.Integer(load_default=None, allow_none=True, validate=ID,
                                 metadata={"description": "an active template for this category and current state"})


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


class TemplateArgsSchema(toolkit.BaseSchema):
    """Filters of the template list: templates for any category/state always match."""

    category = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    include_inactive = fields.Boolean(load_default=False, metadata={"description": "admins: also withdrawn templates"})


class TemplateSchema(toolkit.BaseSchema):
    """A response template."""

    id = fields.Integer(required=True)
    category = fields.String(allow_none=True, required=True, metadata={"description": "null: any category"})
    state = fields.String(allow_none=True, required=True, metadata={"description": "target state; null: any"})
    title = fields.String(required=True)
    body_id = fields.String(required=True)
    body_en = fields.String(required=True)
    active = fields.Boolean(required=True)


class TemplateListSchema(toolkit.BaseSchema):
    """Templates, by title."""

    items = fields.List(fields.Nested(TemplateSchema), required=True)


class TemplateCreateSchema(toolkit.BaseSchema):
    """A new template (admins)."""

    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40),
                             metadata={"description": "category code; null: any category"})
    state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATES))
    title = fields.String(required=True, validate=[validate.Length(min=1, max=120), NOT_BLANK])
    body_id = fields.String(required=True, validate=TEXT)
    body_en = fields.String(required=True, validate=TEXT)


class TemplatePatchSchema(toolkit.BaseSchema):
    """Changes to a template (admins); only the fields sent change."""

    category = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    state = fields.String(allow_none=True, validate=validate.OneOf(STATES))
    title = fields.String(validate=[validate.Length(min=1, max=120), NOT_BLANK])
    body_id = fields.String(validate=TEXT)
    body_en = fields.String(validate=TEXT)
    active = fields.Boolean()
