"""Suspending an account (admins): it can neither log in nor use a token until it is reinstated."""
from __future__ import annotations

from ragem.audit.service import record as audit
from ragem.auth.accounts import ensure_may_leave
from ragem.auth.models import User
from ragem.auth.roles import get_user
from ragem.auth.sessions import revoke_user_sessions
from ragem.errors import Conflict
from ragem.extensions import db

SELF_SUSPEND = {
    "id": "Anda tidak dapat menangguhkan akun Anda sendiri.",
    "en": "You cannot suspend your own account.",
}


def suspend_account(user_id: str, *, reason: str, actor) -> User:
    """Suspend an account, audited as ``account.suspend``; commits.

    Every session of the account is revoked: its access tokens are refused at their next request
    on this worker and within ``RAGEM_STATE_TTL`` on every other, its refresh tokens at once, and a
    console log-in ends. Suspending an account already suspended changes nothing.
    :raises Conflict: ``cannot_suspend_self`` or ``last_admin`` (409).
    """
    user = get_user(user_id)
    if not user.is_active:
        return user
    if user.id == getattr(actor, "id", None):
        raise Conflict("cannot_suspend_self", SELF_SUSPEND)
    ensure_may_leave(user)  # the platform's last active admin stays
    user.is_active = False
    revoked = revoke_user_sessions(user.id, reason="account_suspended")
    audit("account.suspend", "user", user.id, before={"is_active": True},
          after={"is_active": False, "sessions_revoked": revoked}, reason=reason, actor=actor)
    db.session.commit()
    return user


def reinstate_account(user_id: str, *, reason: str, actor) -> User:
    """Lift a suspension, audited as ``account.reinstate``; commits. The account logs in anew."""
    user = get_user(user_id)
    if user.is_active:
        return user
    user.is_active = True
    audit("account.reinstate", "user", user.id, before={"is_active": False}, after={"is_active": True},
          reason=reason, actor=actor)
    db.session.commit()
    return user
