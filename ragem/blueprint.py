"""The Blueprint every RAGEM API module uses: flask-smorest's, so routes document themselves.

``@blp.arguments(Schema)`` parses and validates input (unknown fields refused, 422 envelope on
error) and ``@blp.response(200, Schema)`` dumps output; both feed ``openapi.yaml``.
"""
from __future__ import annotations

from flask_smorest import Blueprint as _SmorestBlueprint

BEARER_SECURITY = [{"bearerAuth": []}]


class Blueprint(_SmorestBlueprint):
    """flask-smorest Blueprint; kept as our own name so the toolkit facade stays stable."""


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
