"""What several 112 schemas share: Kota Serang's bounds, text limits, the Idempotency-Key header."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.darurat112.services.intake import LAT_RANGE, LON_RANGE

#: A row id (an integer column: larger numbers name nothing).
ID = validate.Range(min=1, max=2**31 - 1)
# Blank text is no message; NUL and other control characters never reach the database (PostgreSQL
# refuses NUL in text: a 500). Tabs and line breaks are fine.
PLAIN_TEXT = validate.Regexp(r"^(?=\s*\S)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                             error="not blank, without control characters")
TEXT = [validate.Length(min=1, max=2000), PLAIN_TEXT]
SHORT_TEXT = [validate.Length(min=1, max=300), PLAIN_TEXT]
# A person's name, as the core bounds account names: the contract states the limit, and the sealed
# column's ciphertext stays a predictable size.
NAME_TEXT = [validate.Length(min=1, max=120), PLAIN_TEXT]


def latitude(**kwargs) -> fields.Float:
    """A latitude inside Kota Serang's bounding box (the service checks the pair)."""
    return fields.Float(validate=validate.Range(*LAT_RANGE, error="inside Kota Serang ({min} to {max})"),
                        allow_nan=False, metadata={"description": "latitude inside Kota Serang", "example": -6.12},
                        **kwargs)


def longitude(**kwargs) -> fields.Float:
    """A longitude inside Kota Serang's bounding box."""
    return fields.Float(validate=validate.Range(*LON_RANGE, error="inside Kota Serang ({min} to {max})"),
                        allow_nan=False, metadata={"description": "longitude inside Kota Serang", "example": 106.15},
                        **kwargs)


def accuracy(**kwargs) -> fields.Float:
    """The phone's location accuracy in metres: above 5 km the point says nothing useful."""
    return fields.Float(validate=validate.Range(min=0, max=5000, min_inclusive=False), allow_nan=False,
                        metadata={"description": "radius of the location's uncertainty in metres (0 < m <= 5000)",
                                  "example": 12.5}, **kwargs)


#: The ``Idempotency-Key`` header of an incident raised from the app.
IncidentIdempotencyHeaderSchema = toolkit.idempotency_header(
    "required: a retry with the same key and body returns the first incident (200); "
    "the same key with another body is 422 idempotency_key_reused")
