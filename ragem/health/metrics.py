"""Prometheus request metrics: a counter and a latency histogram per route, method, status, plugin.

Each app owns a ``CollectorRegistry`` (tests build many apps in one process). Under gunicorn with
several workers, ``PROMETHEUS_MULTIPROC_DIR`` switches prometheus_client to its multiprocess mode:
every worker writes its samples to files in that folder and ``/metrics`` sums them, so a scrape
sees the whole server whichever worker answers it.
"""
from __future__ import annotations

import os
import time

from flask import Flask, Request, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

LABELS = ("route", "method", "status", "plugin")
# Methods outside this set are labelled OTHER: a client must not be able to mint label values.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # 404s: the raw path would let any client explode cardinality
CORE_PLUGIN = "core"


class RequestMetrics:
    """The metric objects of one app and their exposition."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ragem_http_requests", "HTTP requests answered", LABELS, registry=self.registry
        )
        self.latency = Histogram(
            "ragem_http_request_duration_seconds", "Time to answer an HTTP request", LABELS,
            registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, plugin: str, seconds: float) -> None:
        """Count one answered request and its duration."""
        labels = (route, method, str(status), plugin)
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The text exposition of this app (or of every worker in multiprocess mode)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _labels(req: Request, slugs: dict[str, str]) -> tuple[str, str, str]:
    """Route rule, normalised method and owning plugin slug of ``req``."""
    rule = req.url_rule.rule if req.url_rule is not None else UNMATCHED_ROUTE
    method = req.method if req.method in KNOWN_METHODS else "OTHER"
    blueprint = req.blueprint
    plugin = slugs.get(blueprint.split(".", 1)[0], CORE_PLUGIN) if blueprint else CORE_PLUGIN
    return rule, method, plugin


def install_metrics(app: Flask) -> RequestMetrics:
    """Create the app's metrics and time every request, errors and refusals included."""
    metrics = RequestMetrics()
    app.extensions["ragem.metrics"] = metrics

    def start_timer():
        g._ragem_started = time.perf_counter()

    # First of all before_request functions: a request refused by a later one (rate limit, 415,
    # a switched-off service) must still be timed and counted.
    app.before_request_funcs.setdefault(None, []).insert(0, start_timer)

    slugs = app.extensions["ragem.plugins"].blueprint_slugs  # filled as plugins mount; read live

    @app.after_request
    def record_request(response):
        started = g.get("_ragem_started")
        if started is not None:
            route, method, plugin = _labels(request._get_current_object(), slugs)  # type: ignore[attr-defined]
            metrics.observe(route, method, response.status_code, plugin, time.perf_counter() - started)
        return response

    return metrics
