"""Identity: accounts, roles, access tokens and the guards views use.

Each module imports only modules listed before it (``tests/test_import_layers.py`` keeps the
graph free of cycles); the encryption of personal data is ``ragem.pii`` and ``ragem.sealed``,
outside the package, because the notification tables seal their recipients too:

- ``models``, ``nik``, ``passwords``, ``keys``: the tables and pure helpers;
- ``identifiers``: reading a phone number, NIK or email and finding its account;
- ``otp``, ``throttle``, ``active_session``, ``tokens``, ``sessions``: one-time codes, the log-in
  throttle, access tokens and log-in sessions;
- ``accounts`` (the account life cycle: create, register, verify, passwords, profile, phone,
  erasure) and ``roles`` (admins): the rules;
- ``schemas``, ``guards``, ``views``, ``account_views``, ``admin_views``: the API.
"""
from ragem.auth import models  # noqa: F401  (registers the tables)
from ragem.jobs.scheduler import register_core_job


def init_app(app, api) -> None:
    """Configure tokens and mount the auth API."""
    from ragem.auth import tokens
    from ragem.auth.views import blp, jwks_blp

    from ragem.auth.sessions import PURGE_JOB

    tokens.configure(app, app.config["RAGEM"])
    register_core_job(app, PURGE_JOB)  # core.sessions-purge
    api.register_blueprint(blp)
    api.register_blueprint(jwks_blp)
    from ragem.auth import account_views, admin_views

    api.register_blueprint(account_views.blp)
    api.register_blueprint(admin_views.blp)
