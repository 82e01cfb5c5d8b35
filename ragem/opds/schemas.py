"""Schemas of the OPD API (public list and admin management)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from ragem.opds.models import KINDS
from ragem.schemas import BaseSchema, StrictBoolean, UtcDateTime

CODE_PATTERN = r"^[A-Z0-9_]{2,20}$"
EDITABLE = ("name_id", "name_en", "kind", "active")


class Name(fields.String):
    """A display name: surrounding spaces dropped, 2-200 characters left."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(min=2, max=200), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _reason_field():
    return fields.String(
        load_default=None,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "why (kept in the audit log)"},
    )


class OpdQuerySchema(BaseSchema):
    """Filter of ``GET /api/v1/opds``."""

    kind = fields.String(validate=validate.OneOf(KINDS))


class AdminOpdQuerySchema(OpdQuerySchema):
    """Filters of ``GET /api/v1/admin/opds``."""

    active = fields.Boolean(metadata={"description": "only active (true) or deactivated (false) OPDs"})


class OpdSchema(BaseSchema):
    """An OPD or agency."""

    code = fields.String(required=True, metadata={"example": "DISKOMINFO"})
    name = fields.String(required=True, metadata={"description": "name in the request's language"})
    name_id = fields.String(required=True, metadata={"description": "Indonesian name"})
    name_en = fields.String(required=True, metadata={"description": "English name"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    active = fields.Boolean(required=True)


class OpdListSchema(BaseSchema):
    """OPDs and agencies, ordered by code."""

    items = fields.List(fields.Nested(OpdSchema), required=True)


class AdminOpdSchema(OpdSchema):
    """An OPD as admins see it."""

    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class AdminOpdListSchema(BaseSchema):
    """Every OPD, deactivated ones included, ordered by code."""

    items = fields.List(fields.Nested(AdminOpdSchema), required=True)


class OpdCreateSchema(BaseSchema):
    """A new OPD or agency."""

    code = fields.String(
        required=True,
        validate=validate.Regexp(CODE_PATTERN, error="2-20 characters A-Z, 0-9 or _ (uppercase), e.g. DISKOMINFO."),
        metadata={"description": "permanent code, uppercase (cannot be changed later)", "example": "DISPAR"},
    )
    name_id = Name(required=True, metadata={"example": "Dinas Pariwisata"})
    name_en = Name(required=True, metadata={"example": "Tourism Office"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    active = StrictBoolean(load_default=True)
    reason = _reason_field()


class OpdUpdateSchema(BaseSchema):
    """Changes to an OPD; send at least one field. The code is permanent and refused here."""

    name_id = Name()
    name_en = Name()
    kind = fields.String(validate=validate.OneOf(KINDS))
    active = StrictBoolean()
    reason = _reason_field()

    @pre_load
    def refuse_code(self, data, **kwargs):
        """Say plainly that the code cannot change, rather than a bare 'unknown field'."""
        if isinstance(data, dict) and "code" in data:
            raise ValidationError(
                {"code": ["The code cannot be changed: officers and services refer to it. Create a new OPD instead."]}
            )
        return data

    @validates_schema
    def something_to_change(self, data, **kwargs):
        """An update without any field to change is a client mistake."""
        if not any(key in data for key in EDITABLE):
            raise ValidationError(f"Send at least one of: {', '.join(EDITABLE)}.", "_schema")


class OpdReasonSchema(BaseSchema):
    """Optional reason of a deactivation (a query parameter: DELETE carries no body)."""

    reason = _reason_field()
