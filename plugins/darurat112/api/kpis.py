"""``GET /kpis``: the 112 service's KPIs for any period, for the command centre and supervisors."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.access import COMMAND, SUPERVISE
from plugins.darurat112.schemas.kpis import IncidentKpiArgsSchema, IncidentKpiReportSchema
from plugins.darurat112.services import kpis

blp = toolkit.Blueprint("darurat112_kpis", __name__, description="112: KPIs against the 15-minute target")


@blp.route("/kpis")
@toolkit.login_required
@blp.arguments(IncidentKpiArgsSchema, location="query")
@blp.response(200, IncidentKpiReportSchema)
def get_incident_kpis(args):
    """KPIs of the incidents raised in `[from, to)` (dates are WIB days): incidents by channel, the
    prank and silent share, median and p90 minutes to claim, dispatch, on scene and close, and the
    share on scene within 15 minutes; overall, per agency and per type."""
    user = toolkit.current_user()
    if not (toolkit.can(user, COMMAND) or toolkit.can(user, SUPERVISE)):
        raise toolkit.Forbidden(details={"required_permission": f"{COMMAND} or {SUPERVISE}"})
    return kpis.report(**args)
