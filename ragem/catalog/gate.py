"""The 503 gate in front of a switched-off service's routes."""
from __future__ import annotations

from flask import Flask, current_app, request

from ragem.catalog.state import snapshot
from ragem.errors import ServiceUnavailable


def install_gate(app: Flask) -> None:
    """Refuse requests to a switched-off service's blueprints with the maintenance message."""

    @app.before_request
    def refuse_disabled_service():
        blueprint = request.blueprint
        if not blueprint:
            return None
        slug = current_app.extensions["ragem.plugins"].blueprint_slugs.get(blueprint.split(".")[0])
        if slug is None:
            return None
        state = snapshot(slug)
        if state.enabled:
            return None
        raise ServiceUnavailable(message=state.message, details={"service": slug}, headers={"Retry-After": "300"})
