"""Evaluation against targets: KPIs from the core and every plugin, Renstra targets per year."""
from ragem.evaluation import models  # noqa: F401  (registers the table)
from ragem.evaluation.periods import parse_period
from ragem.evaluation.service import evaluate

__all__ = ["evaluate", "parse_period"]


def init_app(app, api) -> None:
    """Mount the admin evaluation and KPI target APIs."""
    from ragem.evaluation.views import blp

    api.register_blueprint(blp)
