"""View decorators that check who is calling: log-in, roles, plugin permissions."""
from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable

from flask import current_app, g

from ragem.auth.models import User
from ragem.auth.sessions import current_session_id, session_auth_time
from ragem.auth.tokens import verify_request_token
from ragem.blueprint import document_security
from ragem.errors import Forbidden, Unauthorized
from ragem.extensions import db
from ragem.hooktypes import Account
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth")


def current_user() -> Account | None:
    """The logged-in account of this request, or ``None``.

    An ``Account`` (id, roles, OPD, language) as the session check read it, not the database
    record: a view that needs the whole account asks ``current_account()``.
    """
    if "current_user" in g:
        return g.current_user
    try:
        verify_request_token(optional=True)
    except Exception:  # noqa: BLE001 - an optional look-up never fails the request
        return None
    return g.get("current_user")


def current_account() -> User:
    """The logged-in account's database record, loaded once per request (behind ``login_required``).

    For the views that read or change the account itself (profile, phone, password); guards and
    plugins make do with ``current_user()``, which costs no query.
    """
    record = g.get("ragem_account_record")
    if record is None:
        user = current_user()
        record = db.session.get(User, user.id) if user is not None else None
        if record is None:  # erased since the session check read it
            raise Unauthorized("invalid_token")
        g.ragem_account_record = record
    return record


def login_required(func: Callable) -> Callable:
    """Require a valid access token of an active account (401 otherwise)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        verify_request_token()
        return func(*args, **kwargs)

    return document_security(wrapper)


def roles_required(*roles: str) -> Callable:
    """Require a log-in holding at least one of ``roles`` (403 otherwise)."""

    def decorator(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(*args, **kwargs):
            if not any(g.current_user.has_role(role) for role in roles):
                raise Forbidden(details={"required_roles": list(roles)})
            return func(*args, **kwargs)

        return wrapper

    return decorator


def fresh_login_required(max_age_seconds: int = 300) -> Callable:
    """Require a log-in whose password was proved at most ``max_age_seconds`` ago (401 otherwise).

    Uses the session's ``auth_time``: refreshing tokens keeps a session alive but never makes it
    fresh; only logging in again does. For dangerous acts such as erasing the account.
    """

    def decorator(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(*args, **kwargs):
            auth_time = session_auth_time(current_session_id())
            if auth_time is None or (utcnow() - auth_time).total_seconds() > max_age_seconds:
                raise Unauthorized(
                    "fresh_login_required",
                    {
                        "id": "Demi keamanan, masuk kembali dengan kata sandi Anda lalu ulangi.",
                        "en": "For your security, log in again with your password, then try again.",
                    },
                    details={"max_age_seconds": max_age_seconds},
                )
            return func(*args, **kwargs)

        return wrapper

    return decorator


def can(user: Account | None, permission: str, resource: Any = None) -> bool:
    """Whether ``user`` holds ``permission`` (role defaults, then plugin grants and vetoes)."""
    if user is None:
        return False
    registry = current_app.extensions["ragem.plugins"]
    declared = registry.all_permissions().get(permission)
    allowed = bool(declared and set(declared.default_roles) & set(user.roles))
    try:
        answers = [
            answer
            for _record, answer in registry.per_plugin(
                "ragem_permission_check", only_available=False, isolate=False,
                user=user, permission=permission, resource=resource,
            )
        ]
    except Exception:  # noqa: BLE001 - a broken policy plugin fails closed, never open
        log.exception("permission check failed", extra={"permission": permission})
        return False
    if any(a is False for a in answers):
        return False  # any veto denies
    return allowed or any(a is True for a in answers)


def permission_required(permission: str) -> Callable:
    """Require ``permission`` (declared through ``ragem_permissions``) for the logged-in user."""

    def decorator(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(*args, **kwargs):
            if not can(g.current_user, permission):
                raise Forbidden(details={"required_permission": permission})
            return func(*args, **kwargs)

        return wrapper

    return decorator
