"""The Blueprint every RAGEM API module uses: flask-smorest's, so routes document themselves.

``@blp.arguments(Schema)`` parses and validates input (unknown fields refused, 422 envelope on
error) and ``@blp.response(200, Schema)`` dumps output; both feed ``openapi.yaml``.
"""
from __future__ import annotations

from flask_smorest import Blueprint as _SmorestBlueprint
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict

from ragem.json_input import loads_strict

BEARER_SECURITY = [{"bearerAuth": []}]


class RagemParser(FlaskParser):
    """webargs' Flask parser plus the ``multipart`` location: files and form fields of one body.

    flask-smorest documents one request body per route, so a photo with its description cannot
    be split over ``files`` and ``form``; ``location="multipart"`` reads both with one schema
    (``flask_smorest.fields.Upload`` for the files) and documents it as ``multipart/form-data``.
    """

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        """Files and form fields of a multipart body, as one multidict."""
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def _raw_load_json(self, req):
        """The JSON body, read strictly (``ragem.json_input``): malformed bytes, absurd nesting, a lone
        surrogate or a 5,000-digit number are invalid JSON (400), never a 500 further on."""
        if not is_json_request(req):
            return missing
        try:
            return loads_strict(req.get_data(cache=True).decode("utf-8"))
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, UnacceptableJSON
            self._handle_invalid_json_error(exc, req)


class Blueprint(_SmorestBlueprint):
    """flask-smorest Blueprint; kept as our own name so the toolkit facade stays stable.

    ``root_mount=True`` asks for the blueprint to be served at its own ``url_prefix`` from the
    site root (``/open311/v2``: a standard path existing clients expect) instead of under
    ``/api/v1/<slug>``; ``ragem.app`` refuses prefixes the core or another plugin serves.
    """

    ARGUMENTS_PARSER = RagemParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **_SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def __init__(self, *args, root_mount: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.root_mount = root_mount


def document_security(func):
    """Mark a view as needing a bearer token in the OpenAPI document (401/403 documented too)."""
    func = _SmorestBlueprint.doc(
        security=BEARER_SECURITY,
        responses={
            "401": "UNAUTHORIZED",
            "403": "FORBIDDEN",
        },
    )(func)
    return func
