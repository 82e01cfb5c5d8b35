"""The evaluation page (admins): every KPI of a period against its target, a chart and a CSV download."""
from __future__ import annotations

from flask import Response, request

from ragem.console import pages
from ragem.console.svg_chart import kpi_chart
from ragem.console.views import _render, _require, api_message, blp
from ragem.errors import ApiError
from ragem.evaluation import service
from ragem.evaluation.periods import RENSTRA_YEARS, parse_period
from ragem.timeutil import to_wib, utcnow

PAGE = "console.evaluation"


def suggested_periods() -> list[tuple[str, str]]:
    """Quick choices around today (WIB): this and last month, this quarter, this and last year, the Renstra."""
    today = to_wib(utcnow())
    last_month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    # Kota Serang's Renstra periods run 2025-2029, 2030-2034...: five years from 2025.
    first = 2025 + (today.year - 2025) // RENSTRA_YEARS * RENSTRA_YEARS
    return [
        (f"{today.year}-{today.month:02d}", "this_month"),
        (f"{last_month[0]}-{last_month[1]:02d}", "last_month"),
        (f"{today.year}-Q{(today.month - 1) // 3 + 1}", "this_quarter"),
        (str(today.year), "this_year"),
        (str(today.year - 1), "last_year"),
        (f"{first}-{first + RENSTRA_YEARS - 1}", "renstra"),
    ]


def _evaluate(raw: str):
    # KPI names come in the console's language: _require set it as the request's.
    return service.evaluate(parse_period(raw))


@blp.route("/evaluation")
def evaluation():
    """The evaluation of ``?period=`` (this month by default) with its chart."""
    account, refusal = _require(pages.core_page(PAGE))
    if refusal:
        return refusal
    choices = suggested_periods()
    raw = request.args.get("period", "").strip()[:16] or choices[0][0]
    try:
        result = _evaluate(raw)
    except ApiError as failure:
        return _render("console/evaluation.html", account, 422, period=raw, choices=choices, result=None,
                       chart=None, error=api_message(failure))
    return _render("console/evaluation.html", account, period=result["period"]["key"], choices=choices,
                   result=result, chart=kpi_chart(result["items"]), error=None)


@blp.route("/evaluation.csv")
def evaluation_csv():
    """The same evaluation as ``GET /api/v1/admin/evaluation.csv``, downloaded from the console."""
    account, refusal = _require(pages.core_page(PAGE))
    if refusal:
        return refusal
    try:
        result = _evaluate(request.args.get("period", "").strip()[:16])
    except ApiError as failure:
        return _render("console/error.html", account, 422, message=api_message(failure))
    response = Response(service.evaluation_csv(result), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="ragem-evaluation-{result["period"]["key"]}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


