"""The audit log: every administrative change, who made it, before, after and why."""
from ragem.audit import models  # noqa: F401  (registers the table)


def init_app(app, api) -> None:
    """Mount the audit API."""
    from ragem.audit.views import blp

    api.register_blueprint(blp)
