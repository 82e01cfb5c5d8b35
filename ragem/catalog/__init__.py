"""The service catalog and the run-time switches admins use."""
from ragem.catalog import models  # noqa: F401  (registers the table)


def init_app(app, api) -> None:
    """Create the state cache, mount the APIs and answer 503 for switched-off services."""
    from ragem.catalog.gate import install_gate
    from ragem.catalog.state import StateCache
    from ragem.catalog.views import admin_blp, blp

    app.extensions["ragem.state_cache"] = StateCache(app.config["RAGEM"]["STATE_TTL"])
    api.register_blueprint(blp)
    api.register_blueprint(admin_blp)
    install_gate(app)
