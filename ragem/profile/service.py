"""Profile rules: the callers of the profile and data-rights hooks, and the profile-field gate.

Every call of ``ragem_profile_summary``, ``ragem_user_export``, ``ragem_user_erase`` and
``ragem_user_event`` goes through this module, so the rules written in ``ragem.hookspecs`` (who is
asked, what happens when a plugin fails) live in one place.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Mapping

from flask import current_app, has_request_context
from sqlalchemy import select

from ragem.audit.service import record as audit
from ragem.auth.guards import current_account, current_user
from ragem.auth.models import User
from ragem.catalog.state import is_available
from ragem.errors import ApiError, Forbidden
from ragem.extensions import db
from ragem.hooktypes import ErasureReport, UserEvent
from ragem.messaging.models import DeliveryAttempt, PendingFallback
from ragem.notifications.models import OutboxMessage
from ragem.plugins import PluginRecord
from ragem.profile import export as export_sections
from ragem.profile.access import record_access
from ragem.storage.models import StoredFile
from ragem.storage.service import get_storage
from ragem.timeutil import isoformat_z, utcnow
from ragem.transactions import committed

log = logging.getLogger("ragem.profile")

#: Account attributes a plugin may read through ``read_profile`` once it declared them, and how
#: each is read (``kelurahan`` is the Kemendagri code; ``toolkit.region`` names it). Anything else
#: on the account (password hash, roles, verification state, ...) is never handed to a plugin.
#: The NIK is not readable at all: in clear it is the one identifier worth stealing, and masked it
#: identifies nobody; a service refers to a person by the account id.
_FIELD_READERS: dict[str, Callable[[User], Any]] = {
    "name": lambda user: user.name,
    "phone": lambda user: user.phone,
    "email": lambda user: user.verified_email,  # an unverified address may be anybody's
    "preferred_language": lambda user: user.preferred_language,
    "kelurahan": lambda user: user.kelurahan_code,
    "address": lambda user: user.address,
    "birth_date": lambda user: user.birth_date,
    "sex": lambda user: user.sex,
}
PROFILE_FIELDS = tuple(_FIELD_READERS)


class ProfileAccessRefused(Forbidden, PermissionError):
    """A plugin asked for profile fields it did not declare through ``ragem_profile_fields``."""

    code = "profile_field_not_declared"


class DataRightsFailed(ApiError):
    """A plugin failed while exporting or erasing a user's data; nothing was changed."""

    status = 503


def _registry():
    return current_app.extensions["ragem.plugins"]


def _implementers(hook_name: str, *, only_available: bool) -> Iterator[PluginRecord]:
    """Started plugins implementing ``hook_name``, by slug; switched-off ones only when asked."""
    registry = _registry()
    for record in registry.services():
        if only_available and not is_available(record.slug):
            continue
        if registry.impls(hook_name, record):
            yield record


def _jsonable(value: Any) -> Any:
    """Plugin answers made JSON-safe: timestamps as ISO 8601 with ``Z``, tuples and sets as lists."""
    if isinstance(value, datetime):
        return isoformat_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def summary(user: User) -> dict[str, dict[str, Any]]:
    """The sections of ``GET /api/v1/me/summary``: one per available service that has something.

    A section that fails is left out (and logged): the overview is a convenience and must not
    break because one service misbehaves.
    """
    registry = _registry()
    sections: dict[str, dict[str, Any]] = {}
    for record in _implementers("ragem_profile_summary", only_available=True):
        try:
            section = registry.call_one(record, "ragem_profile_summary", user=user)
        except Exception:  # noqa: BLE001 - isolate the failing service
            db.session.rollback()  # a failed query must not poison the next service's reads
            log.exception("profile summary failed", extra={"plugin": record.name})
            continue
        if section is not None:
            sections[record.slug] = _jsonable(section)
    return sections


def export_user(user: User) -> dict[str, Any]:
    """Everything RAGEM holds on ``user``: the core account and every started service's part.

    The core's sections (``ragem.profile.export``: account with the NIK in full, roles, sessions,
    notifications, messages, one-time codes, access log, files, audit) come first, then
    ``services`` keyed by slug. Switched-off services are asked too: a citizen's data does not
    vanish while a service is paused.
    :raises DataRightsFailed: ``export_failed`` naming the service that failed; an export is
        complete or not given at all.
    """
    registry = _registry()
    services: dict[str, Any] = {}
    for record in _implementers("ragem_user_export", only_available=False):
        try:
            data = registry.call_one(record, "ragem_user_export", user=user)
        except Exception as exc:  # noqa: BLE001
            db.session.rollback()
            log.exception("user export failed", extra={"plugin": record.name})
            raise DataRightsFailed("export_failed", details={"service": record.slug}) from exc
        if data is not None:
            services[record.slug] = _jsonable(data)
    core = _jsonable(export_sections.core_sections(user))
    return {"exported_at": isoformat_z(utcnow()), **core, "services": services}


