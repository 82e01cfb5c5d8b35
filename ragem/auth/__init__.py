"""Identity: accounts, roles, access tokens and the guards views use."""
from ragem.auth import models  # noqa: F401  (registers the tables)


def init_app(app, api) -> None:
    """Configure tokens and mount the auth API."""
    from ragem.auth import tokens
    from ragem.auth.views import blp, jwks_blp

    tokens.configure(app, app.config["RAGEM"])
    api.register_blueprint(blp)
    api.register_blueprint(jwks_blp)
    from ragem.auth import account_views, admin_views

    api.register_blueprint(account_views.blp)
    api.register_blueprint(admin_views.blp)
