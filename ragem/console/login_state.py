"""The console's browser session: a signed cookie tied to a core log-in session.

The cookie holds only the account id, the core session id, when it was last used and the chosen
language. Every request re-checks the core session the way the API checks a token's (``ragem.auth.
active_session``), so a log-out, a revoked session, a deactivated account or a removed role ends
the console log-in too.
"""
from __future__ import annotations

import time

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

from ragem.auth.active_session import check_request_session
from ragem.auth.sessions import revoke_session
from ragem.extensions import db

PREFIX = "/console"
COOKIE = "ragem_console"
STAFF_ROLES = ("officer", "admin")


#: The browser areas that have a cookie session: path prefix -> cookie name. The console's, and
#: the citizens' single sign-on pages (``ragem.sso``), each with its own cookie and path.
COOKIE_AREAS = {PREFIX: COOKIE, "/sso": "ragem_sso"}


def is_console_path(path: str) -> bool:
    """Whether ``path`` is served by the console."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def cookie_area(path: str) -> str | None:
    """The prefix of the browser area serving ``path`` (``None`` for the API: no cookie there)."""
    return next((prefix for prefix in COOKIE_AREAS if path == prefix or path.startswith(prefix + "/")), None)


class ConsoleSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, for the browser areas only (``/console/``, ``/sso/``);
    the API stays cookie-less.

    Everywhere else no cookie is parsed, signed or written (Flask's harmless NullSession, which
    refuses writes): the API is stateless, and a session cookie would cost every request. Each
    area has its own cookie, scoped to its path: a console log-in is not a citizen's sign-in.
    """

    def open_session(self, app, request):
        """The area's session; ``None`` (a null session) everywhere else."""
        if cookie_area(request.path) is None:
            return None
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        """Write the cookie for browser-area responses only."""
        if cookie_area(request.path) is None:
            return None
        return super().save_session(app, session, response)

    def get_cookie_name(self, app):
        return COOKIE_AREAS.get(cookie_area(request.path) if request else None, COOKIE)

    def get_cookie_path(self, app):
        return (cookie_area(request.path) if request else None) or PREFIX

    def get_cookie_httponly(self, app):
        return True

    def get_cookie_samesite(self, app):
        return "Lax"

    def get_cookie_secure(self, app):
        # HTTPS as the client saw it: behind RAGEM_PROXY_COUNT proxies ProxyFix has already
        # applied X-Forwarded-Proto to the request's scheme.
        return request.is_secure


def idle_seconds() -> int:
    """How long a console log-in may sit unused (``RAGEM_CONSOLE_IDLE_MINUTES``)."""
    return current_app.config["RAGEM"]["CONSOLE_IDLE_MINUTES"] * 60


def begin(user_id: str, session_id: str) -> None:
    """Remember a fresh log-in in the cookie (a new cookie: no fixation of an old one)."""
    lang = session.get("lang")
    session.clear()
    session.update(uid=user_id, sid=session_id, seen=int(time.time()))
    if lang:
        session["lang"] = lang


def end(reason: str) -> None:
    """Revoke the core session behind the cookie and forget it (log-out, idle time-out)."""
    sid = session.get("sid")
    if sid:
        revoke_session(sid, reason=reason)
        db.session.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_staff():
    """The logged-in account of this console request, or ``None``; notes ``g.console_expired``.

    ``None`` when nobody logged in, the log-in sat idle too long, the core session no longer stands
    (logged out elsewhere, revoked), the account was suspended or lost its officer/admin role: in
    each case the log-in ends and its core session is revoked.
    """
    if "console_account" in g:
        return g.console_account
    account = None
    uid, sid, seen = session.get("uid"), session.get("sid"), session.get("seen")
    if uid and sid:
        if not isinstance(seen, int) or time.time() - seen > idle_seconds():
            end("console_idle")
            g.console_expired = True
        else:
            found = check_request_session(sid, uid)
            if found is not None and found.is_active and is_staff(found):
                account = found
                session["seen"] = int(time.time())
                g.current_user = account  # the core's guards and the audit log see the same caller
            else:
                # Suspended, no longer staff, or the session was revoked elsewhere: logged out
                # for good (the core session goes too, so a copy of the cookie is worthless).
                end("console_revoked" if found is None else "console_no_longer_staff")
                g.console_expired = True
    g.console_account = account
    return account


def is_staff(account) -> bool:
    """Whether the account may use the console at all (officer or admin)."""
    return account is not None and any(account.has_role(role) for role in STAFF_ROLES)
