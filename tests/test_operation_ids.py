"""Every operation has a unique, readable ``operationId``: generated clients (openapi-python-client,
the Kotlin and Swift generators) name their methods after it."""
from __future__ import annotations

import re

import pytest

from ragem.apidocs.spec import contract_app, operation_id, spec_dict

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def operations() -> dict[str, tuple[str, str]]:
    spec = spec_dict(contract_app())
    found: dict[str, tuple[str, str]] = {}
    missing, duplicated = [], []
    for path, entries in spec["paths"].items():
        for method, operation in entries.items():
            if method not in HTTP_METHODS:
                continue
            name = operation.get("operationId")
            if not name:
                missing.append(f"{method.upper()} {path}")
            elif name in found:
                duplicated.append(f"{name}: {found[name]} and {(method.upper(), path)}")
            else:
                found[name] = (method.upper(), path)
    assert not missing, f"operations without an operationId: {missing}"
    assert not duplicated, f"operationIds used twice: {duplicated}"
    return found


def test_every_operation_id_is_lower_camel_case(operations):
    odd = [name for name in operations if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", name)]
    assert not odd, odd


def test_operations_are_named_for_what_they_do(operations):
    expected = {
        "login": ("POST", "/api/v1/auth/login"),
        "refreshTokens": ("POST", "/api/v1/auth/refresh"),
        "listServices": ("GET", "/api/v1/services"),
        "getMe": ("GET", "/api/v1/me"),
        "exportMyData": ("GET", "/api/v1/me/export"),
        "uploadFile": ("POST", "/api/v1/files"),
        "fileComplaint": ("POST", "/api/v1/rabeg/complaints"),
        "transitionComplaint": ("POST", "/api/v1/rabeg/complaints/{complaint_id}/transitions"),
        "supportComplaint": ("POST", "/api/v1/rabeg/complaints/{complaint_id}/support"),
        "rabegHealth": ("GET", "/api/v1/rabeg/health"),
        "open311CreateRequest": ("POST", "/open311/v2/requests.{fmt}"),
    }
    assert {name: operations.get(name) for name in expected} == expected


def test_the_default_id_is_the_view_name_in_camel_case():
    assert operation_id("file_complaint") == "fileComplaint"
    assert operation_id("login") == "login"
    assert operation_id("unknown_resource", "POST") == "postUnknownResource"
