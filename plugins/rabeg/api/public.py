"""The public view of complaints, without login: a list and a GeoJSON map feed, no personal data."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.services import public
from plugins.rabeg.schemas.public import (
    MapFeedSchema,
    PublicComplaintPageSchema,
    PublicListArgsSchema,
    PublicMapArgsSchema,
)

blp = toolkit.Blueprint("rabeg_public", __name__, description="RABEG: public list and map of complaints")


@blp.route("/public/complaints")
@blp.arguments(PublicListArgsSchema, location="query")
@blp.response(200, PublicComplaintPageSchema)
def list_public_complaints(args):
    """Complaints anyone may read, newest first (`?category=&state=&kelurahan=&bbox=&limit=&cursor=`)."""
    return public.public_list(**args)


@blp.route("/public/map")
@blp.arguments(PublicMapArgsSchema, location="query")
@blp.response(200, MapFeedSchema)
def get_public_complaint_map(args):
    """A GeoJSON FeatureCollection of the newest matching complaints with a map point (at most 2000)."""
    return public.map_feed(**args)
