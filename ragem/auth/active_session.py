"""The per-request session check behind every access token, and the ``last_used_at`` it notes.

Split from ``ragem.auth.sessions`` (which issues tokens through ``ragem.auth.tokens``) so that
``tokens`` can check a token's session without importing the module that issues tokens.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache

from flask import g
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from ragem.auth.models import AuthSession, User
from ragem.extensions import db
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth")

# last_used_at is written at most this often per session: the check on every request stays a read.
TOUCH_INTERVAL = timedelta(minutes=1)


@lru_cache(maxsize=1)
def _session_and_user():
    """The per-request statement, built once: a session by id with its account and roles.

    The account and its roles come in the same statement, so the user look-up that follows
    (``tokens._load_user``) needs no query of its own.
    """
    return (
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .options(joinedload(User.role_rows))
        .where(AuthSession.id == bindparam("sid"))
    )


def check_request_session(session_id, user_id) -> bool:
    """The per-request check behind every access token: the session is active and is ``user_id``'s.

    One primary-key look-up; ``last_used_at`` is noted for an update after the response (at most
    once a minute per session), so the check itself never writes.
    """
    if not isinstance(session_id, str) or not session_id:
        return False
    row = db.session.execute(_session_and_user(), {"sid": session_id}).unique().one_or_none()
    if row is None:
        return False
    session, user = row
    if session.revoked_at is not None or session.user_id != user_id:
        return False
    g.ragem_request_session = session
    g.ragem_request_user = user  # held here: the identity map alone keeps objects only weakly
    if utcnow() - session.last_used_at >= TOUCH_INTERVAL:
        g.ragem_touch_session = session_id
    return True


def touch_after_request(_exc=None) -> None:
    """teardown_request: write ``last_used_at`` for the session the request used, if it was due.

    Runs after the response, on a clean transaction: whatever the request left uncommitted is
    rolled back first (Flask-SQLAlchemy would discard it anyway), so only the timestamp is written.
    """
    session_id = g.pop("ragem_touch_session", None)
    if session_id is None:
        return
    now = utcnow()
    try:
        db.session.rollback()
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.last_used_at < now - TOUCH_INTERVAL)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - a timestamp must never fail a request that already answered
        db.session.rollback()
        log.warning("could not update session last_used_at", exc_info=True)
