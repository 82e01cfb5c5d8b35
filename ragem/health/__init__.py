"""Liveness, readiness and Prometheus metrics."""


def init_app(app, api) -> None:
    """Mount /healthz, /readyz and /metrics (to be completed)."""
