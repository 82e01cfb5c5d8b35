"""Schemas of the read-only views: queue filter fields, the public list and map feed, and the KPIs."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ragem import toolkit

from plugins.rabeg.calendar import WIB
from plugins.rabeg.models import STATES

CATEGORY_CODE = validate.Length(min=1, max=40)
REGION_CODE = validate.Length(min=1, max=20)


class CommaSeparated(fields.String):
    """``a,b,c`` -> ``["a", "b", "c"]``, each checked against ``choices`` (blank items ignored)."""

    def __init__(self, choices, **kwargs):
        self.choices = tuple(choices)
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("description", "comma-separated, any of: " + ", ".join(self.choices))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        items = list(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))
        unknown = [item[:40] for item in items if item not in self.choices]
        if unknown or not items:
            raise ValidationError(f"one or more of {', '.join(self.choices)} (comma-separated); unknown: "
                                  f"{', '.join(unknown) or 'none given'}")
        return items


class DateOrDateTime(fields.String):
    """A date (``2026-11-25``, a WIB calendar day) or an ISO datetime (zone-less means UTC) -> naive UTC.

    ``end_of_day``: a bare date means the end of that day (the start of the next one), so
    ``filed_to=2026-11-25`` includes the whole 25th.
    """

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                if self.end_of_day:
                    day += timedelta(days=1)
                return datetime.combine(day, datetime.min.time()) - WIB
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (ValueError, OverflowError):  # OverflowError: 0001-01-01 or 9999-12-31 shifted out of the calendar
            raise ValidationError("a date (YYYY-MM-DD) or an ISO 8601 datetime") from None
        return moment


def check_range(data, start: str, end: str) -> None:
    """Refuse a range whose start is not before its end (422 naming ``start``)."""
    if data.get(start) is not None and data.get(end) is not None and data[start] >= data[end]:
        raise ValidationError(f"must be before {end}", field_name=start)


# --- Public list and map -----------------------------------------------------------------------

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
    bbox = BBox(load_default=None, metadata={"description": "min_lon,min_lat,max_lon,max_lat (WGS84)",
                                             "example": "106.10,-6.15,106.20,-6.10"})


class PublicListArgsSchema(PublicFilterSchema, toolkit.PageArgsSchema):
    """The public list: filters plus ``limit``/``cursor``, newest first."""


class PublicMapArgsSchema(PublicFilterSchema):
    """The map feed: the same filters; the newest complaints with a map point, at most ``limit``."""

    limit = fields.Integer(load_default=2000, validate=validate.Range(min=1, max=2000),
                           metadata={"description": "points at most (1-2000), newest first"})


class PublicPhotoSchema(Schema):
    """A photo anyone may see (moderated ones are left out)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "report (the citizen's) or response (the OPD's)"})
    url = fields.String(required=True)
    thumbnail_url = fields.String(allow_none=True)


class PublicComplaintSchema(Schema):
    """A complaint as the public sees it: never the reporter's account, contact, address text or internal notes.

    A duplicate shows only its number, category, place name, state and dates (its original carries the record).
    """

    id = fields.Integer(required=True)
    public_number = fields.String(required=True)
    category = fields.String(required=True)
    state = fields.String(required=True)
    description = fields.String(required=True, allow_none=True,
                                metadata={"description": "the moderated text when moderated; null for a duplicate"})
    kelurahan = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    created_at = toolkit.UtcDateTime(required=True)
    first_responded_at = toolkit.UtcDateTime(allow_none=True)
    resolved_at = toolkit.UtcDateTime(allow_none=True)
    closed_at = toolkit.UtcDateTime(allow_none=True)
    supporters_count = fields.Integer(required=True)
    reporter_name = fields.String(allow_none=True, metadata={"description": "only when the reporter allowed it"})
    photos = fields.List(fields.Nested(PublicPhotoSchema), required=True)


PublicComplaintPageSchema = toolkit.page_schema(PublicComplaintSchema, "RabegPublicComplaintPage")


class GeoPointSchema(Schema):
    """A GeoJSON Point ([lon, lat])."""

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


# --- KPIs --------------------------------------------------------------------------------------

class KpiArgsSchema(Schema):
    """``from`` (inclusive) and ``to`` (exclusive): dates (WIB days) or ISO datetimes; optional grouping."""

    from_ = DateOrDateTime(required=True, data_key="from", metadata={"example": "2026-11-01"})
    to = DateOrDateTime(required=True, metadata={"example": "2026-12-01"})
    group_by = fields.String(load_default=None, validate=validate.OneOf(("opd", "category")))

    @validates_schema
    def _range(self, data, **_kwargs):
        check_range(data, "from_", "to")


class KpiFiguresSchema(Schema):
    """The figures of one group (or overall) for the complaints received in the period."""

    received = fields.Integer(required=True)
    resolved = fields.Integer(required=True, metadata={"description": "of those received, resolved since"})
    median_hours_to_first_response = fields.Float(allow_none=True)
    median_hours_to_resolve = fields.Float(allow_none=True)
    first_response_within_target = fields.Float(allow_none=True, metadata={"description": "share 0-1"})
    resolution_within_target = fields.Float(allow_none=True, metadata={"description": "share 0-1"})
    rerouted_share = fields.Float(allow_none=True)
    reopened_share = fields.Float(allow_none=True)
    average_rating = fields.Float(allow_none=True)


class KpiGroupSchema(KpiFiguresSchema):
    """The figures of one OPD or category."""

    key = fields.String(required=True, metadata={"description": "the OPD code or the category code"})


class KpiReportSchema(Schema):
    """The KPIs of a period, overall and (when asked) per OPD or category."""

    from_ = toolkit.UtcDateTime(required=True, data_key="from")
    to = toolkit.UtcDateTime(required=True)
    opd = fields.String(allow_none=True, metadata={"description": "set when an officer sees only their OPD"})
    overall = fields.Nested(KpiFiguresSchema, required=True)
    group_by = fields.String(allow_none=True)
    groups = fields.List(fields.Nested(KpiGroupSchema), required=True)
