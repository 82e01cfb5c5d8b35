"""The two formats of GeoReport v2 (chosen by the URL's extension) and its error list.

JSON follows the specification's "Spark convention" mapping of the XML: a list of services is a
JSON array, and in XML a ``<services>`` root with one ``<service>`` per item. Errors are
``[{"code", "description"}]`` / ``<errors><error>...``, never the core's JSON envelope.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable
from xml.sax.saxutils import escape

from flask import current_app

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: The element name of one item of each list, as the specification's XML examples name them.
LIST_ITEMS = {
    "services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format",
}
# Characters XML 1.0 cannot hold at all (control characters): dropped, or the document is not well-formed.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """A failure answered as the GeoReport error list with HTTP ``status`` (400, 403, 404...)."""

    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None):
        super().__init__(descriptions[0] if descriptions else str(status))
        self.status = status
        self.descriptions = list(descriptions) or ["error"]
        self.headers = dict(headers or {})


def check_format(fmt: str | None) -> str:
    """``fmt`` when it is ``json`` or ``xml``; any other extension is a resource that does not exist."""
    if fmt in CONTENT_TYPES:
        return fmt
    raise Open311Error(404, f"Unknown format {str(fmt)[:20]!r}: use .json or .xml")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(name: str, value: Any, out: list[str]) -> None:
    """Append ``<name>value</name>`` (lists become one child per item, dicts their keys)."""
    if isinstance(value, list):
        out.append(f"<{name}>")
        child = LIST_ITEMS.get(name, "item")
        for item in value:
            _element(child, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _element(key, item, out)
        out.append(f"</{name}>")
    elif value is None or value == "":
        out.append(f"<{name}/>")
    else:
        out.append(f"<{name}>{escape(_text(value))}</{name}>")


def to_xml(root: str, data: Any) -> str:
    """``data`` as an XML document with root element ``root`` and the UTF-8 declaration."""
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _element(root, data, out)
    return "\n".join(out[:1]) + "\n" + "".join(out[1:]) + "\n"


def render(fmt: str, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None):
    """The response for ``data`` in ``fmt`` (``root`` names the XML root element)."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False)
    response = current_app.response_class(body, status=status, content_type=CONTENT_TYPES[fmt])
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def render_errors(fmt: str, status: int, descriptions: Iterable[str], headers: dict[str, str] | None = None):
    """The GeoReport error list: one ``{code, description}`` per problem, ``code`` the HTTP status."""
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(fmt if fmt in CONTENT_TYPES else "json", "errors", errors, status, headers)
