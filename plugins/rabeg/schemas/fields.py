"""What several RABEG schemas share: Kota Serang's bounds, dates and text."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validate

from ragem import toolkit

from plugins.rabeg.calendar import WIB

# Kota Serang's bounding box (the toolkit's): a pin outside it is a mistake (or a complaint for another city).
LAT_RANGE, LON_RANGE = toolkit.KOTA_SERANG_BOUNDS.lat, toolkit.KOTA_SERANG_BOUNDS.lon
# Blank text is no message: "   " is refused like "".
NOT_BLANK = validate.Regexp(r"^\s*\S", error="must not be blank")
TEXT = [validate.Length(min=1, max=4000), NOT_BLANK]
#: A row id (an integer column: larger numbers name nothing).
ID = validate.Range(min=1, max=2**31 - 1)






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
