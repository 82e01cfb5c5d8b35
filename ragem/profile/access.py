"""The access record: every profile read a service made, kept for the citizen to see.

``ragem.profile.service.read_profile`` calls ``record_access`` before it hands any value over;
``access_log`` is what ``GET /api/v1/me/access-log`` lists.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping, Sequence

from flask import current_app
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ragem.auth.models import User
from ragem.extensions import db
from ragem.i18n import translate
from ragem.opds.service import get_opd
from ragem.pagination import paginate
from ragem.profile.models import ProfileAccess
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.profile")

AN_OFFICER = {"id": "Petugas", "en": "An officer"}


def _officer_facts(officer: Any) -> tuple[str | None, str | None]:
    """``(id, opd code)`` of the officer a read was made for (a ``User`` or an account id)."""
    if officer is None:
        return None, None
    if isinstance(officer, str):
        with db.session.no_autoflush:  # a look-up must not flush (and lock) the caller's writes
            found = db.session.get(User, officer)
        return officer, found.opd_code if found else None
    return officer.id, getattr(officer, "opd_code", None)


def record_access(
    user: User,
    service: str,
    uses: Sequence[tuple[str, Mapping[str, str]]],
    purpose: str,
    officer: Any = None,
    *,
    with_caller: bool = False,
) -> None:
    """Record that ``service`` read the fields in ``uses`` (field, declared purpose) of ``user``.

    The record is a disclosure, not part of the caller's change: it is written in a transaction
    of its own, so it stays even when the caller later rolls back and it needs no commit from a
    read-only view. Where that is impossible (see ``_write_alone``) it joins the caller's
    transaction instead. With ``with_caller`` it always joins it: the caller keeps the values in
    that same transaction, so the record and what was kept are committed, or dropped, together,
    for one commit instead of two and no second connection (see ``read_profile``).
    """
    officer_id, officer_opd = _officer_facts(officer)
    values = {
        "user_id": user.id,
        "service": service,
        # The declared purpose is copied in both languages: the record must say what the service
        # declared at the time of the read, even after the plugin changes or goes away.
        "fields": [{"field": name, "purpose": dict(declared)} for name, declared in uses],
        "purpose": purpose.strip()[:2000],
        "officer_id": officer_id,
        "officer_opd": officer_opd,
        "at": utcnow(),
    }
    if with_caller or not _write_alone(values):
        db.session.add(ProfileAccess(**values))
        db.session.flush()


def _write_alone(values: dict[str, Any]) -> bool:
    """Insert the record on a connection of its own; ``False`` when it must join the session.

    SQLite allows one writer: if the request's own connection already wrote (it holds the write
    lock) a second connection would wait on it forever, and an in-memory database is not shared
    between connections at all. On PostgreSQL a second connection cannot see an account created
    in the uncommitted request transaction (foreign key) and could wait on a row the request has
    locked, so a short lock timeout turns that into the fallback too.
    """
    engine = db.engine
    if engine.dialect.name == "sqlite":
        if not engine.url.database or engine.url.database == ":memory:" or _sqlite_session_writing():
            return False
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL lock_timeout = '1s'"))
            conn.execute(insert(ProfileAccess).values(**values))
    except (IntegrityError, DBAPIError) as exc:
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            raise  # the database is gone: the read must fail, not go unrecorded
        log.info("profile access recorded with the caller's transaction", extra={"reason": type(exc).__name__})
        return False
    return True


def _sqlite_session_writing() -> bool:
    """Whether the request's SQLite connection holds an open write transaction."""
    session = db.session()  # the request's Session itself (the scoped proxy lacks in_transaction)
    if not session.in_transaction():
        return False
    dbapi_connection = session.connection().connection.dbapi_connection
    # pysqlite opens a transaction only before a write, so plain reads leave this False.
    return bool(getattr(dbapi_connection, "in_transaction", True))


def _service_name(slug: str) -> str:
    """The service's name in the request's language (its slug once the plugin is gone).

    Core modules that release profile data themselves (single sign-on) name their own entries
    through ``app.extensions["ragem.access_service_names"]``: callables ``slug -> name or None``.
    """
    for namer in current_app.extensions.get("ragem.access_service_names", ()):
        name = namer(slug)
        if name:
            return name
    record = current_app.extensions["ragem.plugins"].record_for_slug(slug)
    if record is None or record.info is None:
        return slug
    return translate(record.info.name) or slug


def _officer_view(row: ProfileAccess) -> dict[str, Any] | None:
    """Who read, as the citizen may know it: only "an officer of <OPD>", never the person."""
    if row.officer_id is None:
        return None
    opd = get_opd(row.officer_opd)
    if opd is None:
        return {"opd": row.officer_opd, "opd_name": None, "label": translate(AN_OFFICER)}
    name = translate(opd.names)
    label = {"id": f"Petugas {opd.name_id}", "en": f"An officer of {opd.name_en}"}
    return {"opd": opd.code, "opd_name": name, "label": translate(label)}


def access_entry(row: ProfileAccess) -> dict[str, Any]:
    """One record as the citizen sees it, texts in the request's language."""
    return {
        "id": row.id,
        "service": {"slug": row.service, "name": _service_name(row.service)},
        "fields": [{"field": use["field"], "purpose": translate(use.get("purpose"))} for use in row.fields],
        "purpose": row.purpose,
        "officer": _officer_view(row),
        "at": row.at,
    }


def access_log(user: User, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of ``user``'s own access record, newest first."""
    stmt = select(ProfileAccess).where(ProfileAccess.user_id == user.id)
    rows, next_cursor = paginate(db.session, stmt, [ProfileAccess.at, ProfileAccess.id], limit=limit, cursor=cursor)
    return {"items": [access_entry(row) for row in rows], "next_cursor": next_cursor}


def export_entries(user: User) -> list[dict[str, Any]]:
    """The whole access record of ``user`` for the export: declared purposes in both languages."""
    rows = db.session.scalars(
        select(ProfileAccess).where(ProfileAccess.user_id == user.id).order_by(ProfileAccess.at, ProfileAccess.id)
    )
    return [
        {
            "service": row.service,
            "fields": row.fields,
            "purpose": row.purpose,
            # The officer's identity is not the citizen's data; the OPD they acted for is.
            "officer_opd": row.officer_opd,
            "by_officer": row.officer_id is not None,
            "at": row.at,
        }
        for row in rows
    ]
