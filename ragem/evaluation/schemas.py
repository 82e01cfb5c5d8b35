"""Schemas of the evaluation and KPI target APIs."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.evaluation.periods import MAX_YEAR, MIN_YEAR
from ragem.evaluation.service import STATUSES
from ragem.schemas import BaseSchema, UtcDateTime

PERIOD_KINDS = ("month", "quarter", "year", "renstra")


class EvaluationQuerySchema(BaseSchema):
    """Which period to evaluate."""

    period = fields.String(
        required=True,
        validate=validate.Length(min=1, max=16),
        metadata={"description": "a month (2026-11), a quarter (2026-Q4), a year (2026) or a five-year Renstra "
                  "period (2025-2029), on Kota Serang's calendar (WIB, UTC+7)", "example": "2026-11"},
    )


class PeriodSchema(BaseSchema):
    """The evaluated period: ``start`` inclusive, ``end`` exclusive, in UTC: the instants midnight WIB
    begins its first day and the day after its last (``2026-11`` starts at 2026-10-31T17:00:00Z)."""

    key = fields.String(required=True, metadata={"example": "2026-Q4"})
    kind = fields.String(required=True, validate=validate.OneOf(PERIOD_KINDS))
    year = fields.Integer(required=True, metadata={"description": "the calendar year (a Renstra period's first)"})
    start = UtcDateTime(required=True)
    end = UtcDateTime(required=True)
    share_of_year = fields.Float(required=True, metadata={"description": "1/12, 1/4, 1 or 5 (Renstra): how yearly targets of counts are pro-rated"})
    complete = fields.Boolean(required=True, metadata={"description": "false while the period is still running"})


class EvaluationItemSchema(BaseSchema):
    """One KPI in the period."""

    key = fields.String(required=True, metadata={"example": "rabeg.complaints_resolved"})
    service = fields.String(required=True, metadata={"description": "service slug, or core"})
    name = fields.String(required=True, metadata={"description": "in the request's language"})
    unit = fields.String(required=True)
    value = fields.Float(required=True, allow_none=True, metadata={"description": "null: no data for the period"})
    target = fields.Float(
        required=True, allow_none=True,
        metadata={"description": "target for this period (the yearly target pro-rated for cumulative KPIs)"},
    )
    yearly_target = fields.Float(required=True, allow_none=True, metadata={"description": "the target set for the year (a Renstra period: its final year)"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    higher_is_better = fields.Boolean(required=True)
    cumulative = fields.Boolean(required=True, metadata={"description": "a count (pro-rated target) rather than a rate"})


class EvaluationWarningSchema(BaseSchema):
    """Something that kept a KPI out of the result (duplicate key, failing plugin, invalid value)."""

    code = fields.String(required=True, validate=validate.OneOf(("duplicate_kpi", "kpi_hook_failed", "invalid_kpi")))
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class EvaluationSchema(BaseSchema):
    """Every KPI of a period against its target."""

    period = fields.Nested(PeriodSchema, required=True)
    items = fields.List(fields.Nested(EvaluationItemSchema), required=True)
    warnings = fields.List(fields.Nested(EvaluationWarningSchema), required=True)


class TargetYearQuerySchema(BaseSchema):
    """Which year's targets to list."""

    year = fields.Integer(required=True, validate=validate.Range(min=MIN_YEAR, max=MAX_YEAR), metadata={"example": 2026})


class KpiTargetSchema(BaseSchema):
    """The yearly target of one KPI."""

    kpi_key = fields.String(required=True)
    year = fields.Integer(required=True)
    target = fields.Float(required=True)
    set_by = fields.String(allow_none=True, metadata={"description": "the admin who set it last"})
    updated_at = UtcDateTime(required=True)


class KpiTargetListSchema(BaseSchema):
    """The targets of one year."""

    items = fields.List(fields.Nested(KpiTargetSchema), required=True)


class KpiTargetSetSchema(BaseSchema):
    """Set a yearly target (for a count: the whole year's figure)."""

    target = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-1e12, max=1e12))
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class KpiTargetDeleteSchema(BaseSchema):
    """Why a target is removed (a query parameter: DELETE carries no body)."""

    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))
