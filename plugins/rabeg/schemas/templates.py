"""What the response-template routes accept and answer."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.rabeg.models import STATES
from plugins.rabeg.schemas.fields import NOT_BLANK, TEXT


class TemplateArgsSchema(toolkit.BaseSchema):
    """Filters of the template list: templates for any category/state always match."""

    category = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    include_inactive = fields.Boolean(load_default=False, metadata={"description": "admins: also withdrawn templates"})


class TemplateSchema(FromModel, toolkit.BaseSchema):
    """A response template."""

    computed = {"category": lambda template: template.category.code if template.category else None}

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
