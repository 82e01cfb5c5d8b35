"""``/healthz``, ``/readyz`` and ``/metrics``: probes for the load balancer and the scraper."""
from __future__ import annotations

import hmac

from flask import Response, current_app, request

from ragem.blueprint import Blueprint
from ragem.errors import ServiceUnavailable, Unauthorized
from ragem.extensions import limiter
from ragem.health.checks import run_checks
from ragem.health.schemas import METRICS_TEXT, LivenessSchema, ReadinessSchema

blp = Blueprint("health", __name__, description="Liveness, readiness and metrics")
# Probes and scrapes come often from one address; rate limiting them would fail the probe.
limiter.exempt(blp)


@blp.route("/healthz")
@blp.response(200, LivenessSchema)
def check_liveness():
    """The process is alive (touches no dependency, so it answers even when they are down)."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, ReadinessSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="A dependency is down (code not_ready)")
def check_readiness():
    """The database answers and accepts writes and the upload storage can take a file (the folder, or
    the object store's bucket with RAGEM_STORAGE_URL); 503 naming what failed otherwise (database,
    storage). Redis (when configured) and each message gateway are advisory checks: one that fails is
    reported (``redis``, ``gateway:<provider>``) with status ``degraded``, still 200, because the
    process still serves every request without them."""
    checks = run_checks(current_app._get_current_object())
    failed = sorted(name for name, result in checks.items() if result["status"] != "ok" and not result.get("advisory"))
    if failed:
        raise ServiceUnavailable("not_ready", details={"failed": failed, "checks": checks})
    # A message gateway whose recent attempts all failed is reported, and the process stays ready.
    degraded = any(result["status"] != "ok" for result in checks.values())
    return {"status": "degraded" if degraded else "ready", "checks": checks}


@blp.route("/metrics")
@blp.response(200, METRICS_TEXT, content_type="text/plain")
@blp.alt_response(401, response="UNAUTHORIZED", description="RAGEM_METRICS_TOKEN is set and the bearer token is missing or wrong")
def get_metrics():
    """Request counts and latencies in the Prometheus text format."""
    token = current_app.config["RAGEM"].get("METRICS_TOKEN")
    if token:
        supplied = request.headers.get("Authorization", "")
        if not hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
            raise Unauthorized()
    body, content_type = current_app.extensions["ragem.metrics"].render()
    return Response(body, content_type=content_type)
