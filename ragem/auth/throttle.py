"""Brute-force protection for log-in: rate limits per IP and per account, and a growing back-off.

Two layers:

- flask-limiter counts requests per client address (``LOGIN_IP_LIMITS``) and per account
  (``LOGIN_IDENTIFIER_LIMIT``);
- ``login_throttle`` counts failed passwords per account: after ``FAILURES_BEFORE_LOCK`` the
  account is locked for ``FIRST_LOCK_SECONDS``, doubling with each further failure up to
  ``MAX_LOCK_SECONDS``; a successful log-in clears it. A locked account answers 429
  ``too_many_attempts`` with ``Retry-After`` before the password is looked at. A wrong proof of the
  owner (``ragem.auth.reauth``, the current password when changing it) counts the same.

Both count per **account** (``subject_key``): guesses by its phone number (in any format), its NIK
and its email share one counter, so three identifiers do not buy three times the guesses. An
identifier that names no account is counted on its own (a keyed hash of its normalised form, so
the table never holds a phone number or NIK), exactly like an account: unknown and existing
identifiers get the same answers, so the throttle does not say which exist.
"""
from __future__ import annotations

import math
import time
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import case, delete, or_
from sqlalchemy.dialects import postgresql, sqlite

from ragem import pii
from ragem.auth.identifiers import find_account, normalise_identifier
from ragem.auth.models import LoginThrottle, User
from ragem.errors import ApiError
from ragem.extensions import _rate_limit_key, db, limiter
from ragem.timeutil import utcnow

FAILURES_BEFORE_LOCK = 5
FIRST_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 15 * 60
# Failures with no further failure for this long are forgotten (a typo last week costs nothing).
FORGET_AFTER = timedelta(hours=1)
# Each worker deletes forgotten rows at most this often.
PURGE_EVERY_SECONDS = 600.0

# flask-limiter limits (per client address, and per account or unknown identifier whatever the address).
LOGIN_IP_LIMITS = "20 per minute;200 per hour"
LOGIN_IDENTIFIER_LIMIT = "10 per minute;50 per hour"
REFRESH_IP_LIMIT = "60 per minute"

TOO_MANY_ATTEMPTS = {
    "id": "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {seconds} detik.",
    "en": "Too many failed log-in attempts. Try again in {seconds} seconds.",
}


def identifier_key(raw: str) -> str:
    """The throttle key of an identifier that names no account: a keyed hash of its normalised form,
    so the table holds no phone number or NIK."""
    kind, value = normalise_identifier(raw)
    return "id:" + pii.keyed_hash(f"login-throttle:{kind}:{value}")


def account_key(user: User) -> str:
    """The throttle key of an account, whichever identifier named it (the id is no personal data)."""
    return f"acct:{user.id}"


def subject_key(identifier: str, user: User | None) -> str:
    """The counter a log-in with ``identifier`` spends: its account's, else the identifier's own."""
    return account_key(user) if user is not None else identifier_key(identifier)


def _body_identifier() -> str | None:
    # The API's JSON body or the console's log-in form: both name the account the same way.
    body = request.get_json(silent=True) if request.is_json else request.form
    identifier = body.get("identifier") if hasattr(body, "get") else None
    if not isinstance(identifier, str) or not identifier.strip() or len(identifier) > 254:
        return None
    return identifier


def no_identifier() -> bool:
    """flask-limiter ``exempt_when``: the body names no identifier (it fails validation anyway)."""
    return _body_identifier() is None


def limiter_identifier_key() -> str:
    """flask-limiter key function: the account the body's identifier names (or the identifier
    itself when it names none), whatever the client's address."""
    identifier = _body_identifier()
    if identifier is None:
        return _rate_limit_key()  # not reached: no_identifier() exempts these requests
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "ragem")
    return f"{prefix}:login-identifier:{subject_key(identifier, find_account(identifier))}"


def limit_per_identifier(view):
    """Decorate a log-in view with ``LOGIN_IDENTIFIER_LIMIT`` per account, whatever the address.

    One counter shared by every log-in door (the API and the console): guesses spread over both
    do not get twice the allowance.
    """
    return limiter.shared_limit(
        LOGIN_IDENTIFIER_LIMIT, scope="login-identifier", key_func=limiter_identifier_key, exempt_when=no_identifier,
    )(view)


def check(key: str) -> None:
    """Refuse with 429 ``too_many_attempts`` (and Retry-After) while ``key`` is locked."""
    row = db.session.get(LoginThrottle, key)
    now = utcnow()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        seconds = max(1, math.ceil((row.locked_until - now).total_seconds()))
        message = {lang: text.format(seconds=seconds) for lang, text in TOO_MANY_ATTEMPTS.items()}
        raise ApiError(
            "too_many_attempts", message, status=429,
            details={"retry_after": seconds}, headers={"Retry-After": str(seconds)},
        )


def lock_seconds(failures: int) -> int:
    """How long ``failures`` consecutive failures lock an identifier (0: not locked)."""
    if failures < FAILURES_BEFORE_LOCK:
        return 0
    doublings = min(failures - FAILURES_BEFORE_LOCK, 16)  # 2**16 * 30 s is far past the cap
    return min(FIRST_LOCK_SECONDS * 2**doublings, MAX_LOCK_SECONDS)


def record_failure(key: str) -> int:
    """Count a failed password for ``key`` and lock it when due; returns the failure count.

    One atomic upsert, so parallel guesses cannot slip past the count. The caller commits.
    """
    now = utcnow()
    table = LoginThrottle.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    stmt = insert(table).values(key=key, failures=1, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((table.c.updated_at < now - FORGET_AFTER, 1), else_=table.c.failures + 1),
            "updated_at": now,
        },
    ).returning(table.c.failures)
    failures = db.session.execute(stmt).scalar_one()
    purge_stale()
    seconds = lock_seconds(failures)
    if seconds:
        db.session.execute(
            table.update().where(table.c.key == key).values(locked_until=now + timedelta(seconds=seconds))
        )
    return failures


def reset(key: str) -> None:
    """Forget the failures of ``key`` (the right password was given)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


_last_purge = [float("-inf")]


def purge_stale(*, every_seconds: float = PURGE_EVERY_SECONDS) -> None:
    """Delete rows whose failures are forgotten and whose lock is over (at most every few minutes).

    Guessing random identifiers leaves one row each; without this the table would only grow.
    """
    if time.monotonic() - _last_purge[0] < every_seconds:
        return
    _last_purge[0] = time.monotonic()
    now = utcnow()
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.updated_at < now - FORGET_AFTER)
        .where(or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now))
    )
