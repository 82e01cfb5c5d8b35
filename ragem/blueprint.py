"""The Blueprint every RAGEM API module uses: flask-smorest's, so routes document themselves.

``@blp.arguments(Schema)`` parses and validates input (unknown fields refused, 422 envelope on
error) and ``@blp.response(200, Schema)`` dumps output; both feed ``openapi.yaml``.
"""
from __future__ import annotations

from flask_smorest import Blueprint as _SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

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
        """The JSON body; absurdly deep nesting (``[[[[...]]]]``) is invalid JSON, not a 500."""
        try:
            return super()._raw_load_json(req)
        except RecursionError as exc:
            self._handle_invalid_json_error(ValueError(f"JSON nested too deeply: {exc}"), req)


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
