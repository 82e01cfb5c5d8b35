"""The citizen profile as the services see it: summary sections and the citizen's data rights.

The functions in ``ragem.profile.service`` are the only callers of the profile hooks
(``ragem_profile_summary``, ``ragem_user_export``, ``ragem_user_erase``, ``ragem_user_event``) and
the gatekeeper of ``ragem_profile_fields``. Only ``GET /api/v1/me/summary`` is served for now; the
rest of the profile API belongs to the identity work.
"""


def init_app(app, api) -> None:
    """Mount the profile API."""
    from ragem.profile.views import blp

    api.register_blueprint(blp)
