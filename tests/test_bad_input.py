"""No input yields a 5xx: every route of the default app, fed junk, answers with a 4xx envelope.

The walk is generic: it reads ``app.url_map`` and the OpenAPI document of the same app, so a route
added by any module or plugin is covered without touching this file. Path parameters get junk
values, bodies are malformed, of the wrong shape or type, huge, or carry unknown fields, and query
strings carry bad numbers and cursors, each sent anonymously and as an admin.
"""
from __future__ import annotations

import io
import itertools
import json
import re
import xml.etree.ElementTree as ET

import pytest

from ragem.apidocs.spec import rule_to_path, spec_dict

from throwaway import SERVICE

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
_RULE_PARAM = re.compile(r"<(?:[^:<>]+:)?[^<>]+>")

# Junk for path parameters, already URL-encoded as a client would send it.
JUNK_SEGMENTS = (
    "x",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "9" * 40,  # overflows any integer column
    "-1",
    "%00",  # a NUL byte: PostgreSQL refuses it in text
    "%27%20OR%201%3D1%20--",
    "%E2%80%AE%F0%9F%98%80",  # right-to-left override and an emoji
)

QUERY_JUNK = (
    "limit=abc&cursor=%25%25zz",
    "limit=-1",
    "limit=0",
    "limit=" + "9" * 30,
    "cursor=" + "A" * 3000,
    "cursor=eyJpZCI6IFsxXX0",  # base64 of {"id": [1]}: decodes, but is no cursor of ours
    "cursor=%00",
    "since=2026-13-45T99:00:00Z&until=kemarin&from=x&to=y",
    # Valid datetimes that fall off the calendar once moved to UTC.
    "since=0001-01-01T00:00:00%2B14:00&until=9999-12-31T23:59:59-10:00",
    "bogus=1&bogus=2",
    "expires=9999999999&signature=%C3%BC",  # a signature that is not ASCII
)

WRONG_BY_TYPE = {
    "string": 12345,
    "integer": "bukan-angka",
    "number": "bukan-angka",
    "boolean": "mungkin",
    "array": {"bukan": "daftar"},
    "object": "bukan-objek",
}


def _resolve(spec: dict, schema: dict | None) -> dict:
    """Follow a ``$ref`` to the component schema (one level is all flask-smorest emits)."""
    schema = schema or {}
    ref = schema.get("$ref")
    if ref:
        return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _body_schema(spec: dict, path: str, method: str) -> tuple[str | None, dict]:
    """The documented request body of an operation: its media type and resolved schema."""
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    for media_type, entry in content.items():
        return media_type, _resolve(spec, entry.get("schema"))
    return None, {}


def _properties(spec: dict, schema: dict) -> dict[str, dict]:
    return {name: _resolve(spec, prop) for name, prop in (schema.get("properties") or {}).items()}


def _wrong_types(spec: dict, schema: dict) -> dict:
    props = _properties(spec, schema)
    if not props:
        return {"name": 1, "enabled": "x", "limit": [], "items": "x"}
    return {name: WRONG_BY_TYPE.get(prop.get("type"), []) for name, prop in props.items()}


def _huge(spec: dict, schema: dict) -> dict:
    big = "x" * 300_000
    props = _properties(spec, schema)
    if not props:
        return {"text": big}
    values = {"integer": 10**30, "number": 1e308, "array": [big[:1000]] * 1000, "boolean": True, "object": {"k": big}}
    return {name: values.get(prop.get("type"), big) for name, prop in props.items()}


def _nul_strings(spec: dict, schema: dict) -> dict:
    props = _properties(spec, schema)
    if not props:
        return {"name": "ab\u0000cd"}
    return {name: "ab\u0000cd" for name in props}


def _lone_surrogates(spec: dict, schema: dict) -> str:
    """JSON text with a lone UTF-16 surrogate in every field (json.dumps escapes it as ``\\ud800``)."""
    props = _properties(spec, schema) or {"name": {}}
    return json.dumps({name: "ab\ud800cd" for name in props})


def _long_numbers(spec: dict, schema: dict) -> str:
    """JSON text with a 5,000-digit integer in every field (beyond what Python converts)."""
    props = _properties(spec, schema) or {"name": {}}
    return "{" + ", ".join(f"{json.dumps(name)}: {'7' * 5000}" for name in props) + "}"


