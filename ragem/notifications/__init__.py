"""Notifications: the in-app inbox, and messages sent by push, SMS or WhatsApp (with the outbox)."""
from ragem.notifications import models  # noqa: F401  (registers the tables)


def init_app(app, api) -> None:
    """Mount the inbox API."""
    from ragem.notifications.views import blp

    api.register_blueprint(blp)
