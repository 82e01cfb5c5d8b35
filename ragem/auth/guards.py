"""View decorators that check who is calling: log-in, roles, plugin permissions."""
from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable

from flask import current_app, g
from flask_jwt_extended import current_user as jwt_user
from flask_jwt_extended import verify_jwt_in_request

from ragem.auth.sessions import current_session_id, session_auth_time
from ragem.blueprint import document_security
from ragem.errors import Forbidden, Unauthorized
from ragem.hooktypes import Account
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth")


def current_user() -> Account | None:
    """The logged-in account of this request, or ``None``."""
    if "current_user" in g:
        return g.current_user
    try:
        verify_jwt_in_request(optional=True)
    except Exception:  # noqa: BLE001 - an optional look-up never fails the request
        return None
    return g.get("current_user")


def login_required(func: Callable) -> Callable:
    """Require a valid access token of an active account (401 otherwise)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        g.current_user = jwt_user
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