def _body_variants(spec: dict, path: str, method: str) -> list[tuple[str, dict]]:
    """``(label, client kwargs)`` for each kind of bad body."""
    media_type, schema = _body_schema(spec, path, method)
    json_type = "application/json"
    variants = [
        ("no body", {}),
        ("malformed json", {"data": '{"a": [1, 2', "content_type": json_type}),
        ("json array", {"json": [1, 2, 3]}),
        ("json scalar", {"json": "teks"}),
        ("deeply nested json", {"data": "[" * 50_000 + "]" * 50_000, "content_type": json_type}),
        ("wrong types", {"json": _wrong_types(spec, schema)}),
        ("huge strings", {"json": _huge(spec, schema)}),
        ("nul in strings", {"json": _nul_strings(spec, schema)}),
        ("unknown field", {"json": {"__tidak_dikenal__": 1}}),
        ("invalid utf-8", {"data": b'{"name": "\xff\xfe"}', "content_type": json_type}),
        ("lone surrogates", {"data": _lone_surrogates(spec, schema), "content_type": json_type}),
        ("5000-digit numbers", {"data": _long_numbers(spec, schema), "content_type": json_type}),
    ]
    if media_type == "multipart/form-data" or method in ("POST", "PUT", "PATCH"):
        variants.append((
            "multipart junk",
            {"data": {"file": (io.BytesIO(b"\x00\xffjunk<?php"), "../../evil.php"), "tidak_dikenal": "1"},
             "content_type": "multipart/form-data"},
        ))
        variants.append(("multipart without file", {"data": {"x": "y"}, "content_type": "multipart/form-data"}))
    return variants


def _query_variants(spec: dict, path: str, method: str) -> list[str]:
    """Fixed junk plus a wrong value for every documented query parameter."""
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    documented = "&".join(f"{name}=zzz%00" for name in names)
    return list(QUERY_JUNK) + ([documented] if documented else [])


def _paths(rule) -> list[str]:
    if not rule.arguments:
        return [rule.rule]
    return [_RULE_PARAM.sub(segment, rule.rule) for segment in JUNK_SEGMENTS]


