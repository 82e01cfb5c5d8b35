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
BUILTIN_PLUGINS = ("rabeg", "gelati", "sikondang", "darurat112", "wifi", "whatsapp", "sms", "push")

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


def operation_id(view_name: str, method: str | None = None) -> str:
    """The default ``operationId`` of a view: its function's name in lowerCamelCase
    (``file_complaint`` -> ``fileComplaint``); a view serving several methods gets the method in
    front (``getUnknownResource``) so each operation keeps its own."""
    words = [word for word in view_name.split("_") if word]
    if method:
        words.insert(0, method.lower())
    return words[0].lower() + "".join(word[:1].upper() + word[1:] for word in words[1:])


def _add_operation_ids(app: Flask, paths: dict[str, Any]) -> None:
    """Give every operation without an explicit ``operationId`` (``@blp.doc(operationId=...)``) the
    one its view's name implies, so generated clients get readable, stable method names."""
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        operations = paths.get(rule_to_path(rule.rule), {})
        view_name = rule.endpoint.rsplit(".", 1)[-1]
        for method in methods:
            operation = operations.get(method.lower())
            if operation is not None and "operationId" not in operation:
                operation["operationId"] = operation_id(view_name, method if len(methods) > 1 else None)


def spec_dict(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app`` as a dict."""
    api = app.extensions["ragem.api"]
    raw = api.spec.to_dict()
    _add_operation_ids(app, raw.get("paths", {}))
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
            "PLUGINS_DENY": [],  # a local RAGEM_PLUGINS_DENY never changes the committed contract
            "LOG_LEVEL": "ERROR",
        }
    )
