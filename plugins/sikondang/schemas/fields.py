"""What several SIKONDANG schemas share: names, keys, bilingual texts and dumping model objects."""
from __future__ import annotations

from typing import Any, Callable

from marshmallow import fields, validate

from ragem import toolkit

NOT_BLANK = validate.Regexp(r"^\s*\S", error="must not be blank")
#: A dataset's URL name (CKAN's package name rule, lowercase).
NAME = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{1,99}$",
                       error="2-100 lowercase letters, digits, - or _, starting with a letter or digit")
#: A dimension's or measure's key: also its CSV column header and its query parameter.
KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error="1-64 lowercase letters, digits or _, starting with a letter")
#: A tag (searchable with ?tag=): lowercase words joined by spaces or hyphens.
TAG = validate.Regexp(r"^[a-z0-9][a-z0-9 -]{0,49}$", error="1-50 lowercase letters, digits, spaces or -")
#: A value of a dimension (a region code, a year, a category code).
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                       error="1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")


def text(max_length: int, required: bool = False, **kwargs) -> fields.String:
    """A plain text field, refusing blank text when ``required``."""
    checks = [validate.Length(min=1 if required else 0, max=max_length)]
    if required:
        checks.append(NOT_BLANK)
    return fields.String(required=required, validate=checks, **kwargs)


class LabelSchema(toolkit.BaseSchema):
    """A short label in Indonesian and English."""

    id = fields.String(required=True, validate=[validate.Length(min=1, max=120), NOT_BLANK])
    en = fields.String(required=True, validate=[validate.Length(min=1, max=120), NOT_BLANK])


class TitleSchema(toolkit.BaseSchema):
    """A title in Indonesian and English."""

    id = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    en = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])


class DescriptionSchema(toolkit.BaseSchema):
    """A longer text in Indonesian and English (may be empty)."""

    id = fields.String(required=True, validate=validate.Length(max=10000))
    en = fields.String(required=True, validate=validate.Length(max=10000))


def bilingual(prefix: str) -> Callable[[Any], dict[str, str]]:
    """``obj.<prefix>_id`` and ``obj.<prefix>_en`` as ``{"id", "en"}``."""
    return lambda obj: {"id": getattr(obj, f"{prefix}_id"), "en": getattr(obj, f"{prefix}_en")}

