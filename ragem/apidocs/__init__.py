"""The OpenAPI contract: generation, ``/openapi.yaml`` and ``/api/docs``."""


def init_app(app, api) -> None:
    """Mount the documentation routes."""
    from ragem.apidocs.views import blp

    api.register_blueprint(blp)
