"""What the import and revision routes (``api/imports.py``) accept and answer."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields

from ragem import toolkit
from ragem.toolkit import FromModel



class UploadSchema(toolkit.BaseSchema):
    """A table file: CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX (its first sheet)."""

    file = Upload(required=True, metadata={"description": "the table: one column per dimension and measure key"})


class ImportProblemSchema(toolkit.BaseSchema):
    """One problem of an upload: the row (line in the file), the column, the value and why."""

    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    value = fields.String()
    reason = fields.String(required=True)


class ImportReportSchema(toolkit.BaseSchema):
    """What the check found: every bad row (up to 10,000), or what was read and changed."""

    class Meta:
        ordered = True

    summary = fields.String()
    code = fields.String()
    format = fields.String()
    encoding = fields.String(allow_none=True)
    delimiter = fields.String(allow_none=True)
    decimal_separator = fields.String()
    rows = fields.Integer()
    notes = fields.List(fields.String())
    ignored_columns = fields.List(fields.String())
    expected_columns = fields.List(fields.String())
    error_count = fields.Integer()
    errors = fields.List(fields.Nested(ImportProblemSchema))
    errors_truncated = fields.Boolean()
    changes = fields.Dict(keys=fields.String(), values=fields.Integer())


class ImportSchema(FromModel, toolkit.BaseSchema):
    """An import and its status: queued, running, succeeded (a new revision) or failed (the report)."""

    computed = {"dataset": lambda job: job.dataset.name}

    id = fields.Integer(required=True)
    dataset = fields.String(required=True)
    status = fields.String(required=True)
    filename = fields.String(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    finished_at = toolkit.UtcDateTime(required=True, allow_none=True)
    rows_total = fields.Integer(required=True)
    rows_done = fields.Integer(required=True)
    revision_number = fields.Integer(required=True, allow_none=True)
    report = fields.Nested(ImportReportSchema, required=True)


class RevisionSchema(toolkit.BaseSchema):
    """An accepted upload: who (an account id), when, what changed; its table is downloadable."""

    number = fields.Integer(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    created_by = fields.String(required=True, allow_none=True)
    filename = fields.String(required=True)
    row_count = fields.Integer(required=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class RevisionListSchema(toolkit.BaseSchema):
    """The revisions, newest first."""

    items = fields.List(fields.Nested(RevisionSchema), required=True)
