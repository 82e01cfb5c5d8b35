"""The citizen profile: ``/api/v1/me``, the access record and the citizen's data rights.

- ``account``: the own profile as its owner reads it, and the own data export (changes to the
  account are ``ragem.auth.accounts``).
- ``access``: the record of every profile read a service made (``GET /api/v1/me/access-log``).
- ``export``: the core's part of ``GET /api/v1/me/export``.
- ``service``: the only callers of the profile hooks (``ragem_profile_summary``,
  ``ragem_user_export``, ``ragem_user_erase``, ``ragem_user_event``) and the gatekeeper of
  ``ragem_profile_fields`` (``read_profile``).
- ``models``: the access record's table (``ProfileAccess``).
"""
from ragem.profile import models  # noqa: F401  (registers the table)


def init_app(app, api) -> None:
    """Mount the profile API."""
    from ragem.profile.views import blp

    api.register_blueprint(blp)
