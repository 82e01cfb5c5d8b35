"""Fuzzing from the contract: every operation of the served ``/openapi.yaml``, fed examples that
schemathesis derives from it, anonymously and as a citizen, an officer and an admin.

Required of every answer: no 5xx, a status the operation documents (a success status must be
named; errors may fall to the documented ``default`` envelope), a body that matches its documented
schema, and the documented media type.

The examples are derandomized (the same on every run), bounded per operation so CI stays fast;
``RAGEM_FUZZ_EXAMPLES=200 pytest -n 0 tests/test_fuzz_contract.py`` runs a larger setting.
The app is served in-process through its WSGI interface: nothing listens on a port.
"""
from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode, checks  # noqa: E402

from ragem.testing import bearer, create_account  # noqa: E402

from throwaway import throwaway_services  # noqa: E402

#: Examples per operation and actor: ~220 operations x 4 actors x this, in CI.
EXAMPLES = int(os.environ.get("RAGEM_FUZZ_EXAMPLES", "2"))
ACTORS = ("anonymous", "citizen", "officer", "admin")
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture
def fuzz_app(make_app):
    """The app with its services; rate limits off (they are tested on their own, and a fuzzer
    would only meet 429s), so every example reaches its view."""
    return make_app(extra_plugins=throwaway_services(), RATELIMIT_ENABLED=False)


def _success_is_documented(case, response) -> str | None:
    """A 2xx/3xx the operation does not name: ``default`` documents the error envelope only."""
    if response.status_code >= 400:
        return None
    documented = set(case.operation.definition.raw.get("responses", {}))
    if str(response.status_code) in documented or f"{str(response.status_code)[0]}XX" in documented:
        return None
    return f"undocumented success status {response.status_code} (documented: {sorted(documented)})"


def _summary(exc: BaseException) -> str:
    """The failures of one example, one short phrase each."""
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "; ".join(" ".join(str(part).split())[:240] for part in parts)


def _fuzz_operation(app, operation, headers_for) -> list[str]:
    """Run the bounded examples of one operation; the findings, one line each."""
    findings: list[str] = []

    mode = GenerationMode.NEGATIVE if os.environ.get("RAGEM_FUZZ_NEGATIVE") else GenerationMode.POSITIVE
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        headers = headers_for()
        if not headers:
            (case.headers or {}).pop("Authorization", None)
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups an example's failures
            findings.append(f"{operation.label}: {_summary(exc)}"
                            f" [{response.status_code}] {case.as_curl_command()[:300]}")
            return
        problem = _success_is_documented(case, response)
        if problem:
            findings.append(f"{operation.label}: {problem} {case.as_curl_command()[:300]}")

    try:
        run()
    except Unsatisfiable:  # nothing to break: an operation without parameters or body (negative mode)
        pass
    return findings


@pytest.mark.parametrize("actor", ACTORS)
def test_every_operation_keeps_its_contract(fuzz_app, actor):
    headers_for = _actor_headers(fuzz_app, actor)
    schema = schemathesis.openapi.from_wsgi("/openapi.yaml", fuzz_app)
    findings: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        findings += _fuzz_operation(fuzz_app, operation, headers_for)
    assert operations > 50  # the whole contract, not an empty one
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(dict.fromkeys(findings))


def _actor_headers(app, actor):
    """A function giving the actor's headers for one example: a fresh session each time, so an
    example that logs out or erases the account does not turn the next ones into 401s."""
    if actor == "anonymous":
        return dict
    user_id = None

    def headers():
        nonlocal user_id
        try:
            return bearer(app, user_id) if user_id else _new(actor)
        except Exception:  # the account was erased by an earlier example: make another
            return _new(actor)

    def _new(role):
        nonlocal user_id
        user_id = create_account(app, role)[0]
        return bearer(app, user_id)

    return headers
