"""Admins evaluate the programme against its Renstra targets and manage those targets."""
from __future__ import annotations

from flask import Response, g
from marshmallow import RAISE

from ragem.auth.guards import roles_required
from ragem.blueprint import Blueprint
from ragem.evaluation import service
from ragem.evaluation.periods import parse_period
from ragem.evaluation.schemas import (
    EvaluationQuerySchema,
    EvaluationSchema,
    KpiTargetDeleteSchema,
    KpiTargetListSchema,
    KpiTargetSchema,
    KpiTargetSetSchema,
    TargetYearQuerySchema,
)

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1/admin", description="Evaluation against KPI targets (admins)")


@blp.route("/evaluation")
@roles_required("admin")
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(200, EvaluationSchema)
def get_evaluation(args):
    """Every KPI of a month, quarter or year with its target and status (on or off track)."""
    return service.evaluate(parse_period(args["period"]))


@blp.route("/evaluation.csv")
@roles_required("admin")
@blp.arguments(EvaluationQuerySchema, location="query", unknown=RAISE)
@blp.response(
    200, {"type": "string"}, content_type="text/csv",
    description="One row per KPI: period, key, service, name, unit, value, target, yearly_target, "
    "status, higher_is_better, cumulative.",
    headers={"Content-Disposition": {
        "description": 'attachment; filename="ragem-evaluation-<period>.csv"', "schema": {"type": "string"},
    }},
)
def get_evaluation_csv(args):
    """The evaluation of a period as a CSV download (names in the request's language)."""
    result = service.evaluate(parse_period(args["period"]))
    response = Response(service.evaluation_csv(result), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="ragem-evaluation-{result["period"]["key"]}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/kpi-targets")
@roles_required("admin")
@blp.arguments(TargetYearQuerySchema, location="query", unknown=RAISE)
@blp.response(200, KpiTargetListSchema)
def list_kpi_targets(args):
    """The yearly targets set for a year."""
    return {"items": service.list_targets(args["year"])}


@blp.route("/kpi-targets/<string:kpi_key>/<int:year>", methods=["PUT"])
@roles_required("admin")
@blp.arguments(KpiTargetSetSchema)
@blp.response(200, KpiTargetSchema)
def set_kpi_target(body, kpi_key, year):
    """Set a KPI's target for a year (audited; the key must be reported by a service)."""
    return service.set_target(kpi_key, year, actor=g.current_user, **body)


@blp.route("/kpi-targets/<string:kpi_key>/<int:year>", methods=["DELETE"])
@roles_required("admin")
@blp.arguments(KpiTargetDeleteSchema, location="query", unknown=RAISE)
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND", description="No target for this KPI and year")
def delete_kpi_target(args, kpi_key, year):
    """Remove a KPI's target for a year (audited)."""
    service.delete_target(kpi_key, year, actor=g.current_user, reason=args["reason"])
    return Response(status=204)
