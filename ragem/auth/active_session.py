"""The per-request session check behind every access token, and the ``last_used_at`` it notes.

Split from ``ragem.auth.sessions`` (which issues tokens through ``ragem.auth.tokens``) so that
``tokens`` can check a token's session without importing the module that issues tokens.

Every worker keeps what it last read of each session it served (active or not, whose, with the
account's roles, OPD, language and whether it is active) and trusts it for at most
``RAGEM_STATE_TTL`` seconds, the bound within which a service switch spreads too. So a log-out,
a revoked session, a deactivated account or a changed role is refused by every worker on every
host within that bound, and by the worker that made the change at once: a commit that wrote a
session, an account or a role drops what this worker remembered of that account.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, g, has_app_context
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session as OrmSession

from ragem.auth.models import ROLE_PRECEDENCE, AuthSession, User, UserRole
from ragem.extensions import db
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth")

# last_used_at is written at most this often per session: the check on every request stays a read.
TOUCH_INTERVAL = timedelta(minutes=1)
# Tables whose rows decide whether a token is still good: a write to them drops cached sessions.
_AUTH_TABLES = frozenset({AuthSession.__tablename__, User.__tablename__, UserRole.__tablename__})
# A statement carrying this execution option writes nothing the cache holds (last_used_at).
NEUTRAL = "ragem_auth_neutral"


@dataclass(frozen=True)
class SessionAccount:
    """The logged-in account of a request, as its session check read it (``hooktypes.Account``).

    What guards, plugins and the audit log need of the caller, without loading the account row;
    a view that needs the whole record asks ``ragem.auth.guards.current_account()``.
    """

    id: str
    role_names: tuple[str, ...]
    opd_code: str | None
    preferred_language: str
    is_active: bool
    session_id: str

    @property
    def roles(self) -> list[str]:
        """The account's roles, sorted (a fresh list: callers may not change the cached one)."""
        return list(self.role_names)

    @property
    def primary_role(self) -> str:
        """The strongest role, used to label the account in the audit log."""
        return next((r for r in ROLE_PRECEDENCE if r in self.role_names), "citizen")

    def has_role(self, role: str) -> bool:
        """Whether the account holds ``role``."""
        return role in self.role_names


@dataclass
class _Entry:
    """What one session check read: the account (``None``: session revoked, unknown or not the token's)."""

    account: SessionAccount | None
    user_id: str | None
    last_used_at: datetime | None
    read_at: float  # time.monotonic() taken before the read: the bound counts from the data's age


class ActiveSessions:
    """This worker's bounded, thread-safe memory of session checks, each trusted for ``ttl`` seconds."""

    MAX_ENTRIES = 20_000

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, _Entry] = {}
        self._by_user: dict[str, set[str]] = {}
        self._memos: dict[tuple[str, object], tuple[object, float]] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str) -> _Entry | None:
        """The entry of ``session_id`` if it was read less than ``ttl`` seconds ago."""
        entry = self._entries.get(session_id)
        if entry is None or time.monotonic() - entry.read_at >= self.ttl:
            return None
        return entry

    def put(self, session_id: str, entry: _Entry) -> None:
        """Remember a fresh read of ``session_id``."""
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES and session_id not in self._entries:
                self._drop_stale()
            self._entries[session_id] = entry
            if entry.user_id is not None:
                self._by_user.setdefault(entry.user_id, set()).add(session_id)

    def memo(self, user_id: str, key, build):
        """``build()``, made at most once per ``ttl`` for this account and ``key`` (see ``account_memo``)."""
        found = self._memos.get((user_id, key))
        if found is not None and time.monotonic() - found[1] < self.ttl:
            return found[0]
        built_at = time.monotonic()  # before reading: the bound counts from the data's age
        value = build()
        with self._lock:
            if len(self._memos) >= self.MAX_ENTRIES:
                now = time.monotonic()
                self._memos = {k: v for k, v in self._memos.items() if now - v[1] < self.ttl}
                if len(self._memos) >= self.MAX_ENTRIES:
                    self._memos = {}
            self._memos[(user_id, key)] = (value, built_at)
        return value

    def forget_users(self, user_ids) -> None:
        """Drop every session (and memo) of these accounts: their next request reads the database."""
        user_ids = set(user_ids)
        with self._lock:
            for user_id in user_ids:
                for session_id in self._by_user.pop(user_id, ()):
                    self._entries.pop(session_id, None)
            if self._memos:
                self._memos = {k: v for k, v in self._memos.items() if k[0] not in user_ids}

    def clear(self) -> None:
        """Drop everything (after a bulk write whose rows are not known one by one)."""
        with self._lock:
            self._entries.clear()
            self._by_user.clear()
            self._memos.clear()

    def _drop_stale(self) -> None:
        # Entries older than the TTL are worthless; if every one is fresh, more sessions than
        # MAX_ENTRIES were used within one TTL, and starting over costs one read each.
        now = time.monotonic()
        fresh = {sid: e for sid, e in self._entries.items() if now - e.read_at < self.ttl}
        if len(fresh) >= self.MAX_ENTRIES:
            fresh = {}
        self._entries = fresh
        self._by_user = {}
        for session_id, entry in fresh.items():
            if entry.user_id is not None:
                self._by_user.setdefault(entry.user_id, set()).add(session_id)


