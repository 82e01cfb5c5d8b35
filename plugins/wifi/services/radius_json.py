"""Reading and writing FreeRADIUS rlm_rest's JSON attribute format.

A request body (``body = 'json'``) maps each attribute of the RADIUS request to
``{"type": "<type>", "value": [<value>, ...]}`` (``attr_num`` too when configured). A reply maps
attribute names, qualified by list (``reply:Session-Timeout``, ``control:Auth-Type``), to values.

The NAS decides which attributes arrive and sends many RAGEM does not read (vendor attributes):
those are ignored. What is refused (400 ``invalid_radius_json``) is a body that is not in the
module's format at all: not a JSON object, a name that is not an attribute name, a value that is not
a list of scalars, oversized content.
"""
from __future__ import annotations

import json
import re

from flask import Response

from ragem import toolkit

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
MAX_ATTRIBUTES = 200
MAX_VALUES = 16
MAX_VALUE_CHARS = 1024  # RADIUS values are at most 253 octets; their hex text fits
MSG_INVALID = {"id": "Isi permintaan RADIUS tidak sesuai format JSON modul rest FreeRADIUS.",
               "en": "The RADIUS request body is not in FreeRADIUS rest module JSON format."}
MSG_BAD_ATTRIBUTE = {"id": "Nilai atribut RADIUS tidak valid.", "en": "Invalid RADIUS attribute value."}


def invalid(reason: str, **details) -> toolkit.ApiError:
    """The 400 ``invalid_radius_json`` error, with the reason in ``details``."""
    return toolkit.ApiError("invalid_radius_json", MSG_INVALID, status=400, details={"reason": reason, **details})


def decode(raw: bytes) -> dict[str, list]:
    """The attributes of an rlm_rest JSON body as ``{name: [values]}``; 400 when malformed."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, RecursionError):
        raise invalid("not JSON") from None
    if not isinstance(body, dict) or not body:
        raise invalid("expected a JSON object of attributes")
    if len(body) > MAX_ATTRIBUTES:
        raise invalid("too many attributes")
    attributes: dict[str, list] = {}
    for name, item in body.items():
        if not _NAME.fullmatch(name):
            raise invalid("not an attribute name", attribute=name[:80])
        if not isinstance(item, dict) or not isinstance(item.get("value"), list):
            raise invalid("expected {\"type\": ..., \"value\": [...]}", attribute=name)
        values = item["value"]
        if len(values) > MAX_VALUES or any(
                isinstance(v, bool) or not isinstance(v, (str, int, float)) or len(str(v)) > MAX_VALUE_CHARS
                for v in values):
            raise invalid("values must be a short list of strings or numbers", attribute=name)
        try:  # a lone UTF-16 surrogate parses but no database or log line can hold it
            for v in values:
                str(v).encode("utf-8")
        except UnicodeEncodeError:
            raise invalid("a value is not valid Unicode", attribute=name) from None
        attributes[name] = values
    return attributes


def text(attributes: dict[str, list], name: str) -> str | None:
    """The first value of ``name`` as text, or ``None`` when absent."""
    values = attributes.get(name)
    if not values:
        return None
    value = values[0]
    return value if isinstance(value, str) else str(value)


def integer(attributes: dict[str, list], name: str, *, maximum: int = 2**32 - 1) -> int:
    """The first value of ``name`` as an integer in 0..``maximum`` (0 when absent); 422 otherwise."""
    values = attributes.get(name)
    if not values:
        return 0
    value = values[0]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= maximum:
        raise toolkit.ValidationError("invalid_radius_attribute", MSG_BAD_ATTRIBUTE,
                                      details={name: [f"expected an integer from 0 to {maximum}"]})
    return value


def reply(status: int, attributes: dict | None = None) -> Response:
    """An rlm_rest answer: ``status`` and, unless empty, the attributes as JSON."""
    if not attributes:
        return Response(status=status)
    return Response(json.dumps(attributes, ensure_ascii=False), status=status, mimetype="application/json")
