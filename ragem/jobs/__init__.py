"""Background jobs (``toolkit.enqueue``) and the periodic jobs plugins contribute.

See ``queue`` for the three ways a job runs, ``runner`` for retries and failure records, and
``scheduler`` for periodic jobs.
"""
from ragem.jobs import models  # noqa: F401  (registers the tables)


def init_app(app, api) -> None:
    """Arrange for the periodic scheduler to start on the first request when it is wanted here."""
    from ragem.jobs import queue  # noqa: F401  (installs the wait-for-commit session hooks)
    from ragem.jobs.scheduler import install_lazy_start

    install_lazy_start(app)
