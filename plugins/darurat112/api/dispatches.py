"""The agencies: their officers list their dispatches and move each along."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.access import AGENCY
from plugins.darurat112.schemas.dispatches import (
    AgencyDispatchArgsSchema, DispatchPageSchema, AgencyDispatchSchema, AgencyDispatchUpdateSchema,
)
from plugins.darurat112.services import dispatches

blp = toolkit.Blueprint("darurat112_dispatches", __name__, description="112: agencies' dispatches")


@blp.route("/dispatches")
@toolkit.permission_required(AGENCY)
@blp.arguments(AgencyDispatchArgsSchema, location="query")
@blp.response(200, DispatchPageSchema)
def list_agency_dispatches(args):
    """The dispatches of the officer's own agency, newest first (running ones unless `active=false`)."""
    items, next_cursor = dispatches.my_agency_dispatches(toolkit.current_user(), **args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/dispatches/<int:dispatch_id>/state", methods=["POST"])
@toolkit.login_required
@blp.arguments(AgencyDispatchUpdateSchema)
@blp.response(200, AgencyDispatchSchema)
@blp.alt_response(409, response="CONFLICT", description="going back, or after the dispatch ended (`dispatch_state`)")
def update_dispatch_state(body, dispatch_id):
    """The agency's officers move their dispatch forward (acknowledged, en_route, on_scene, completed)
    or cancel it; the command centre may cancel it. 404 for anyone else."""
    return dispatches.update_state(dispatch_id, toolkit.current_user(), **body)
