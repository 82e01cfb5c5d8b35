"""What every client sees whatever route it calls: the error envelope, request ids, CORS, rate
limits, the body guards, and the probes and metrics operators rely on."""
from __future__ import annotations

import io
import json
import logging
import os
import socket

import pytest
from marshmallow import fields
from prometheus_client.parser import text_string_to_metric_families

from ragem import toolkit
from ragem.app import create_app
from ragem.logs import JsonFormatter
from ragem.toolkit import hookimpl

from throwaway import OTHER_SERVICE, SERVICE, throwaway_services

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
ALLOWED_ORIGIN = "https://app.ragem.serangkota.go.id"


def assert_envelope(response, status: int, code: str) -> dict:
    """The response is the JSON error envelope with this status and code; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code
    assert error["message"] and isinstance(error["details"], dict)
    assert error["request_id"] == response.headers["X-Request-ID"]
    return error


def closed_port() -> int:
    """A local TCP port nothing listens on (bound to find it, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Echo(toolkit.BaseSchema):
    status = fields.String()


class ExplodingPlugin:
    """A throwaway service whose only route fails with an unexpected exception."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug="meledak", name={"id": "Meledak", "en": "Exploding"},
            description={"id": "Selalu gagal.", "en": "Always fails."}, opd="DISKOMINFO", version="0.0.1",
        )

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("meledak", __name__)

        @blp.route("/boom")
        @blp.response(200, _Echo)
        def boom():
            """Fails with an internal error whose text must never reach the client."""
            raise RuntimeError("secret-internal-detail in /srv/ragem/db.py")

        return [blp]


# -- the envelope ------------------------------------------------------------------------------


def test_unknown_url_is_a_404_envelope_in_indonesian_then_english(client):
    indonesian = assert_envelope(client.get("/api/v1/tidak-ada"), 404, "not_found")
    english = assert_envelope(client.get("/api/v1/tidak-ada", headers=ENGLISH), 404, "not_found")
    assert indonesian["message"] == "Data atau alamat yang diminta tidak ditemukan."
    assert english["message"] == "The requested resource was not found."


def test_wrong_method_is_a_405_envelope_naming_the_allowed_methods(client):
    response = client.delete("/api/v1/services")
    error = assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in error["details"]["allowed_methods"]
    assert "GET" in response.headers["Allow"]
    english = assert_envelope(client.delete("/api/v1/services", headers=ENGLISH), 405, "method_not_allowed")
    assert english["message"] == "This HTTP method is not allowed here."


def test_body_over_the_size_limit_is_a_413_envelope(make_app, login_as):
    app = make_app(extra_plugins=throwaway_services(), MAX_BODY_BYTES=2048)
    client = app.test_client()
    admin = login_as("admin", target_app=app)
    huge = {"enabled": False, "reason": "x" * 5000}
    response = client.patch(f"/api/v1/admin/services/{SERVICE}", json=huge, headers=admin)
    assert_envelope(response, 413, "payload_too_large")
    # Refused even where the route never reads a body.
    assert_envelope(client.post("/api/v1/tidak-ada", data=b"{}" * 5000), 404, "not_found")
    assert_envelope(client.get("/api/v1/services", data=b"x" * 5000,
                               headers={"Content-Type": "application/json"}), 413, "payload_too_large")
    # Nothing changed: the service still answers.
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    english = assert_envelope(client.patch(f"/api/v1/admin/services/{SERVICE}", json=huge, headers={**admin, **ENGLISH}),
                              413, "payload_too_large")
    assert english["message"] == "The request body is too large."


def test_body_that_is_not_json_or_multipart_is_a_415_envelope(client, login_as):
    admin = login_as("admin")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.patch(
            f"/api/v1/admin/services/{SERVICE}", data='{"enabled": false, "reason": "x"}',
            headers={**admin, "Content-Type": content_type},
        )
        error = assert_envelope(response, 415, "unsupported_media_type")
        assert error["details"]["content_type"] == content_type
    no_type = client.patch(f"/api/v1/admin/services/{SERVICE}", data=b"enabled=0", headers=admin)
    assert_envelope(no_type, 415, "unsupported_media_type")
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200  # nothing was switched off

    # An unknown URL stays a 404 whatever the body.
    assert_envelope(client.post("/api/v1/tidak-ada", data="x", headers={"Content-Type": "text/plain"}), 404, "not_found")


def test_json_media_types_and_empty_bodies_pass_the_media_type_guard(client, login_as):
    admin = login_as("admin")
    merge_patch = client.patch(
        f"/api/v1/admin/services/{SERVICE}", data=json.dumps({"enabled": False, "reason": "perawatan"}),
        headers={**admin, "Content-Type": "application/merge-patch+json"},
    )
    assert merge_patch.status_code == 200 and merge_patch.json["enabled"] is False
    with_charset = client.patch(
        f"/api/v1/admin/services/{SERVICE}", data=json.dumps({"enabled": True, "reason": "selesai"}),
        headers={**admin, "Content-Type": "application/json; charset=utf-8"},
    )
    assert with_charset.status_code == 200 and with_charset.json["enabled"] is True
    # No body at all, whatever the declared type: the schema says what is missing (422, not 415).
    empty = client.patch(f"/api/v1/admin/services/{SERVICE}", headers={**admin, "Content-Type": "text/plain"})
    error = assert_envelope(empty, 422, "validation_error")
    assert "reason" in error["details"]["fields"]["json"]


def test_malformed_json_is_400_invalid_json_and_non_objects_are_422(client, login_as):
    admin = login_as("admin")
    json_headers = {**admin, "Content-Type": "application/json"}
    malformed = client.patch(f"/api/v1/admin/services/{SERVICE}", data='{"enabled": fal', headers=json_headers)
    error = assert_envelope(malformed, 400, "invalid_json")
    assert error["message"] == "Isi permintaan bukan JSON yang valid."
    english = client.patch(f"/api/v1/admin/services/{SERVICE}", data=b"\xff\xfe{", headers={**json_headers, **ENGLISH})
    assert assert_envelope(english, 400, "invalid_json")["message"] == "The request body is not valid JSON."
    for body in ("[1, 2]", '"teks"', "null", "42", "true"):
        response = client.patch(f"/api/v1/admin/services/{SERVICE}", data=body, headers=json_headers)
        assert_envelope(response, 422, "validation_error")
    wrong_type = client.patch(f"/api/v1/admin/services/{SERVICE}", json={"enabled": "tidak", "reason": 5}, headers=admin)
    fields_in_error = assert_envelope(wrong_type, 422, "validation_error")["details"]["fields"]["json"]
    assert set(fields_in_error) == {"enabled", "reason"}
    english = client.patch(f"/api/v1/admin/services/{SERVICE}", json=[], headers={**admin, **ENGLISH})
    assert assert_envelope(english, 422, "validation_error")["message"] == "The submitted data is not valid."
    assert client.get("/api/v1/admin/audit", headers=admin).json["items"] == []


def test_rate_limit_answers_429_envelope_and_spares_the_probes(make_app):
    # With RAGEM_TEST_REDIS_URL set the fixture configures REDIS_URL, so this runs on Redis storage.
    app = make_app(RATE_LIMIT="3 per minute", RATE_LIMIT_READS=True)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/services").status_code == 200
    limited = client.get("/api/v1/services", headers={"X-Request-ID": "batas-1"})
    error = assert_envelope(limited, 429, "rate_limited")
    assert error["request_id"] == "batas-1"
    assert int(limited.headers["Retry-After"]) > 0
    assert error["message"] == "Terlalu banyak permintaan. Coba lagi sebentar lagi."
    english = assert_envelope(client.get("/api/v1/services", headers=ENGLISH), 429, "rate_limited")
    assert english["message"] == "Too many requests. Please try again shortly."
    for probe in ("/healthz", "/readyz", "/metrics"):
        assert client.get(probe).status_code == 200, probe


@pytest.mark.skipif(not os.environ.get("RAGEM_TEST_REDIS_URL"), reason="needs RAGEM_TEST_REDIS_URL")
def test_rate_limit_counts_are_shared_through_redis_between_apps(make_app):
    """Two apps (two workers, or two hosts) share one budget when Redis holds the counts."""
    prefix = "ragem-test-shared-" + os.urandom(4).hex()
    first = make_app(RATE_LIMIT="2 per minute", RATE_LIMIT_READS=True, RATELIMIT_KEY_PREFIX=prefix).test_client()
    second = make_app(RATE_LIMIT="2 per minute", RATE_LIMIT_READS=True, RATELIMIT_KEY_PREFIX=prefix).test_client()
    assert first.get("/api/v1/services").status_code == 200
    assert second.get("/api/v1/services").status_code == 200
    assert_envelope(first.get("/api/v1/services"), 429, "rate_limited")


def test_rate_limits_key_on_the_forwarded_client_behind_a_proxy(make_app):
    behind_proxy = make_app(RATE_LIMIT="2 per minute", RATE_LIMIT_READS=True, PROXY_COUNT=1).test_client()
    alice = {"X-Forwarded-For": "203.0.113.7"}
    bob = {"X-Forwarded-For": "198.51.100.20"}
    assert [behind_proxy.get("/api/v1/services", headers=alice).status_code for _ in range(3)] == [200, 200, 429]
    assert behind_proxy.get("/api/v1/services", headers=bob).status_code == 200

    # Without a proxy configured, a client cannot dodge the limit by forging the header.
    direct = make_app(RATE_LIMIT="2 per minute", RATE_LIMIT_READS=True).test_client()
    statuses = [direct.get("/api/v1/services", headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]


def test_by_default_the_limit_counts_writes_and_reads_pass(make_app):
    client = make_app(RATE_LIMIT="2 per minute").test_client()
    assert all(client.get("/api/v1/services").status_code == 200 for _ in range(5))
    writes = [client.patch(f"/api/v1/admin/services/{SERVICE}", json={}).status_code for _ in range(3)]
    assert writes == [401, 401, 429]


def test_unexpected_exception_is_a_500_envelope_without_internals_and_is_logged(make_app):
    app = make_app(extra_plugins=[("meledak", ExplodingPlugin())])
    client = app.test_client()
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ragem")
    logger.addHandler(handler)
    try:
        response = client.get("/api/v1/meledak/boom", headers={"X-Request-ID": "req-boom-42"})
    finally:
        logger.removeHandler(handler)
    error = assert_envelope(response, 500, "internal_error")
    assert error["request_id"] == "req-boom-42"
    body = response.get_data(as_text=True)
    assert "secret-internal-detail" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert error["message"] == "Terjadi kesalahan pada server. Silakan coba lagi."
    english = client.get("/api/v1/meledak/boom", headers=ENGLISH)
    assert assert_envelope(english, 500, "internal_error")["message"] == "Something went wrong on the server. Please try again."

    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.strip()]
    logged = [line for line in lines if line["message"] == "unhandled error"]
    assert len(logged) == 1
    assert logged[0]["request_id"] == "req-boom-42"
    assert logged[0]["level"] == "ERROR"
    assert "secret-internal-detail" in logged[0]["exception"]  # operators get the traceback


# -- request ids and CORS ----------------------------------------------------------------------


def test_sane_request_id_is_echoed_and_garbage_is_replaced(client):
    sane = client.get("/api/v1/services", headers={"X-Request-ID": "mobile-7f3a.01_x"})
    assert sane.headers["X-Request-ID"] == "mobile-7f3a.01_x"
    made = client.get("/api/v1/services")
    assert len(made.headers["X-Request-ID"]) >= 16
    assert client.get("/api/v1/services").headers["X-Request-ID"] != made.headers["X-Request-ID"]
    for garbage in ("a b c", "<script>alert(1)</script>", "x" * 200, "id\u00e9"):
        response = client.get("/api/v1/tidak-ada", headers={"X-Request-ID": garbage})
        replaced = response.headers["X-Request-ID"]
        assert replaced != garbage and replaced.isalnum()
        assert response.json["error"]["request_id"] == replaced


def test_cors_allows_configured_origins_only(make_app):
    client = make_app(CORS_ORIGINS=[ALLOWED_ORIGIN]).test_client()
    allowed = client.get("/api/v1/services", headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "X-Request-ID" in allowed.headers.get("Access-Control-Expose-Headers", "")
    preflight = client.options(
        f"/api/v1/admin/services/{SERVICE}",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "PATCH",
                 "Access-Control-Request-Headers": "Authorization, Content-Type"},
    )
    assert preflight.status_code < 300
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]

    other = client.get("/api/v1/services", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    # Error responses carry CORS too, so the app can read the envelope.
    missing = client.get("/api/v1/tidak-ada", headers={"Origin": ALLOWED_ORIGIN})
    assert missing.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


# -- health, readiness, metrics ----------------------------------------------------------------


def test_liveness_and_readiness_when_dependencies_are_up(app, client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "ready"
    expected = {"database", "storage", "redis"} if app.config["RAGEM"]["REDIS_URL"] else {"database", "storage"}
    assert set(ready.json["checks"]) == expected
    assert all(check["status"] == "ok" for check in ready.json["checks"].values())


def test_readiness_is_503_naming_the_dependencies_that_are_down(ragem_settings):
    settings = {
        **ragem_settings,
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/ragem",
        "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
    }
    app = create_app(settings)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # alive, though it cannot serve
    response = client.get("/readyz")
    error = assert_envelope(response, 503, "not_ready")
    assert error["details"]["failed"] == ["database"]
    assert error["details"]["checks"]["database"]["status"] == "failed"
    assert error["details"]["checks"]["redis"] == {**error["details"]["checks"]["redis"], "status": "failed",
                                                   "advisory": True}
    assert "127.0.0.1" not in response.get_data(as_text=True)  # addresses stay in the log
    english = assert_envelope(client.get("/readyz", headers=ENGLISH), 503, "not_ready")
    assert english["message"] == "The server is not ready."
    # Ordinary routes that need the database say so with a retryable 503, never a 500.
    catalog = client.get("/api/v1/services")
    assert catalog.status_code == 503 and catalog.json["error"]["request_id"]


def test_a_process_without_redis_stays_ready_and_says_it_is_degraded(make_app):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["redis"]["status"] == "failed"
    assert response.json["checks"]["redis"]["advisory"] is True
    assert response.json["checks"]["database"]["status"] == "ok"
    # Citizens are still served: jobs run in the process, rate limits count in its memory.
    assert app.test_client().get("/api/v1/services").status_code == 200


def _samples(client, headers=None):
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            found[key] = sample.value
    return found


def _count(samples, **labels):
    key = ("ragem_http_requests_total", tuple(sorted(labels.items())))
    return samples.get(key, 0)


def test_metrics_count_requests_by_route_rule_method_status_and_plugin(client, login_as):
    admin = login_as("admin")
    client.get("/api/v1/services")
    client.get("/api/v1/services")
    client.get(f"/api/v1/{SERVICE}/health")
    client.patch("/api/v1/admin/services/tidakada", json={"enabled": False, "reason": "uji metrik"}, headers=admin)
    client.patch(f"/api/v1/admin/services/{OTHER_SERVICE}", json={"enabled": False, "reason": "uji metrik"}, headers=admin)
    client.get(f"/api/v1/{OTHER_SERVICE}/health")  # switched off: 503, still counted under its plugin
    client.get("/tidak/ada/123")
    client.open("/api/v1/services", method="BREW")

    samples = _samples(client)
    assert _count(samples, route="/api/v1/services", method="GET", status="200", plugin="core") == 2
    assert _count(samples, route=f"/api/v1/{SERVICE}/health", method="GET", status="200", plugin=SERVICE) == 1
    slug_rule = "/api/v1/admin/services/<string:slug>"
    assert _count(samples, route=slug_rule, method="PATCH", status="404", plugin="core") == 1
    assert _count(samples, route=slug_rule, method="PATCH", status="200", plugin="core") == 1
    assert _count(samples, route=f"/api/v1/{OTHER_SERVICE}/health", method="GET", status="503", plugin=OTHER_SERVICE) == 1
    assert _count(samples, route="unmatched", method="GET", status="404", plugin="core") == 1
    assert _count(samples, route="unmatched", method="OTHER", status="405", plugin="core") == 1
    # Raw paths never become labels.
    assert not any("tidakada" in str(labels) or "/tidak/ada" in str(labels) for _name, labels in samples)
    bucket = ("ragem_http_request_duration_seconds_count",
              tuple(sorted({"route": "/api/v1/services", "method": "GET", "status": "200", "plugin": "core"}.items())))
    assert samples[bucket] == 2


def test_metrics_of_one_app_do_not_leak_into_another(make_app):
    first = make_app().test_client()
    second = make_app().test_client()
    first.get("/api/v1/services")
    assert _count(_samples(first), route="/api/v1/services", method="GET", status="200", plugin="core") == 1
    assert _count(_samples(second), route="/api/v1/services", method="GET", status="200", plugin="core") == 0


def test_metrics_token_protects_the_scrape(make_app):
    client = make_app(METRICS_TOKEN="rahasia-scrape").test_client()
    assert_envelope(client.get("/metrics"), 401, "unauthorized")
    assert_envelope(client.get("/metrics", headers={"Authorization": "Bearer salah"}), 401, "unauthorized")
    assert _samples(client, {"Authorization": "Bearer rahasia-scrape"}) is not None
    assert client.get("/healthz").status_code == 200  # probes stay open


def test_health_routes_are_in_the_openapi_document(app):
    from ragem.apidocs.spec import spec_dict

    paths = spec_dict(app)["paths"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(paths)
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]
    assert "503" in paths["/readyz"]["get"]["responses"]


MULTIPROCESS_SCRIPT = """
import os, sys
from ragem.app import create_app

app = create_app({"ENV": "testing", "INSTANCE_PATH": sys.argv[1], "LOG_LEVEL": "ERROR"})
children = []
for worker in range(2):  # two workers, as gunicorn forks them
    pid = os.fork()
    if pid == 0:
        client = create_app({"ENV": "testing", "INSTANCE_PATH": sys.argv[1], "LOG_LEVEL": "ERROR"}).test_client()
        for _ in range(3 + worker):
            client.get("/healthz")
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
sys.stdout.write(app.test_client().get("/metrics").get_data(as_text=True))
"""


def test_metrics_add_up_every_worker_in_multiprocess_mode(tmp_path):
    """Under gunicorn (PROMETHEUS_MULTIPROC_DIR set), a scrape counts the requests of all workers."""
    import subprocess
    import sys

    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGEM_")}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    done = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, str(tmp_path / "instance")],
                          env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    families = {f.name: f for f in text_string_to_metric_families(done.stdout)}
    counts = {
        (s.labels["route"], s.labels["status"]): s.value
        for s in families["ragem_http_requests"].samples if s.name == "ragem_http_requests_total"
    }
    assert counts[("/healthz", "200")] == 3 + 4
