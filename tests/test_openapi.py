"""``openapi.yaml`` is the contract with the mobile app: generated from the code, committed, valid.

The contract covers the core and the built-in services named in pyproject.toml, whatever else is
installed (an OPD's own plugin) or denied (``RAGEM_PLUGINS_DENY``) where the suite runs.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from ragem.apidocs.spec import BUILTIN_PLUGINS, contract_app, rule_to_path, spec_yaml

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "openapi.yaml"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def contract():
    """The app the committed contract describes: the core and the built-in services only."""
    return contract_app()


def test_the_contract_covers_exactly_the_built_in_services_of_pyproject(contract, monkeypatch):
    entry_points = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["ragem.plugins"]
    assert set(BUILTIN_PLUGINS) == set(entry_points)
    started = {name for name, record in contract.extensions["ragem.plugins"].records.items() if record.status == "enabled"}
    assert started == set(BUILTIN_PLUGINS)
    # A developer's own allow or deny list changes what their server loads, not the contract.
    monkeypatch.setenv("RAGEM_PLUGINS_DENY", ",".join(BUILTIN_PLUGINS))
    monkeypatch.setenv("RAGEM_PLUGINS_ALLOW", "some-other-plugin")
    records = contract_app().extensions["ragem.plugins"].records
    assert {name for name, record in records.items() if record.status == "enabled"} == set(BUILTIN_PLUGINS)


def test_committed_openapi_matches_the_code(contract):
    generated = spec_yaml(contract)
    assert COMMITTED.read_text() == generated, "openapi.yaml is out of date: run `ragem openapi write`"


def test_every_schema_keeps_its_own_name(contract):
    """Two plugins' schemas of one name would be renamed "Device1" by apispec: the app's generated
    client would then change names whenever a plugin is added, so such a clash is refused."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Multiple schemas resolved to the name")
        spec_yaml(contract)


def test_openapi_is_a_valid_openapi_3_document():
    validate(yaml.safe_load(COMMITTED.read_text()))


def test_every_url_rule_and_method_is_documented(contract):
    spec = yaml.safe_load(COMMITTED.read_text())
    missing = []
    for rule in contract.url_map.iter_rules():
        if rule.endpoint.startswith(("console.", "sso_pages.")):
            # The staff console's and the single sign-on's HTML pages are not part of the API
            # (docs/console.md, docs/sso.md).
            continue
        path = rule_to_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from openapi.yaml: {missing}"


def test_every_operation_has_a_summary_a_success_and_an_error_response():
    spec = yaml.safe_load(COMMITTED.read_text())
    problems = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            if not operation.get("summary"):
                problems.append(f"{method} {path}: no summary (docstring)")
            codes = set(operation.get("responses", {}))
            if not any(str(code).startswith("2") for code in codes):
                problems.append(f"{method} {path}: no 2xx response")
            if "default" not in codes:
                problems.append(f"{method} {path}: no error response")
    assert not problems, problems


def test_guarded_operations_declare_bearer_security():
    spec = yaml.safe_load(COMMITTED.read_text())
    admin_ops = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if "/admin/" in path
        for method, op in item.items()
        if method in HTTP_METHODS
    ]
    assert admin_ops
    for path, method, op in admin_ops:
        assert op.get("security") == [{"bearerAuth": []}], f"{method} {path} lacks bearer security"
        assert "401" in op["responses"] and "403" in op["responses"]


def test_server_serves_the_contract_and_the_docs_page(client):
    served = client.get("/openapi.yaml")
    assert served.status_code == 200
    assert served.mimetype == "application/yaml"
    document = yaml.safe_load(served.data)
    assert document["info"]["title"] == "RAGEM API"
    assert "/api/v1/services" in document["paths"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"/openapi.yaml" in page.data
