"""OPD rules: look-ups for other modules, the public list, and admin changes (always audited)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem.audit.service import record as audit
from ragem.errors import Conflict, NotFound
from ragem.extensions import db
from ragem.i18n import translate
from ragem.opds.models import Opd
from ragem.timeutil import utcnow
from ragem.transactions import committed

OPD_NOT_FOUND = {"id": "OPD tidak ditemukan.", "en": "OPD not found."}
OPD_EXISTS = {"id": "Kode OPD sudah dipakai.", "en": "This OPD code is already taken."}
EDITABLE = ("name_id", "name_en", "kind", "active")


def get_opd(code: Any) -> Opd | None:
    """The OPD with ``code`` (active or not), or ``None`` (also for a non-string code)."""
    if not isinstance(code, str) or not code:
        return None
    return db.session.get(Opd, code)


def opd_exists(code: Any, *, active_only: bool = False) -> bool:
    """Whether an OPD has ``code``; with ``active_only``, whether it is also still active."""
    opd = get_opd(code)
    return opd is not None and (opd.active or not active_only)


def _require(code: str) -> Opd:
    opd = get_opd(code)
    if opd is None:
        raise NotFound(message=OPD_NOT_FOUND, details={"code": code})
    return opd


def describe(opd: Opd, *, admin: bool = False) -> dict[str, Any]:
    """An OPD as the API shows it: ``name`` in the request's language, both names beside it."""
    item = {
        "code": opd.code,
        "name": translate(opd.names),
        "name_id": opd.name_id,
        "name_en": opd.name_en,
        "kind": opd.kind,
        "active": opd.active,
    }
    if admin:
        item.update(created_at=opd.created_at, updated_at=opd.updated_at)
    return item


def _snapshot(opd: Opd) -> dict[str, Any]:
    """The editable fields, as recorded in the audit log."""
    return {key: getattr(opd, key) for key in EDITABLE}


def list_opds(*, kind: str | None = None, active: bool | None = True, admin: bool = False) -> list[dict[str, Any]]:
    """OPDs ordered by code, filtered by ``kind`` and ``active`` (``None``: both states).

    A city has a few dozen OPDs at most, so the list is returned whole, not paginated.
    """
    stmt = select(Opd).order_by(Opd.code)
    if kind is not None:
        stmt = stmt.where(Opd.kind == kind)
    if active is not None:
        stmt = stmt.where(Opd.active.is_(active))
    return [describe(opd, admin=admin) for opd in db.session.scalars(stmt)]


def opd_detail(code: str, *, admin: bool = False) -> dict[str, Any]:
    """One OPD, deactivated ones included (old complaints and officers still name them).

    :raises NotFound: no OPD has this code.
    """
    return describe(_require(code), admin=admin)


def create_opd(
    *, code: str, name_id: str, name_en: str, kind: str, active: bool = True,
    reason: str | None = None, actor: Any = None,
) -> dict[str, Any]:
    """Add an OPD and audit it in the same transaction.

    :raises Conflict: ``opd_exists`` (409) when the code is taken, by an active OPD or not.
    """
    if get_opd(code) is not None:
        raise Conflict("opd_exists", OPD_EXISTS, details={"code": code})
    now = utcnow()
    opd = Opd(code=code, name_id=name_id, name_en=name_en, kind=kind, active=active, created_at=now, updated_at=now)
    # Another admin may create the same code between our check and our commit.
    with committed(conflict=Conflict("opd_exists", OPD_EXISTS, details={"code": code})):
        db.session.add(opd)
        audit("opd.create", "opd", code, before=None, after=_snapshot(opd), reason=reason, actor=actor)
    return describe(opd, admin=True)


def update_opd(code: str, *, reason: str | None = None, actor: Any = None, **changes: Any) -> dict[str, Any]:
    """Change an OPD's names, kind or active flag and audit it; the code never changes.

    A request that changes nothing is answered with the OPD as it is and leaves no audit entry.

    :raises NotFound: no OPD has this code.
    """
    opd = _require(code)
    before = _snapshot(opd)
    for key in EDITABLE:
        if key in changes:
            setattr(opd, key, changes[key])
    after = _snapshot(opd)
    if after == before:
        return describe(opd, admin=True)
    opd.updated_at = utcnow()
    audit("opd.update", "opd", code, before=before, after=after, reason=reason, actor=actor)
    db.session.commit()
    return describe(opd, admin=True)


def deactivate_opd(code: str, *, reason: str | None = None, actor: Any = None) -> dict[str, Any]:
    """Deactivate an OPD (what ``DELETE`` means here) and audit it; repeating it changes nothing.

    The row is kept on purpose: officers, services and complaints refer to the code, and deleting
    it would orphan them or erase who handled what. A deactivated OPD leaves the public list.

    :raises NotFound: no OPD has this code.
    """
    opd = _require(code)
    if not opd.active:
        return describe(opd, admin=True)
    before = _snapshot(opd)
    opd.active = False
    opd.updated_at = utcnow()
    audit("opd.deactivate", "opd", code, before=before, after=_snapshot(opd), reason=reason, actor=actor)
    db.session.commit()
    return describe(opd, admin=True)
