"""The OpenAPI document: generated from the app's flask-smorest routes and marshmallow schemas."""
from __future__ import annotations

import re
import tempfile
from typing import Any

import yaml
from flask import Flask

from ragem import __version__
from ragem.app import create_app

# The built-in services: the committed openapi.yaml documents the core plus exactly these, so an
# OPD's extra plugin installed on a developer's machine never changes the committed contract.
BUILTIN_PLUGINS = ("rabeg", "gelati", "sikondang", "darurat112", "wifi")

DESCRIPTION = """\
The API of RAGEM, Kota Serang's public-service super-app.

Every failure answers with the envelope `{"error": {"code", "message", "details", "request_id"}}`.
Messages are in Indonesian unless `Accept-Language` prefers English. Lists take `limit` and
`cursor` and answer `{"items": [...], "next_cursor": ...}`. Timestamps are UTC, ISO 8601 with `Z`.
Authenticated routes take `Authorization: Bearer <access token>` (ES256 JWT; public keys at
`/.well-known/jwks.json`). Each service's routes live under `/api/v1/<slug>/` and answer 503
`service_unavailable` while an admin has switched the service off.
"""

_RULE_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def spec_dict(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app`` as a dict."""
    api = app.extensions["ragem.api"]
    raw = api.spec.to_dict()
    raw["info"] = {"title": "RAGEM API", "version": __version__, "description": DESCRIPTION}
    # Conventional order, so the committed file reads top-down: what, then paths, then schemas.
    order = ["openapi", "info", "servers", "tags", "paths", "components"]
    spec = {key: raw[key] for key in order if key in raw}
    spec.update({key: value for key, value in raw.items() if key not in spec})
    return spec


class _Dumper(yaml.SafeDumper):
    """Writes multi-line texts as literal blocks, so descriptions stay readable in the file."""


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def spec_yaml(app: Flask) -> str:
    """The OpenAPI document of ``app`` as YAML text (stable order, UTF-8)."""
    return yaml.dump(spec_dict(app), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def rule_to_path(rule: str) -> str:
    """A Flask URL rule (``/x/<string:slug>``) as an OpenAPI path (``/x/{slug}``)."""
    return _RULE_PARAM.sub(r"{\1}", rule)


def contract_app() -> Flask:
    """An app with the core and only the built-in services, as the committed contract describes."""
    instance = tempfile.mkdtemp(prefix="ragem-openapi-")
    return create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": instance,
            "DATABASE_URL": f"sqlite:///{instance}/unused.db",
            "PLUGINS_ALLOW": list(BUILTIN_PLUGINS),
            "LOG_LEVEL": "ERROR",
        }
    )
