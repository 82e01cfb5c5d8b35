"""Background jobs (``toolkit.enqueue``) and the periodic jobs plugins contribute.

See ``queue`` for the three ways a job runs, ``runner`` for retries and failure records, and
``scheduler`` for periodic jobs.
"""
from ragem.jobs import models  # noqa: F401  (registers the tables)


def init_app(app, api) -> None:
    """Mount the jobs admin API; start the periodic scheduler on the first request when wanted here."""
    from ragem.jobs import queue  # noqa: F401  (installs the wait-for-commit session hooks)
    from ragem.jobs.scheduler import install_lazy_start
    from ragem.jobs.views import blp

    api.register_blueprint(blp)
    install_lazy_start(app)
