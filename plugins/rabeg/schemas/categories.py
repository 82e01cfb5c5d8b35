"""What the category routes accept and answer: categories, their targets and their questions."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.rabeg.services.categories import NAME_MAX

CODE = validate.Regexp(r"^[A-Z0-9_]{2,40}$", error="2-40 characters of A-Z, 0-9 or _.")


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


class CategorySchema(FromModel, toolkit.BaseSchema):
    """A complaint category: who answers for it, its targets and its extra questions."""

    computed = {
        "name": lambda category: {"id": category.name_id, "en": category.name_en},
        "routing_overrides": lambda category: dict(category.routing_overrides or {}),
        "first_response_target": lambda category: {"value": category.first_response_target,
                                                   "unit": category.first_response_unit},
        "resolution_target": lambda category: {"value": category.resolution_target, "unit": category.resolution_unit},
        # "values" always present (null outside list types): a dict without it would dump dict.values.
        "questions": lambda category: [{**q, "values": q.get("values")} for q in category.questions or []],
    }

    code = fields.String(required=True)
    name = fields.Nested(toolkit.I18nTextSchema, required=True)
    opd = fields.String(required=True, attribute="opd_code")
    routing_overrides = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                                    metadata={"description": "kecamatan code -> OPD code answering there instead"})
    first_response_target = fields.Nested(TargetSchema, required=True)
    resolution_target = fields.Nested(TargetSchema, required=True)
    allows_anonymous = fields.Boolean(required=True)
    complaints_public = fields.Boolean(required=True, metadata={
        "description": "its complaints appear in the public list, the map and Open311 GET (off: only their "
                       "reporters and the staff see them)"})
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


class CategoryNameSchema(toolkit.BaseSchema):
    """A category's name in both languages, as long as its columns (``Category.name_id``/``name_en``)
    allow; the shared bilingual text allows far more."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    en = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX))


class _CategoryFields(toolkit.BaseSchema):
    """What an admin may set on a category (questions are checked by the service, per question)."""

    name = fields.Nested(CategoryNameSchema)
    opd = fields.String(validate=validate.Length(min=1, max=20))
    routing_overrides = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=20)),
                                    values=fields.String(validate=validate.Length(min=1, max=20)),
                                    metadata={"description": "kecamatan code -> OPD code"})
    first_response_target = fields.Nested(TargetSchema)
    resolution_target = fields.Nested(TargetSchema)
    allows_anonymous = fields.Boolean()
    complaints_public = fields.Boolean(metadata={
        "description": "publish its complaints (masked text, rounded point); true when a category is created"})
    questions = fields.List(fields.Raw(), validate=validate.Length(max=30),
                            metadata={"description": "question definitions (see QuestionSchema)"})
    active = fields.Boolean()


class CategoryCreateSchema(_CategoryFields):
    """A new category (unknown fields refused)."""

    code = fields.String(required=True, validate=CODE, metadata={"example": "POHON_TUMBANG"})
    name = fields.Nested(CategoryNameSchema, required=True)
    opd = fields.String(required=True, validate=validate.Length(min=1, max=20))
    first_response_target = fields.Nested(TargetSchema, required=True)
    resolution_target = fields.Nested(TargetSchema, required=True)


class CategoryPatchSchema(_CategoryFields):
    """A change to a category: only the fields given change."""
