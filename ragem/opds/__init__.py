"""Reference data: the OPDs and agencies of Kota Serang, managed by admins."""
from ragem.opds import models  # noqa: F401  (registers the table)


def init_app(app, api) -> None:
    """Mount the public OPD list and the admin API."""
    from ragem.opds.views import admin_blp, blp

    api.register_blueprint(blp)
    api.register_blueprint(admin_blp)
