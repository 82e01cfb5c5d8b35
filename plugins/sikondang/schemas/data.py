"""What the data routes (``api/data.py``) accept and answer: rows, series and downloads."""
from __future__ import annotations

from marshmallow import INCLUDE, fields, validate

from ragem import toolkit

from plugins.sikondang.schemas.fields import LabelSchema

FILTERS = ("other query parameters filter the rows: a dimension's key with one value or several, "
           "comma-separated (?region=36.73&year=2019,2020)")


class FilterArgsSchema(toolkit.BaseSchema):
    """Filters on any dimension, passed through to the service (which refuses unknown keys)."""

    class Meta:
        unknown = INCLUDE


class DataArgsSchema(FilterArgsSchema):
    """A page of rows, filtered by dimension."""

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000),
                           metadata={"description": "rows per page (1-1000); " + FILTERS})
    cursor = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"description": "next_cursor of the previous page"})


class SeriesArgsSchema(FilterArgsSchema):
    """Which series to draw."""

    measure = fields.String(validate=validate.Length(max=64), metadata={"description": "measure key (default: the first)"})
    x = fields.String(validate=validate.Length(max=64),
                      metadata={"description": "dimension along the x axis (default: the year dimension)"})
    by = fields.String(validate=validate.Length(max=64),
                       metadata={"description": "one series per value of this dimension; " + FILTERS})


class DataPageSchema(toolkit.BaseSchema):
    """Rows of the current revision: each maps dimension and measure keys to values."""

    dataset = fields.String(required=True)
    revision = fields.Integer(required=True)
    items = fields.List(fields.Dict(), required=True,
                        metadata={"description": "{dimension key: code (a year as a number), measure key: number}"})
    next_cursor = fields.String(required=True, allow_none=True)


class SeriesMeasureSchema(toolkit.BaseSchema):
    """The measure drawn."""

    key = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    unit = fields.String(required=True)
    decimals = fields.Integer(required=True)


class SeriesAxisSchema(toolkit.BaseSchema):
    """The x axis: the values of one dimension, in order, with their labels."""

    key = fields.String(required=True)
    values = fields.List(fields.Raw(), required=True)
    labels = fields.List(fields.Nested(LabelSchema), required=True)


class SeriesLineSchema(toolkit.BaseSchema):
    """One series: a value (or null) for each x."""

    key = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    values = fields.List(fields.Float(allow_none=True), required=True)


class SeriesSchema(toolkit.BaseSchema):
    """Chart-ready series."""

    dataset = fields.String(required=True)
    revision = fields.Integer(required=True)
    measure = fields.Nested(SeriesMeasureSchema, required=True)
    x = fields.Nested(SeriesAxisSchema, required=True)
    series = fields.List(fields.Nested(SeriesLineSchema), required=True)
