"""What the dataset routes (``api/datasets.py``) accept and answer; they dump ``models.Dataset`` objects."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.sikondang.models import DIMENSION_KINDS, FREQUENCIES, MAX_DIMENSIONS, MAX_MEASURES, SETTABLE_STATES
from plugins.sikondang.schemas.fields import CODE, KEY, NAME, TAG, DescriptionSchema, LabelSchema, TitleSchema, bilingual, text


class ValueSchema(toolkit.BaseSchema):
    """A value a dimension may hold, with its label."""

    code = fields.String(required=True, validate=CODE)
    label = fields.Nested(LabelSchema, required=True)


class DimensionSchema(toolkit.BaseSchema):
    """A dimension: its key (the CSV column), label, kind and, for categories, its values."""

    key = fields.String(required=True, validate=KEY)
    label = fields.Nested(LabelSchema, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DIMENSION_KINDS),
                         metadata={"description": "region (Kemendagri code), year, or category (values required)"})
    values = fields.List(fields.Nested(ValueSchema), load_default=list, validate=validate.Length(max=500),
                         metadata={"description": "allowed values: required for a category; for a region, "
                                                  "codes outside Kota Serang's region table"})


class MeasureSchema(toolkit.BaseSchema):
    """A measure: its key (the CSV column), label, unit and decimals."""

    key = fields.String(required=True, validate=KEY)
    label = fields.Nested(LabelSchema, required=True)
    unit = fields.String(load_default="", validate=validate.Length(max=40))
    decimals = fields.Integer(load_default=0, validate=validate.Range(min=0, max=6))


class DatasetWriteSchema(toolkit.BaseSchema):
    """Metadata fields an officer sets (all of them optional in a change)."""

    title = fields.Nested(TitleSchema)
    description = fields.Nested(DescriptionSchema)
    opd = fields.String(validate=validate.Length(min=1, max=20),
                        metadata={"description": "owning OPD (admins only; an officer's own by default)"})
    source = text(300)
    unit = text(60)
    frequency = fields.String(validate=validate.OneOf(FREQUENCIES))
    licence = fields.String(validate=validate.Length(min=1, max=40))
    tags = fields.List(fields.String(validate=TAG), validate=validate.Length(max=20))
    topic = text(60)
    temporal_coverage = text(60)
    spatial_coverage = text(120)
    dimensions = fields.List(fields.Nested(DimensionSchema), validate=validate.Length(min=1, max=MAX_DIMENSIONS))
    measures = fields.List(fields.Nested(MeasureSchema), validate=validate.Length(min=1, max=MAX_MEASURES))


class DatasetCreateSchema(DatasetWriteSchema):
    """A new dataset (a draft): its name, title, dimensions and measures are required."""

    name = fields.String(required=True, validate=NAME)
    title = fields.Nested(TitleSchema, required=True)
    dimensions = fields.List(fields.Nested(DimensionSchema), required=True,
                             validate=validate.Length(min=1, max=MAX_DIMENSIONS))
    measures = fields.List(fields.Nested(MeasureSchema), required=True,
                           validate=validate.Length(min=1, max=MAX_MEASURES))


class DatasetPatchSchema(DatasetWriteSchema):
    """A change: metadata at any time, the definition only before the first upload, and the state."""

    state = fields.String(validate=validate.OneOf(SETTABLE_STATES),
                          metadata={"description": "published needs at least one accepted upload (and "
                                                   "publishes a withdrawn dataset again)"})


class DimensionOutSchema(FromModel, toolkit.BaseSchema):
    """A dimension as the API shows it."""

    computed = {"label": bilingual("label"),
                "values": lambda d: [{"code": v["code"], "label": {"id": v["label_id"], "en": v["label_en"]}}
                                     for v in d.values]}

    key = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    kind = fields.String(required=True)
    values = fields.List(fields.Nested(ValueSchema), required=True)


class MeasureOutSchema(FromModel, toolkit.BaseSchema):
    """A measure as the API shows it."""

    computed = {"label": bilingual("label")}

    key = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    unit = fields.String(required=True)
    decimals = fields.Integer(required=True)


class DatasetSchema(FromModel, toolkit.BaseSchema):
    """A dataset's metadata and definition."""

    computed = {"title": bilingual("title"), "description": bilingual("description"), "opd": lambda d: d.opd_code}

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    title = fields.Nested(TitleSchema, required=True)
    description = fields.Nested(DescriptionSchema, required=True)
    opd = fields.String(required=True)
    source = fields.String(required=True)
    unit = fields.String(required=True)
    frequency = fields.String(required=True)
    licence = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    topic = fields.String(required=True)
    temporal_coverage = fields.String(required=True)
    spatial_coverage = fields.String(required=True)
    state = fields.String(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    updated_at = toolkit.UtcDateTime(required=True)
    data_updated_at = toolkit.UtcDateTime(required=True, allow_none=True,
                                          metadata={"description": "when the numbers last changed"})
    published_at = toolkit.UtcDateTime(required=True, allow_none=True)
    revision_count = fields.Integer(required=True)
    row_count = fields.Integer(required=True)
    dimensions = fields.List(fields.Nested(DimensionOutSchema), required=True)
    measures = fields.List(fields.Nested(MeasureOutSchema), required=True)


class DatasetListArgsSchema(toolkit.PageArgsSchema):
    """Search the datasets by text, tag, topic and OPD."""

    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "words in the title or description"})
    tag = fields.String(validate=TAG)
    topic = fields.String(validate=validate.Length(min=1, max=60))
    opd = fields.String(validate=validate.Length(min=1, max=20))
    include_drafts = fields.Boolean(load_default=False,
                                    metadata={"description": "officers: also the drafts they manage"})


DatasetPageSchema = toolkit.page_schema(DatasetSchema, "SikondangDatasetPage")