def erase_user(user: User, actor: Any = None) -> dict[str, Any]:
    """Erase ``user`` everywhere, in one transaction, and audit it without personal data.

    Every started plugin's ``ragem_user_erase`` runs first (switched-off services included); then
    the core deletes the account rows. The audit entry ``user.erase`` holds only ids and the
    per-service counts. After the commit, the ``deleted`` user event is broadcast.
    :param actor: who asked (defaults to the logged-in user of the request).
    :raises DataRightsFailed: ``erasure_failed`` naming the service that raised; everything,
        including the other services' erasures and any uncommitted change of the caller, is rolled back.
    """
    registry = _registry()
    user_id = user.id
    reports: dict[str, dict[str, int]] = {}
    with committed():
        for record in _implementers("ragem_user_erase", only_available=False):
            try:
                report = registry.call_one(record, "ragem_user_erase", user=user)
                if report is not None and not isinstance(report, ErasureReport):
                    raise TypeError("ragem_user_erase must return a toolkit.ErasureReport or None")
            except Exception as exc:  # noqa: BLE001
                log.exception("user erasure failed", extra={"plugin": record.name})
                raise DataRightsFailed("erasure_failed", details={"service": record.slug}) from exc
            report = report or ErasureReport()
            reports[record.slug] = {"deleted": int(report.deleted), "anonymised": int(report.anonymised)}
        # Counts and ids only: the reason a plugin kept rows is its own text and may name the person.
        audit("user.erase", "user", user_id, after={"services": reports}, actor=actor)
        orphan_keys = _delete_unlinked_personal_rows(user)
        _delete_account_rows(user)
    _delete_stored_bytes(orphan_keys)
    emit_user_event("deleted", user_id)
    return {"user_id": user_id, "services": reports}


def _delete_unlinked_personal_rows(user: User) -> list[str]:
    """Delete core rows about ``user`` that carry no foreign key to the account.

    The outbox keeps messages (phone number and text) by plain ``user_id``/recipient, and stored
    files name their owner without a foreign key (uploads may outlive an account elsewhere), so
    the foreign-key sweep below would miss them. Returns the storage keys whose bytes must go
    once the erasure is committed.
    """
    db.session.execute(
        OutboxMessage.__table__.delete().where(
            (OutboxMessage.user_id == user.id) | (OutboxMessage.recipient == user.phone)
        )
    )
    # A code waiting for its SMS fallback holds the number sealed; the account is going, so is it.
    db.session.execute(PendingFallback.__table__.delete().where(PendingFallback.attempt_id.in_(
        select(DeliveryAttempt.id).where(DeliveryAttempt.user_id == user.id))))
    files = db.session.execute(
        StoredFile.__table__.select().where(StoredFile.owner_id == user.id)
    ).mappings().all()
    db.session.execute(StoredFile.__table__.delete().where(StoredFile.owner_id == user.id))
    return [row["storage_key"] for row in files]


def _delete_stored_bytes(keys: list[str]) -> None:
    """Remove the bytes of erased files after the commit (a rollback must not lose them)."""
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # noqa: BLE001 - the rows are gone; a leftover file is logged for clean-up
            log.exception("could not delete an erased user's file", extra={"storage_key": key})


def _delete_account_rows(user: User) -> None:
    """Delete the account and every row that still points at it.

    Rows of other tables that reference the account through a foreign key are deleted when the
    reference is required and unlinked (set to NULL) when it is optional, so e.g. a complaint an
    erased officer once handled survives. Plain SQL keeps SQLite (no enforced cascades) and
    PostgreSQL identical.
    """
    accounts = User.__table__
    for table in reversed(db.metadata.sorted_tables):
        if table is accounts:
            continue
        for fk in table.foreign_keys:
            if fk.column is not accounts.c.id:
                continue
            column = fk.parent
            if column.nullable:
                db.session.execute(table.update().where(column == user.id).values({column.name: None}))
            else:
                db.session.execute(table.delete().where(column == user.id))
    db.session.execute(accounts.delete().where(accounts.c.id == user.id))
    db.session.expunge(user)  # the row is gone; keep the ORM from flushing or refreshing it


