"""What several GELATI schemas share: whole numbers (money, quantities), text limits, region codes,
the Idempotency-Key header."""
from __future__ import annotations

import copy
import numbers

from marshmallow import ValidationError, fields, missing, validate

from ragem import toolkit

#: A row id (an integer column: larger numbers name nothing).
ID = validate.Range(min=1, max=2**31 - 1)
# Blank text is no text; NUL and other control characters never reach the database.
PLAIN_TEXT = validate.Regexp(r"^(?=\s*\S)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                             error="not blank, without control characters")
NAME_TEXT = [validate.Length(min=1, max=120), PLAIN_TEXT]
SHORT_TEXT = [validate.Length(min=1, max=300), PLAIN_TEXT]
LONG_TEXT = [validate.Length(min=1, max=4000), PLAIN_TEXT]
REGION_CODE = validate.Regexp(r"^36\.73\.\d{2}(\.\d{4})?$", error="a Kemendagri code of Kota Serang")
#: The largest price or fee: a billion rupiah (keeps sums far inside a 32-bit column).
MAX_RUPIAH = 1_000_000_000
MAX_STOCK = 1_000_000


class WholeNumber(fields.Integer):
    """An integer sent as a JSON number without a fraction: ``1.5``, ``"2"``, ``true`` are refused,
    so no price or quantity is ever rounded behind the client's back."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValidationError("a whole number (no fraction, not text)")
        return super()._deserialize(value, attr, data, **kwargs)


def rupiah(**kwargs) -> WholeNumber:
    """A sum of money in whole rupiah, 0 to a billion."""
    kwargs.setdefault("metadata", {}).setdefault("description", "whole rupiah (an integer, never a fraction)")
    return WholeNumber(validate=validate.Range(min=0, max=MAX_RUPIAH), **kwargs)


def quantity(**kwargs) -> WholeNumber:
    """How many items: a whole number from 1."""
    return WholeNumber(validate=validate.Range(min=1, max=MAX_STOCK), **kwargs)


#: The ``Idempotency-Key`` header of a checkout.
IdempotencyHeaderSchema = toolkit.idempotency_header(
    "required: a retry with the same key and body answers the first checkout's orders (200); "
    "the same key with another body is 422 idempotency_key_reused")


class ReasonSchema(toolkit.BaseSchema):
    """A step that needs a reason (rejecting, suspending, a seller's cancellation)."""

    reason = fields.String(required=True, validate=SHORT_TEXT)


class OptionalReasonSchema(toolkit.BaseSchema):
    """A step that may carry a reason."""

    reason = fields.String(load_default=None, validate=SHORT_TEXT)


def all_optional(schema_cls: type, name: str, doc: str) -> type:
    """A copy of ``schema_cls`` whose fields are all optional and have no default: what a PATCH
    accepts (a field left out is left unchanged)."""
    declared = {}
    for field_name, field in schema_cls._declared_fields.items():
        optional = copy.deepcopy(field)
        optional.required, optional.load_default = False, missing
        declared[field_name] = optional
    return type(name, (toolkit.BaseSchema,), {"__doc__": doc, **declared})
