"""``/api/v1/regions``: the kecamatan and kelurahan of Kota Serang (public, no log-in)."""
from __future__ import annotations

from marshmallow import RAISE

from ragem.blueprint import Blueprint
from ragem.regions import service
from ragem.regions.schemas import RegionDetailSchema, RegionListSchema, RegionQuerySchema

blp = Blueprint("regions", __name__, url_prefix="/api/v1", description="Regions of Kota Serang")


@blp.route("/regions")
# unknown=RAISE: webargs ignores unknown query parameters by default, and a typo such as
# ``?levle=kelurahan`` would silently return the whole tree instead of an error.
@blp.arguments(RegionQuerySchema, location="query", unknown=RAISE)
@blp.response(200, RegionListSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No region has the `parent` code")
def list_regions(args):
    """The region tree, or a flat list filtered by ``parent`` and/or ``level``.

    Without filters, ``items`` holds Kota Serang with its kecamatan and their kelurahan nested in
    ``children``, ordered by code. The whole tree is 74 regions, so it is never paginated.
    """
    if not args:
        return {"items": service.region_tree()}
    return {"items": service.list_regions(parent=args.get("parent"), level=args.get("level"))}


@blp.route("/regions/<string:code>")
@blp.response(200, RegionDetailSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No region has this code")
def get_region(code):
    """One region by Kemendagri code, with its parent code and its direct children."""
    return service.region_detail(code)