def emit_user_event(name: str, user_id: str, data: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Broadcast ``ragem_user_event`` to every started plugin; call it after committing the change.

    Each plugin's reaction is committed on its own; one that raises is rolled back and logged, and
    the others still hear the event.
    :returns: ``{"delivered": [slug, ...], "failed": [slug, ...]}``.
    """
    registry = _registry()
    event = UserEvent(name=name, user_id=user_id, at=utcnow(), data=dict(data or {}))
    outcome: dict[str, list[str]] = {"delivered": [], "failed": []}
    for record in _implementers("ragem_user_event", only_available=False):
        try:
            registry.call_one(record, "ragem_user_event", event=event)
            db.session.commit()
        except Exception:  # noqa: BLE001 - one plugin's failure never blocks the others
            db.session.rollback()
            log.exception("user event failed", extra={"plugin": record.name, "event": name})
            outcome["failed"].append(record.slug)
        else:
            outcome["delivered"].append(record.slug)
    return outcome


def read_profile(
    plugin_slug: str, user: User, fields: Iterable[str] | str, purpose: str, officer: Any = None, *,
    with_caller: bool = False,
) -> dict[str, Any]:
    """The ``fields`` of ``user``'s profile, for plugin ``plugin_slug``, read for ``purpose``.

    Every granted read is recorded in the citizen's access record (service, fields with the
    purpose the plugin declared for each, ``purpose``, the officer's OPD, time) before the values
    are handed over; a refused read is not recorded, since nothing was disclosed.
    :param purpose: why the service reads now ("call about report 12"), shown to the citizen.
    :param officer: the officer (account or account id) the read is made for, if any; the
        citizen sees only "an officer of <OPD>".
    :param with_caller: write the record in the caller's transaction rather than in one of its
        own: for a caller that stores the values it reads in that transaction (and discloses them
        only from there), so the record is committed with them or, on a rollback, vanishes with
        them. It saves a connection and a commit on a hot path.
    :raises ProfileAccessRefused: (403, also a ``PermissionError``) the plugin did not declare one
        of the fields through ``ragem_profile_fields``, or the field is not a profile field.
    :raises ValueError: no purpose or no field given.
    """
    uses = _granted_uses(plugin_slug, fields, purpose)
    record_access(user, plugin_slug, uses, purpose, officer, with_caller=with_caller)
    # A plugin holds an ``Account`` (the request's caller is not the database record): read the record.
    account = user if isinstance(user, User) else _record_of(user.id)
    return {field: _FIELD_READERS[field](account) for field, _declared in uses}


def _record_of(user_id: str) -> User | None:
    """The account record of ``user_id``: the request's own caller's is loaded once per request and
    kept for it (``current_account``), so a later step of the same request (an inbox message to the
    caller) finds it without a second query."""
    if has_request_context():
        caller = current_user()
        if caller is not None and caller.id == user_id:
            return current_account()
    return db.session.get(User, user_id)


def read_profile_by_id(
    plugin_slug: str, user_id: str | None, fields: Iterable[str] | str, purpose: str, officer: Any = None, *,
    with_caller: bool = False,
) -> dict[str, Any] | None:
    """``read_profile`` of the account with id ``user_id``, for a plugin that keeps only the id
    (a complaint's reporter); ``None`` when no account has it (erased), with nothing recorded.

    The fields are checked first, so an undeclared one raises whether or not the account exists.
    """
    _granted_uses(plugin_slug, fields, purpose)
    user = db.session.get(User, user_id) if isinstance(user_id, str) and user_id else None
    if user is None:
        return None
    return read_profile(plugin_slug, user, fields, purpose, officer, with_caller=with_caller)


def _granted_uses(plugin_slug: str, fields: Iterable[str] | str, purpose: str) -> list[tuple[str, Mapping[str, str]]]:
    """``(field, declared purpose)`` of each wanted field; raises as ``read_profile`` documents."""
    wanted = list(dict.fromkeys([fields] if isinstance(fields, str) else fields))
    if not isinstance(purpose, str) or not purpose.strip():
        raise ValueError("read_profile needs the purpose of the read")
    if not wanted:
        raise ValueError("read_profile needs at least one field")
    record = _registry().record_for_slug(plugin_slug)
    declared: dict[str, Mapping[str, str]] = {}
    if record and record.status == "enabled":
        for use in record.profile_fields:
            declared.setdefault(use.field, use.purpose)
    refused = sorted(f for f in wanted if f not in declared or f not in _FIELD_READERS)
    if refused:
        log.warning("profile read refused", extra={"plugin": plugin_slug, "fields": refused})
        raise ProfileAccessRefused(details={"service": plugin_slug, "fields": refused})
    return [(field, declared[field]) for field in wanted]
