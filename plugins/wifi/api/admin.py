"""Admins: hotspots, policies, suspensions and terms versions (every change audited)."""
from __future__ import annotations

from ragem import toolkit

from plugins.wifi.access import MANAGE
from plugins.wifi.schemas.hotspots import HotspotAdminSchema, HotspotCreateSchema, HotspotPageSchema, \
    HotspotUpdateSchema
from plugins.wifi.schemas.policies import PolicyInputSchema, PolicyListSchema, PolicySchema, SuspensionArgsSchema, \
    SuspensionCreateSchema, SuspensionLiftSchema, SuspensionPageSchema, SuspensionSchema
from plugins.wifi.schemas.access import TermsAdminSchema, TermsListSchema, TermsPublishSchema
from plugins.wifi.schemas.kpis import WifiKpiArgsSchema, WifiKpiReportSchema
from plugins.wifi.services import hotspots, kpis, policies, suspensions, terms

blp = toolkit.Blueprint("wifi_admin", __name__, url_prefix="/admin", description="Wi-Fi: administration")


@blp.route("/hotspots")
@toolkit.permission_required(MANAGE)
@blp.arguments(toolkit.PageArgsSchema, location="query")
@blp.response(200, HotspotPageSchema)
def list_wifi_hotspots_admin(args):
    """Every hotspot with its RADIUS identities and watch state, by id."""
    items, next_cursor = hotspots.list_all(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/hotspots", methods=["POST"])
@toolkit.permission_required(MANAGE)
@blp.arguments(HotspotCreateSchema)
@blp.response(201, HotspotAdminSchema)
@blp.alt_response(409, response="CONFLICT", description="name or NAS identifier taken")
def create_wifi_hotspot(body):
    """Add a hotspot."""
    return hotspots.create_hotspot(toolkit.current_user(), **body)


@blp.route("/hotspots/<int:hotspot_id>", methods=["PATCH"])
@toolkit.permission_required(MANAGE)
@blp.arguments(HotspotUpdateSchema)
@blp.response(200, HotspotAdminSchema)
@blp.alt_response(409, response="CONFLICT", description="name or NAS identifier taken")
def update_wifi_hotspot(body, hotspot_id):
    """Change a hotspot (its status too: `maintenance` rejects log-ins)."""
    return hotspots.update_hotspot(toolkit.current_user(), hotspot_id, **body)


@blp.route("/policies")
@toolkit.permission_required(MANAGE)
@blp.response(200, PolicyListSchema)
def list_wifi_policies():
    """The global policy and the hotspots' own."""
    return {"items": policies.list_policies()}


@blp.route("/policies/global", methods=["PUT"])
@toolkit.permission_required(MANAGE)
@blp.arguments(PolicyInputSchema)
@blp.response(200, PolicySchema)
def set_wifi_global_policy(body):
    """Set the global policy."""
    return policies.set_policy(toolkit.current_user(), None, body)


@blp.route("/policies/hotspots/<int:hotspot_id>", methods=["PUT"])
@toolkit.permission_required(MANAGE)
@blp.arguments(PolicyInputSchema)
@blp.response(200, PolicySchema)
def set_wifi_hotspot_policy(body, hotspot_id):
    """Give a hotspot its own policy (it replaces the global one there)."""
    return policies.set_policy(toolkit.current_user(), hotspot_id, body)


@blp.route("/policies/hotspots/<int:hotspot_id>", methods=["DELETE"])
@toolkit.permission_required(MANAGE)
@blp.response(204)
def remove_wifi_hotspot_policy(hotspot_id):
    """Drop a hotspot's own policy: the global one applies again."""
    policies.remove_hotspot_policy(toolkit.current_user(), hotspot_id)


@blp.route("/suspensions")
@toolkit.permission_required(MANAGE)
@blp.arguments(SuspensionArgsSchema, location="query")
@blp.response(200, SuspensionPageSchema)
def list_wifi_suspensions(args):
    """Suspensions, newest first."""
    items, next_cursor = suspensions.list_suspensions(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/suspensions", methods=["POST"])
@toolkit.permission_required(MANAGE)
@blp.arguments(SuspensionCreateSchema)
@blp.response(201, SuspensionSchema)
def create_wifi_suspension(body):
    """Suspend a citizen or one device."""
    return suspensions.suspend(toolkit.current_user(), **body)


@blp.route("/suspensions/<int:suspension_id>/lift", methods=["POST"])
@toolkit.permission_required(MANAGE)
@blp.arguments(SuspensionLiftSchema)
@blp.response(200, SuspensionSchema)
@blp.alt_response(409, response="CONFLICT", description="no longer in force (`suspension_not_active`)")
def lift_wifi_suspension(body, suspension_id):
    """Lift a suspension."""
    return suspensions.lift(toolkit.current_user(), suspension_id, **body)


@blp.route("/kpis")
@toolkit.permission_required(MANAGE)
@blp.arguments(WifiKpiArgsSchema, location="query")
@blp.response(200, WifiKpiReportSchema)
def get_wifi_kpis(args):
    """The period's usage, overall and per hotspot (422 `invalid_period`)."""
    period = toolkit.parse_period(args["period"])
    return {"period": period.key, **kpis.report(period)}


@blp.route("/terms")
@toolkit.permission_required(MANAGE)
@blp.response(200, TermsListSchema)
def list_wifi_terms_admin():
    """Every terms version, newest first."""
    return {"items": terms.list_terms()}


@blp.route("/terms", methods=["POST"])
@toolkit.permission_required(MANAGE)
@blp.arguments(TermsPublishSchema)
@blp.response(201, TermsAdminSchema)
@blp.alt_response(409, response="CONFLICT", description="the version exists (`terms_version_taken`)")
def publish_wifi_terms(body):
    """Publish a new terms version (now, or at `published_at`): from then on citizens must accept it
    before their devices and tokens get on the Wi-Fi again."""
    return terms.publish(toolkit.current_user(), **body)
