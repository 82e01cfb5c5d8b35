"""The public service catalog and the admin switches."""
from __future__ import annotations

from flask import g

from ragem.auth.guards import roles_required
from ragem.blueprint import Blueprint
from ragem.catalog import service
from ragem.catalog.schemas import (
    AdminServiceListSchema,
    AdminServiceSchema,
    PluginListSchema,
    ServiceListSchema,
    ServiceToggleSchema,
)

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="Service catalog")
admin_blp = Blueprint("admin_services", __name__, url_prefix="/api/v1/admin", description="Service switches and plugins (admins)")


@blp.route("/services")
@blp.response(200, ServiceListSchema)
def list_services():
    """The services citizens can use now, named in the request's language."""
    # The most requested route of the app: served from a per-language cache that is rebuilt
    # only when a switch changes (the body is the schema's dump, made once).
    return service.cached_citizen_catalog(lambda items: ServiceListSchema().dump({"items": items}))


@admin_blp.route("/services")
@admin_blp.response(200, AdminServiceListSchema)
@roles_required("admin")
def admin_list_services():
    """Every service with its switch, including those in maintenance."""
    # Served like the public catalog: one body per language, rebuilt when a switch changes.
    return service.cached_admin_catalog(lambda items: AdminServiceListSchema().dump({"items": items}))


@admin_blp.route("/services/<string:slug>", methods=["PATCH"])
@roles_required("admin")
@admin_blp.arguments(ServiceToggleSchema)
@admin_blp.response(200, AdminServiceSchema)
def set_service_state(body, slug):
    """Switch a service on or off (audited; critical services need ``confirm``)."""
    return service.set_service_state(slug, actor=g.current_user, **body)


@admin_blp.route("/plugins")
@admin_blp.response(200, PluginListSchema)
@roles_required("admin")
def list_plugins():
    """Installed plugins: version, distribution, status (and reason), hooks implemented."""
    return {"items": service.plugin_list()}
