"""The staff console: server-rendered pages under ``/console/`` for officers and admins."""
from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

from ragem.console import pages
from ragem.console.login_state import ConsoleSessions

csrf = CSRFProtect()


def init_app(app, _api) -> None:
    """Mount the console: its cookie session, CSRF on its forms only, its pages and plugin pages."""
    # CSRF is checked by the console blueprint itself: the JSON API (bearer tokens) is untouched.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # A token lives as long as the console session (the idle time-out ends both).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.session_interface = ConsoleSessions()
    csrf.init_app(app)
    from ragem.console.views import blp  # noqa: PLC0415 - views import csrf from here
    # The admin pages add their routes to the same blueprint (views stay in small modules).
    from ragem.console import account_pages, audit_pages, evaluation_pages, plugin_views  # noqa: F401, PLC0415

    app.register_blueprint(blp)
    pages.collect_plugin_pages(app)
