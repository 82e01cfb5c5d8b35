"""Liveness, readiness and Prometheus metrics."""


def init_app(app, api) -> None:
    """Mount /healthz, /readyz and /metrics and start timing every request."""
    from ragem.health.metrics import install_metrics
    from ragem.health.views import blp

    install_metrics(app)
    api.register_blueprint(blp)