def init_app(app) -> None:
    """Give ``app`` its session memory; watch this process's commits for writes that end sessions."""
    app.extensions["ragem.active_sessions"] = ActiveSessions(app.config["RAGEM"]["STATE_TTL"])
    _watch_commits()


def _sessions() -> ActiveSessions | None:
    return current_app.extensions.get("ragem.active_sessions") if has_app_context() else None


@lru_cache(maxsize=1)
def _session_statement():
    """The read behind a session check, built once: plain columns, one row per role, no ORM objects."""
    s, u, r = AuthSession.__table__.c, User.__table__.c, UserRole.__table__.c
    return (
        select(s.user_id, s.revoked_at, s.last_used_at, u.is_active, u.opd_code, u.preferred_language, r.role)
        .select_from(AuthSession.__table__.join(User.__table__, u.id == s.user_id).outerjoin(UserRole.__table__, r.user_id == u.id))
        .where(s.id == bindparam("sid"))
    )


def _read(session_id: str) -> _Entry:
    """Read ``session_id`` with its account and roles from the database (one statement)."""
    read_at = time.monotonic()
    rows = db.session.execute(_session_statement(), {"sid": session_id}).all()
    if not rows:
        return _Entry(None, None, None, read_at)
    first = rows[0]
    if first.revoked_at is not None:
        return _Entry(None, first.user_id, None, read_at)
    account = SessionAccount(
        id=first.user_id,
        role_names=tuple(sorted({row.role for row in rows if row.role is not None})),
        opd_code=first.opd_code,
        preferred_language=first.preferred_language,
        is_active=bool(first.is_active),
        session_id=session_id,
    )
    return _Entry(account, first.user_id, first.last_used_at, read_at)


def check_request_session(session_id, user_id) -> SessionAccount | None:
    """The per-request check behind every access token: the session is active and is ``user_id``'s.

    Answers the account of the session (its ``is_active`` still to be looked at by the caller), or
    ``None`` when the session is revoked, unknown or another account's. Read from the database at
    most once per ``RAGEM_STATE_TTL`` per session and worker; ``last_used_at`` is noted for an
    update after the response (at most once a minute per session), so the check never writes.
    """
    if not isinstance(session_id, str) or not session_id:
        return None
    memory = _sessions()
    entry = memory.get(session_id) if memory is not None else None
    if entry is None:
        entry = _read(session_id)
        if memory is not None:
            memory.put(session_id, entry)
    account = entry.account
    if account is None or account.id != user_id:
        return None
    now = utcnow()
    if entry.last_used_at is not None and now - entry.last_used_at >= TOUCH_INTERVAL:
        entry.last_used_at = now  # this worker notes it once a minute, not on every request
        g.ragem_touch_session = session_id
    return account


def account_memo(user_id: str, key, build):
    """What ``build()`` answers about account ``user_id``, kept by this worker for ``RAGEM_STATE_TTL``.

    For reads of the account's own record that would otherwise load it on every request (the
    body of ``GET /api/v1/me``): as fresh as the session check, dropped by this worker's own
    writes to the account at once and seen from other workers' writes within the bound.
    """
    memory = _sessions()
    return build() if memory is None else memory.memo(user_id, key, build)


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
            .execution_options(synchronize_session=False, **{NEUTRAL: True})
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - a timestamp must never fail a request that already answered
        db.session.rollback()
        log.warning("could not update session last_used_at", exc_info=True)


# -- dropping what this worker remembered when this worker changes it ------------------------------

_CHANGED = "ragem_auth_changed"  # key in Session.info: account ids written, or True for "all"


def _note(orm_session, value) -> None:
    noted = orm_session.info.get(_CHANGED)
    if noted is True:
        return
    if value is True:
        orm_session.info[_CHANGED] = True
    else:
        orm_session.info.setdefault(_CHANGED, set()).add(value)


def _after_flush(orm_session, _flush_context) -> None:
    """Note the accounts whose session, account row or roles this flush wrote."""
    for obj in (*orm_session.new, *orm_session.dirty, *orm_session.deleted):
        if isinstance(obj, User):
            _note(orm_session, obj.id)
        elif isinstance(obj, (AuthSession, UserRole)) and obj.user_id is not None:
            _note(orm_session, obj.user_id)
        elif isinstance(obj, UserRole):
            _note(orm_session, True)  # a role row not yet tied to an id: drop everything


def _on_statement(state) -> None:
    """Note a bulk UPDATE or DELETE of the auth tables (``revoke_session`` and friends)."""
    if not (state.is_update or state.is_delete) or state.execution_options.get(NEUTRAL):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _AUTH_TABLES:
        _note(state.session, True)


def _after_commit(orm_session) -> None:
    """Apply what the committed transaction noted to this app's session memory."""
    noted = orm_session.info.pop(_CHANGED, None)
    memory = _sessions() if noted else None
    if memory is None:
        return
    if noted is True:
        memory.clear()
    else:
        memory.forget_users(noted)


def _after_rollback(orm_session) -> None:
    orm_session.info.pop(_CHANGED, None)  # nothing was written


_watching = False


def _watch_commits() -> None:
    """Listen to every ORM session of the process (once): writes to the auth tables evict at commit."""
    global _watching
    if _watching:
        return
    event.listen(OrmSession, "after_flush", _after_flush)
    event.listen(OrmSession, "do_orm_execute", _on_statement)
    event.listen(OrmSession, "after_commit", _after_commit)
    event.listen(OrmSession, "after_rollback", _after_rollback)
    _watching = True
