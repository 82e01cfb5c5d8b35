"""What the public routes accept and answer: filters, the public list and the GeoJSON map feed."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from ragem import toolkit
from ragem.toolkit import CommaSeparated, FromModel

from plugins.rabeg.models import STATES, Complaint
from plugins.rabeg.photos import public_photos
from plugins.rabeg.schemas.photos import LINKS
from plugins.rabeg.services.public import public_description, public_point

CATEGORY_CODE = validate.Length(min=1, max=40)
REGION_CODE = validate.Length(min=1, max=20)


class BBox(fields.String):
    """``min_lon,min_lat,max_lon,max_lat`` -> a tuple of four floats (WGS84, min < max)."""

    def _deserialize(self, value, attr, data, **kwargs):
        parts = super()._deserialize(value, attr, data, **kwargs).split(",")
        try:
            numbers = tuple(float(p) for p in parts)
        except ValueError:
            numbers = ()
        if len(numbers) != 4 or any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
            raise ValidationError("four numbers: min_lon,min_lat,max_lon,max_lat")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            raise ValidationError("min_lon < max_lon within -180..180 and min_lat < max_lat within -90..90")
        return numbers


class PublicFilterSchema(Schema):
    """Filters of the public list and map (all optional, combined with AND)."""

    category = fields.String(load_default=None, validate=CATEGORY_CODE, metadata={"example": "JALAN_RUSAK"})
    state = CommaSeparated(STATES, load_default=None)
    kelurahan = fields.String(load_default=None, validate=REGION_CODE, metadata={"example": "36.73.01.1001"})
    bbox = BBox(load_default=None, metadata={"description": "min_lon,min_lat,max_lon,max_lat (WGS84), "
                                                            "matched against the public (rounded) points",
                                             "example": "106.10,-6.15,106.20,-6.10"})


class PublicListArgsSchema(PublicFilterSchema, toolkit.PageArgsSchema):
    """The public list: filters plus ``limit``/``cursor``, newest first."""


class PublicMapArgsSchema(PublicFilterSchema):
    """The map feed: the same filters; the newest complaints with a map point, at most ``limit``."""

    limit = fields.Integer(load_default=2000, validate=validate.Range(min=1, max=2000),
                           metadata={"description": "points at most (1-2000), newest first"})


class PublicPhotoSchema(FromModel, Schema):
    """A photo anyone may see (moderated ones are left out)."""

    computed = LINKS

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "report (the citizen's) or response (the OPD's)"})
    url = fields.String(required=True)
    thumbnail_url = fields.String(allow_none=True)


def _unless_duplicate(read):
    """``read(complaint)``, or nothing for a duplicate: it says only that it existed and was merged (its
    text, point and photos are the same problem as its original's, and its reporter follows the original)."""
    return lambda complaint: None if complaint.duplicate_of_id is not None else read(complaint)


def _reporter_name(complaint: Complaint) -> str | None:
    """The name captured at filing, only when the reporter allowed it and the report is not anonymous."""
    return complaint.reporter_display_name if complaint.show_name_publicly and not complaint.anonymous else None


class PublicComplaintSchema(FromModel, Schema):
    """A complaint as the public sees it: never the reporter's account, contact, address text or internal notes.

    Only published complaints get here (``services.public.published``).

    A duplicate shows only its number, category, place name, state and dates (its original carries the record).
    Every field is listed here: what is not a field never leaves, whatever the complaint holds.
    """

    computed = {
        "category": lambda complaint: complaint.category.code,
        # The moderated text when an officer replaced it (the original stays with the reporter and staff),
        # with NIK, phone numbers and email addresses masked.
        "description": _unless_duplicate(public_description),
        # The place of a public problem (a road, a drain), rounded to a cell of about 110 m; never the address text.
        "lat": _unless_duplicate(lambda complaint: public_point(complaint)[0]),
        "lon": _unless_duplicate(lambda complaint: public_point(complaint)[1]),
        "reporter_name": _unless_duplicate(_reporter_name),
        "photos": lambda complaint: [] if complaint.duplicate_of_id is not None else public_photos(complaint),
    }

    id = fields.Integer(required=True)
    public_number = fields.String(required=True)
    category = fields.String(required=True)
    state = fields.String(required=True)
    description = fields.String(required=True, allow_none=True, metadata={
        "description": "the moderated text when moderated, NIK, phone numbers and email addresses masked "
                       "([NIK disembunyikan], [telepon disembunyikan], [email disembunyikan]); null for a duplicate"})
    kelurahan = fields.String(allow_none=True, attribute="kelurahan_code")
    lat = fields.Float(allow_none=True, metadata={"description": "rounded to 3 decimals (about 110 m)"})
    lon = fields.Float(allow_none=True, metadata={"description": "rounded to 3 decimals (about 110 m)"})
    created_at = toolkit.UtcDateTime(required=True)
    first_responded_at = toolkit.UtcDateTime(allow_none=True)
    resolved_at = toolkit.UtcDateTime(allow_none=True)
    closed_at = toolkit.UtcDateTime(allow_none=True)
    supporters_count = fields.Integer(required=True)
    reporter_name = fields.String(allow_none=True, metadata={"description": "only when the reporter allowed it"})
    photos = fields.List(fields.Nested(PublicPhotoSchema), required=True)


PublicComplaintPageSchema = toolkit.page_schema(PublicComplaintSchema, "RabegPublicComplaintPage")


class GeoPointSchema(Schema):
    """A GeoJSON Point ([lon, lat]), rounded to 3 decimals (about 110 m)."""

    type = fields.String(required=True, metadata={"example": "Point"})
    coordinates = fields.List(fields.Float(), required=True)


class MapPropertiesSchema(Schema):
    """What a map marker carries."""

    id = fields.Integer(required=True)
    public_number = fields.String(required=True)
    category = fields.String(required=True)
    state = fields.String(required=True)
    created_at = toolkit.UtcDateTime(required=True)


class MapFeatureSchema(Schema):
    """One complaint on the map."""

    type = fields.String(required=True, metadata={"example": "Feature"})
    geometry = fields.Nested(GeoPointSchema, required=True)
    properties = fields.Nested(MapPropertiesSchema, required=True)


class MapFeedSchema(Schema):
    """A GeoJSON FeatureCollection of complaint points."""

    type = fields.String(required=True, metadata={"example": "FeatureCollection"})
    features = fields.List(fields.Nested(MapFeatureSchema), required=True)
    truncated = fields.Boolean(required=True, metadata={"description": "more complaints matched than were sent"})