def _routes(app) -> list[tuple[str, str, object]]:
    """``(method, openapi path, rule)`` for every route; DELETEs last so they spoil nothing."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith(("console.", "sso_pages.")):
            # The console and the single sign-on pages answer with HTML pages;
            # tests/test_console.py and tests/test_sso.py attack them.
            continue
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            found.append((method, rule_to_path(rule.rule), rule))
    return sorted(found, key=lambda item: (item[0] == "DELETE", item[1], item[0]))


class _Caller:
    """Sends requests, each from its own client address so rate limits never mask a route."""

    def __init__(self, app, login_as):
        self.app = app
        self.client = app.test_client()
        self.login_as = login_as
        self.admin = login_as("admin")
        self.addresses = (f"10.{a}.{b}.{c}" for a, b, c in itertools.product(range(256), range(256), range(1, 255)))
        self.failures: list[str] = []
        self.sent = 0

    def admin_headers(self) -> dict[str, str]:
        """A working admin token (a route walked earlier may have logged out or erased the last one)."""
        probe = self.client.get("/api/v1/admin/services", headers=self.admin,
                                environ_base={"REMOTE_ADDR": next(self.addresses)})
        if probe.status_code != 200:
            self.admin = self.login_as("admin")
        return self.admin

    def send(self, method: str, url: str, label: str, headers: dict, who: str, **kwargs) -> None:
        self.sent += 1
        response = self.client.open(url, method=method, headers=headers,
                                    environ_base={"REMOTE_ADDR": next(self.addresses)}, **kwargs)
        if url.startswith("/open311/"):
            problem = _open311_problem(response)
        elif url.startswith("/satudata/"):
            problem = _ckan_problem(response)
        elif url.startswith("/sso/"):
            problem = _oauth_problem(response)
        else:
            problem = _problem(response)
        if problem:
            text = response.get_data(as_text=True)[:300]
            self.failures.append(f"{method} {url[:120]} [{label}, {who}] -> {response.status_code} {problem}: {text}")


def _problem(response) -> str | None:
    """What is wrong with a response to bad input, or ``None``."""
    if response.status_code >= 500:
        return "server error"
    if response.status_code < 400:
        return None
    if response.mimetype != "application/json":
        return "error is not JSON"
    error = (response.get_json(silent=True) or {}).get("error")
    if not isinstance(error, dict) or set(error) != {"code", "message", "details", "request_id"}:
        return "not the error envelope"
    if not error["code"] or not error["message"]:
        return "envelope without code or message"
    return None


def _oauth_problem(response) -> str | None:
    """Under ``/sso/`` the protocol's errors follow OAuth 2.0 (``{"error": "<code>",
    "error_description"}``, RFC 6749 5.2), as RPs' libraries read them; refusals made before the
    protocol runs (media type, size, rate limit) keep the core envelope."""
    if _problem(response) is None:
        return None
    if response.status_code >= 500:
        return "server error"
    body = response.get_json(silent=True) if response.mimetype == "application/json" else None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str) or not body["error"]:
        return "neither an OAuth error nor the envelope"
    return None


def _open311_problem(response) -> str | None:
    """Under ``/open311/`` errors follow GeoReport v2: a list of ``{code, description}`` in JSON or
    XML (the format the URL asked for), never the core envelope."""
    if response.status_code >= 500:
        return "server error"
    if response.status_code < 400:
        return None
    if response.mimetype == "text/xml":
        try:
            root = ET.fromstring(response.data)
        except ET.ParseError:
            return "error is not well-formed XML"
        errors = [{child.tag: child.text for child in error} for error in root]
        ok = root.tag == "errors" and all(error.tag == "error" for error in root)
    elif response.mimetype == "application/json":
        errors = response.get_json(silent=True)
        ok = isinstance(errors, list)
    else:
        return "error is neither JSON nor XML"
    if not ok or not errors or not all(
            isinstance(e, dict) and set(e) == {"code", "description"} and e["description"] for e in errors):
        return "not a GeoReport error list"
    return None


def _ckan_problem(response) -> str | None:
    """Under ``/satudata/`` (SIKONDANG's CKAN Action API) errors are CKAN's: ``{"help", "success":
    false, "error"}`` where ``error`` is an object with ``__type`` or, for a bad request, a string."""
    if response.status_code >= 500:
        return "server error"
    if response.status_code < 400:
        return None
    body = response.get_json(silent=True) if response.mimetype == "application/json" else None
    if not isinstance(body, dict) or set(body) != {"help", "success", "error"} or body["success"] is not False:
        return "not CKAN's error envelope"
    error = body["error"]
    if not (isinstance(error, str) and error) and not (isinstance(error, dict) and error.get("__type")):
        return "CKAN error without a type"
    return None


@pytest.fixture
def walk_app(make_app):
    """The default app (every installed plugin), with no service switched off."""
    return make_app()


def test_every_route_answers_junk_with_a_4xx_envelope_never_a_5xx(walk_app, login_as):
    app = walk_app
    spec = spec_dict(app)
    caller = _Caller(app, lambda role: login_as(role, target_app=app))
    routes = _routes(app)
    assert len(routes) >= 10  # the walk really covers the app

    for method, path, rule in routes:
        queries = _query_variants(spec, path, method) if method == "GET" else []
        for who in ("anonymous", "admin"):
            bodies = _body_variants(spec, path, method)  # fresh each time: file objects are read once
            headers = caller.admin_headers() if who == "admin" else {}
            urls = _paths(rule)
            # Every junk path parameter, with no body and with wrongly typed fields...
            for url in urls:
                caller.send(method, url, "no body", headers, who)
                caller.send(method, url, "wrong types", headers, who, json=_wrong_types(spec, _body_schema(spec, path, method)[1]))
            # ...and every kind of bad body and query on the first of them.
            for label, kwargs in bodies:
                caller.send(method, urls[0], label, headers, who, **kwargs)
            for query in queries:
                caller.send(method, f"{urls[0]}?{query}", f"query {query[:40]}", headers, who)

    assert caller.sent > 100
    assert not caller.failures, f"{len(caller.failures)} bad answers:\n" + "\n".join(caller.failures[:40])


def test_the_walk_spots_a_route_that_fails(make_app, login_as):
    """The walk is not vacuous: a plugin route that crashes on junk is reported."""
    from ragem import toolkit
    from ragem.toolkit import hookimpl

    class Fragile:
        @hookimpl
        def ragem_plugin_info(self):
            return toolkit.PluginInfo(
                slug="rapuh", name={"id": "Rapuh", "en": "Fragile"},
                description={"id": "Gagal pada masukan aneh.", "en": "Fails on odd input."},
                opd="DISKOMINFO", version="0.0.1",
            )

        @hookimpl
        def ragem_blueprints(self):
            blp = toolkit.Blueprint("rapuh", __name__)

            @blp.route("/items/<string:key>")
            @blp.response(200)
            def item(key):
                """Trusts its input."""
                return {"n": int(key)}  # ValueError on "x": a 500

            return [blp]

    app = make_app(extra_plugins=[("rapuh", Fragile())])
    caller = _Caller(app, lambda role: login_as(role, target_app=app))
    caller.send("GET", "/api/v1/rapuh/items/x", "no body", {}, "anonymous")
    caller.send("GET", "/api/v1/rapuh/items/7", "no body", {}, "anonymous")
    assert len(caller.failures) == 1 and "server error" in caller.failures[0]
    assert json.loads(caller.client.get("/api/v1/rapuh/items/x").data)["error"]["code"] == "internal_error"


def test_nul_characters_are_refused_at_the_edge_on_every_database(client, login_as):
    """PostgreSQL cannot store NUL and SQLite would: both answer 400 and store nothing."""
    admin = login_as("admin")
    in_body = client.patch(f"/api/v1/admin/services/{SERVICE}", json={"enabled": False, "reason": "uji\u0000coba"},
                           headers=admin)
    assert in_body.status_code == 400
    assert in_body.json["error"]["code"] == "bad_request"
    assert in_body.json["error"]["details"] == {"location": "json"}
    in_path = client.patch("/api/v1/admin/services/rab%00eg", json={"enabled": False, "reason": "uji coba"},
                           headers=admin)
    assert in_path.status_code == 400 and in_path.json["error"]["details"] == {"location": "path"}
    in_query = client.get("/api/v1/admin/audit?action=a%00b", headers=admin)
    assert in_query.status_code == 400 and in_query.json["error"]["details"] == {"location": "query"}
    # An escaped backslash followed by "u0000" is ordinary text, not a NUL.
    escaped = client.patch(f"/api/v1/admin/services/{SERVICE}", data='{"enabled": true, "reason": "teks \\\\u0000 biasa"}',
                           headers={**admin, "Content-Type": "application/json"})
    assert escaped.status_code == 200
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    assert [e["reason"] for e in client.get("/api/v1/admin/audit", headers=admin).json["items"]] == ["teks \\u0000 biasa"]


def test_integer_ids_too_large_for_the_database_are_not_found(make_app):
    """``<int:...>`` path parameters only match values a database integer column can hold."""
    from sqlalchemy import text

    from ragem import toolkit
    from ragem.toolkit import hookimpl

    class Numbered:
        @hookimpl
        def ragem_plugin_info(self):
            return toolkit.PluginInfo(
                slug="bernomor", name={"id": "Bernomor", "en": "Numbered"},
                description={"id": "Rute dengan id angka.", "en": "A route with a numeric id."},
                opd="DISKOMINFO", version="0.0.1",
            )

        @hookimpl
        def ragem_blueprints(self):
            blp = toolkit.Blueprint("bernomor", __name__)

            @blp.route("/items/<int:item_id>")
            @blp.response(200)
            def item(item_id):
                """Looks the id up in the database."""
                return {"id": toolkit.db.session.execute(text("SELECT :n"), {"n": item_id}).scalar_one()}

            return [blp]

    client = make_app(extra_plugins=[("bernomor", Numbered())]).test_client()
    assert client.get("/api/v1/bernomor/items/9223372036854775807").json == {"id": 9223372036854775807}
    for too_big in ("9223372036854775808", "9" * 40):
        response = client.get(f"/api/v1/bernomor/items/{too_big}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
