"""Schemas of the filing details: photos, nearby complaints and "me too", and the category admin API."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from ragem import toolkit

LAT_RANGE, LON_RANGE = (-6.37, -5.99), (106.07, 106.42)  # Kota Serang, as in schemas.py
CODE = validate.Regexp(r"^[A-Z0-9_]{2,40}$", error="2-40 characters of A-Z, 0-9 or _.")


# -- photos ---------------------------------------------------------------------------------------

class PhotoFile(Upload):
    """One file part of a multipart body (a plain text field with the same name is refused)."""

    #: Read every part with this name, so a second file is refused instead of dropped in silence.
    is_multiple = True

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ValidationError("One file per upload; send each photo in its own request.")
            value = value[0]
        if not isinstance(value, FileStorage):
            raise ValidationError("Expected a file part (multipart/form-data with a filename).")
        return value


class PhotoUploadSchema(toolkit.BaseSchema):
    """``POST /photos``: one JPEG or PNG photo in the multipart field ``file``."""

    file = PhotoFile(required=True, metadata={"description": "JPEG or PNG, judged by its bytes; EXIF/GPS removed"})


class PhotoUploadedSchema(toolkit.BaseSchema):
    """A stored photo, waiting to be attached to a complaint or response by its id."""

    id = fields.Integer(required=True)
    content_type = fields.String(required=True, metadata={"example": "image/jpeg"})
    url = fields.String(required=True, metadata={"description": "signed link, valid a few minutes"})
    thumbnail_url = fields.String(allow_none=True, metadata={"description": "signed link to a JPEG <= 320 px"})


class PhotoSchema(toolkit.BaseSchema):
    """A photo of a complaint (``report``) or of an officer's response (``response``)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("report", "response")))
    url = fields.String(required=True, metadata={"description": "signed link, valid a few minutes"})
    thumbnail_url = fields.String(allow_none=True)
    hidden = fields.Boolean(metadata={"description": "moderated: shown to the OPD's staff only"})


# -- nearby and "me too" --------------------------------------------------------------------------

class NearbyArgsSchema(Schema):
    """``GET /complaints/nearby?lat=&lon=&category=``."""

    class Meta:
        unknown = EXCLUDE  # cache busters and the like are ignored

    lat = fields.Float(required=True, validate=validate.Range(*LAT_RANGE))
    lon = fields.Float(required=True, validate=validate.Range(*LON_RANGE))
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))


class NearbyComplaintSchema(toolkit.BaseSchema):
    """An open complaint near the citizen: what it says and how far it is, nothing about who filed it."""

    id = fields.Integer(required=True)
    public_number = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "the public (moderated) text"})
    distance_m = fields.Integer(required=True)
    supporters_count = fields.Integer(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    state = fields.String(required=True)


class NearbyListSchema(toolkit.BaseSchema):
    """Open complaints of the category within 250 m, nearest first (at most 20)."""

    items = fields.List(fields.Nested(NearbyComplaintSchema), required=True)


class SupportSchema(toolkit.BaseSchema):
    """The caller's "me too" on a complaint."""

    complaint_id = fields.Integer(required=True)
    supporting = fields.Boolean(required=True)
    supporters_count = fields.Integer(required=True)


# -- categories -----------------------------------------------------------------------------------

class ChoiceSchema(toolkit.BaseSchema):
    """One choice of a list question."""

    key = fields.String(required=True)
    name = fields.Nested(toolkit.I18nTextSchema, required=True)


class QuestionSchema(toolkit.BaseSchema):
    """An extra question of a category (an Open311 attribute)."""

    code = fields.String(required=True)
    datatype = fields.String(required=True, validate=validate.OneOf(
        ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")))
    required = fields.Boolean(required=True)
    description = fields.Nested(toolkit.I18nTextSchema, required=True)
    order = fields.Integer(required=True)
    values = fields.List(fields.Nested(ChoiceSchema), allow_none=True,
                         metadata={"description": "the choices of the list types (null for the others)"})


class TargetSchema(toolkit.BaseSchema):
    """A service-level target."""

    value = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    unit = fields.String(required=True, validate=validate.OneOf(("working_hours", "working_days")))


class CategorySchema(toolkit.BaseSchema):
    """A complaint category: who answers for it, its targets and its extra questions."""

    code = fields.String(required=True)
    name = fields.Nested(toolkit.I18nTextSchema, required=True)
    opd = fields.String(required=True)
    routing_overrides = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                                    metadata={"description": "kecamatan code -> OPD code answering there instead"})
    first_response_target = fields.Nested(TargetSchema, required=True)
    resolution_target = fields.Nested(TargetSchema, required=True)
    allows_anonymous = fields.Boolean(required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)
    active = fields.Boolean(required=True)
    updated_at = toolkit.UtcDateTime(allow_none=True)


class CategoryListSchema(toolkit.BaseSchema):
    """Categories by code."""

    items = fields.List(fields.Nested(CategorySchema), required=True)


class CategoryArgsSchema(Schema):
    """``GET /categories``: admins may ask for inactive ones too."""

    class Meta:
        unknown = EXCLUDE

    include_inactive = fields.Boolean(load_default=False, metadata={"description": "admins (rabeg.admin) only"})


class _CategoryFields(toolkit.BaseSchema):
    """What an admin may set on a category (questions are checked by the service, per question)."""

    name = fields.Nested(toolkit.I18nTextSchema)
    opd = fields.String(validate=validate.Length(min=1, max=20))
    routing_overrides = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=20)),
                                    values=fields.String(validate=validate.Length(min=1, max=20)),
                                    metadata={"description": "kecamatan code -> OPD code"})
    first_response_target = fields.Nested(TargetSchema)
    resolution_target = fields.Nested(TargetSchema)
    allows_anonymous = fields.Boolean()
    questions = fields.List(fields.Raw(), validate=validate.Length(max=30),
                            metadata={"description": "question definitions (see QuestionSchema)"})
    active = fields.Boolean()


class CategoryCreateSchema(_CategoryFields):
    """A new category (unknown fields refused)."""

    code = fields.String(required=True, validate=CODE, metadata={"example": "POHON_TUMBANG"})
    name = fields.Nested(toolkit.I18nTextSchema, required=True)
    opd = fields.String(required=True, validate=validate.Length(min=1, max=20))
    first_response_target = fields.Nested(TargetSchema, required=True)
    resolution_target = fields.Nested(TargetSchema, required=True)


class CategoryPatchSchema(_CategoryFields):
    """A change to a category: only the fields given change."""
