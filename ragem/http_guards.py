"""Guards at the HTTP edge: body media type and size, NUL characters, integer ids that no
database column holds, and the client address behind proxies.

``install(app)`` is called once by ``create_app``. Everything refused here leaves as the JSON error
envelope (415, 413) before a view runs, so no view ever sees a body it cannot parse.
"""
from __future__ import annotations

import re
from typing import Callable

from flask import Flask, Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from ragem.errors import ApiError

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MULTIPART = "multipart/form-data"
# A JSON "\u0000" escape that is not itself escaped (an even run of backslashes before it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


# The largest value a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds.
MAX_DB_INTEGER = 2**63 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:...>`` that only matches values a database integer column can hold.

    ``/items/99999999999999999999`` is a 404 like any unknown id, instead of an overflow inside
    the database driver (a 500 on both SQLite and PostgreSQL).
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_DB_INTEGER if max is None else max, signed=signed)


def private_page_headers(response):
    """After-request hook of the HTML pages that show personal data and carry CSRF tokens (the
    console, the single sign-on pages): no cache may keep them, no frame may hide their buttons."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def accepts_media_types(*media_types: str) -> Callable:
    """Let one view take bodies of other media types too (e.g. a form post from a captive portal).

    Put it under ``@blp.route``; JSON and multipart stay accepted.
    """

    def decorator(func: Callable) -> Callable:
        func._ragem_media_types = frozenset(t.lower() for t in media_types)  # type: ignore[attr-defined]
        return func

    return decorator


def is_json_media_type(mimetype: str) -> bool:
    """``application/json`` or any ``*/*+json`` (``application/merge-patch+json``...)."""
    return mimetype == "application/json" or (mimetype.endswith("+json") and "/" in mimetype)


def _has_body(req: Request) -> bool:
    if req.content_length:
        return True
    return "chunked" in req.headers.get("Transfer-Encoding", "").lower()


def _view_accepts(req: Request, mimetype: str) -> bool:
    view = current_app.view_functions.get(req.endpoint or "")
    return mimetype in getattr(view, "_ragem_media_types", ())


def _nul_location(req: Request, has_body: bool) -> str | None:
    """Where the request carries a NUL character, if anywhere.

    PostgreSQL refuses NUL in text (the query fails with a 500), SQLite would store it: no
    legitimate RAGEM input contains one, so it is refused at the edge, the same on both.
    """
    if "\x00" in req.path:
        return "path"
    if req.query_string and any("\x00" in k or "\x00" in v for k, v in req.args.items(multi=True)):
        return "query"
    if has_body:
        if is_json_media_type(req.mimetype):
            data = req.get_data(cache=True)
            if b"u0000" in data and _JSON_NUL.search(data):
                return "json"
        elif req.mimetype == MULTIPART:
            if any("\x00" in k or "\x00" in v for k, v in req.form.items(multi=True)):
                return "form"
    return None


def install(app: Flask) -> None:
    """Trust ``PROXY_COUNT`` proxy hops and refuse oversized or non-JSON bodies early."""
    # Before any blueprint is registered: rules pick their converters when they are added.
    app.url_map.converters["int"] = DatabaseIntegerConverter
    hops = app.config["RAGEM"].get("PROXY_COUNT") or 0
    if hops:
        # Only the client address and scheme: the Host header stays the one the client sent to
        # the balancer, so a spoofed X-Forwarded-Host cannot redirect generated URLs.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    @app.before_request
    def refuse_unusable_body():
        req = request._get_current_object()  # type: ignore[attr-defined]  (one look-up: runs on every request)
        if req.routing_exception is not None:
            return None  # an unknown URL or method answers 404/405, whatever the body
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit and req.content_length and req.content_length > limit:
            # Werkzeug only refuses when a view reads the body; refuse it for every route.
            raise RequestEntityTooLarge()
        has_body = req.method in BODY_METHODS and _has_body(req)
        if has_body:
            mimetype = req.mimetype
            if not (is_json_media_type(mimetype) or mimetype == MULTIPART or _view_accepts(req, mimetype)):
                raise ApiError(
                    "unsupported_media_type",
                    status=415,
                    details={"content_type": mimetype or None, "accepted": ["application/json", MULTIPART]},
                )
        location = _nul_location(req, has_body)
        if location:
            raise ApiError(
                "bad_request",
                {"id": "Data berisi karakter NUL (\\u0000) yang tidak diizinkan.",
                 "en": "The request contains a NUL character (\\u0000), which is not allowed."},
                details={"location": location},
            )
        return None
