"""``GET /kpis``: the complaint channel's KPIs for a period, for admins (all OPDs) and officers (their own)."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import HANDLE
from plugins.rabeg.schemas.kpis import KpiArgsSchema, KpiReportSchema
from plugins.rabeg.services import kpis

blp = toolkit.Blueprint("rabeg_kpis", __name__, description="RABEG: KPIs of the complaint channel")


@blp.route("/kpis")
@toolkit.permission_required(HANDLE)
@blp.arguments(KpiArgsSchema, location="query")
@blp.response(200, KpiReportSchema)
def get_complaint_kpis(args):
    """KPIs of the complaints received in `[from, to)` (dates are WIB days), overall and per `group_by`
    (`opd`, `category` or `channel`: the app, Open311 or recorded by an officer). Officers see only their own OPD."""
    return kpis.report(toolkit.current_user(), **args)
