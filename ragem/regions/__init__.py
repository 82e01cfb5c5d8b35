"""Reference data: Kota Serang, its kecamatan and kelurahan (Kemendagri and BPS codes)."""
from ragem.regions import models  # noqa: F401  (registers the table)


def init_app(app, api) -> None:
    """Mount the public regions API."""
    from ragem.regions.views import blp

    api.register_blueprint(blp)
