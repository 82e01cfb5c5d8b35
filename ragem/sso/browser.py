"""The citizen's sign-in in the browser, for the single sign-on pages: the ``ragem_sso`` cookie.

Like the console's (``ragem.console.login_state``) the signed cookie holds only the account id,
the core log-in session id, when the citizen proved their password and when the cookie was
last used; every request re-checks the core session, so a log-out in the app's session list, a
password reset or a deactivated account ends the sign-in here too.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app, g, session

from ragem.auth.active_session import check_request_session
from ragem.auth.models import User
from ragem.auth.sessions import revoke_session
from ragem.extensions import db


@dataclass(frozen=True)
class SignedIn:
    """The citizen signed in on this browser, and their RAGEM log-in (session and when)."""

    user: User
    auth_time: datetime
    session_id: str | None


def idle_seconds() -> int:
    """How long a sign-in may sit unused (the console's ``RAGEM_CONSOLE_IDLE_MINUTES``)."""
    return current_app.config["RAGEM"]["CONSOLE_IDLE_MINUTES"] * 60


def begin(user_id: str, session_id: str) -> None:
    """Remember a fresh sign-in (a new cookie: no fixation of an old one)."""
    lang = session.get("lang")
    session.clear()
    now = int(time.time())
    session.update(uid=user_id, sid=session_id, seen=now, auth_time=now, fresh=True)
    if lang:
        session["lang"] = lang


def forget() -> None:
    """Drop the sign-in from the cookie (the language stays)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def take_fresh_login() -> bool:
    """Whether the password was typed just before this request (once: the flag is used up)."""
    return session.pop("fresh", None) is True


def current_session_id() -> str | None:
    """The core session id of the cookie, checked or not."""
    sid = session.get("sid")
    return sid if isinstance(sid, str) else None


def signed_in() -> SignedIn | None:
    """The signed-in citizen of this request, or ``None`` (nobody, idle too long, session ended)."""
    if "sso_signed_in" in g:
        return g.sso_signed_in
    found = None
    uid, sid, seen, auth_time = session.get("uid"), session.get("sid"), session.get("seen"), session.get("auth_time")
    if isinstance(uid, str) and isinstance(sid, str) and isinstance(seen, int) and isinstance(auth_time, int):
        if time.time() - seen > idle_seconds():
            revoke_session(sid, reason="sso_idle")
            db.session.commit()
            forget()
        else:
            account = check_request_session(sid, uid)
            user = db.session.get(User, uid) if account is not None and account.is_active else None
            if user is not None:
                session["seen"] = int(time.time())
                found = SignedIn(user, datetime.fromtimestamp(auth_time, timezone.utc).replace(tzinfo=None), sid)
            else:
                forget()
    g.sso_signed_in = found
    return found
