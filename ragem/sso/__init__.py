"""Single sign-on: RAGEM as an OpenID Connect provider for the OPDs' own web systems.

- ``models``: clients, authorization codes, tokens, consents;
- ``clients``: registering OPD systems (admins, audited);
- ``claims``: what each scope releases, and the record of every release in the access log;
- ``consents``: what a citizen agreed to give each system (listed and revocable);
- ``rp_tokens``: the access and refresh tokens given to systems (own audience, rotation);
- ``purge``: the nightly clean-up of codes and tokens that ended;
- ``server``: Authlib's authorization server bound to the above;
- ``browser``: the citizen's log-in in the browser (cookie under ``/sso``);
- ``views``, ``pages``, ``api_views``: discovery and the endpoints, the log-in and consent pages,
  the JSON API (connected apps, admin clients).
"""
from ragem.jobs.scheduler import register_core_job
from ragem.sso import models  # noqa: F401  (registers the tables)


def init_app(app, api) -> None:
    """Mount the provider: its endpoints under ``/sso``, discovery, the citizen and admin APIs."""
    from ragem.sso import api_views, pages, purge, server, views  # noqa: PLC0415

    server.init_app(app)
    register_core_job(app, purge.PURGE_JOB)  # core.sso-purge
    api.register_blueprint(views.blp)
    api.register_blueprint(views.discovery_blp)
    api.register_blueprint(api_views.me_blp)
    api.register_blueprint(api_views.admin_blp)
    app.register_blueprint(pages.blp)
