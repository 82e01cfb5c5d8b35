"""Staff rights an admin grants to named accounts: command-centre supervisors and telephony systems.

Call-takers, dispatchers and agencies follow from an officer's OPD; a supervisor or the account of a
telephony system is a particular account, so an admin grants it the permission here (audited) and
revokes it when the person moves on or the system is replaced.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.darurat112.models import StaffGrant

MSG_NO_ACCOUNT = {"id": "Akun tidak ditemukan atau tidak aktif.", "en": "The account does not exist or is not active."}
MSG_ALREADY = {"id": "Akun ini sudah memiliki izin tersebut.", "en": "This account already holds that permission."}
MSG_REVOKED = {"id": "Izin ini sudah dicabut.", "en": "This grant was already revoked."}


def holds(account_id: str | None, permission: str) -> bool:
    """Whether ``account_id`` holds ``permission`` through a grant in force."""
    if not account_id:
        return False
    return toolkit.db.session.scalar(
        select(StaffGrant.id).where(StaffGrant.account_id == account_id, StaffGrant.permission == permission,
                                    StaffGrant.revoked_at.is_(None)).limit(1)) is not None


def grant(admin: toolkit.Account, *, account_id: str, permission: str, reason: str) -> StaffGrant:
    """Grant ``permission`` to an active account (audited); 404 for no such account, 409 when it holds it."""
    if not toolkit.account_is_active(account_id):
        raise toolkit.NotFound(message=MSG_NO_ACCOUNT, details={"account_id": account_id})
    if holds(account_id, permission):
        raise toolkit.Conflict("already_granted", MSG_ALREADY, details={"account_id": account_id,
                                                                        "permission": permission})
    row = StaffGrant(account_id=account_id, permission=permission, reason=reason.strip(), granted_by=admin.id,
                     granted_at=toolkit.utcnow())
    session = toolkit.db.session
    session.add(row)
    try:
        session.flush()  # two admins granting at once: the unique index on grants in force decides
    except IntegrityError:
        session.rollback()
        raise toolkit.Conflict("already_granted", MSG_ALREADY,
                               details={"account_id": account_id, "permission": permission}) from None
    toolkit.audit("darurat112.staff.grant", "darurat112_staff_grant", str(row.id),
                  after={"account_id": account_id, "permission": permission}, reason=row.reason, actor=admin)
    session.commit()
    return row


def revoke(admin: toolkit.Account, grant_id: int, *, reason: str) -> StaffGrant:
    """Revoke a grant (audited; the row stays as history); 409 when it was already revoked."""
    row = toolkit.db.session.get(StaffGrant, grant_id) if 0 < grant_id < 2**31 else None
    if row is None:
        raise toolkit.NotFound(details={"grant_id": grant_id})
    if row.revoked_at is not None:
        raise toolkit.Conflict("grant_revoked", MSG_REVOKED, details={"grant_id": grant_id})
    row.revoked_at, row.revoked_by, row.revoke_reason = toolkit.utcnow(), admin.id, reason.strip()
    toolkit.audit("darurat112.staff.revoke", "darurat112_staff_grant", str(row.id),
                  before={"account_id": row.account_id, "permission": row.permission}, after={"revoked": True},
                  reason=row.revoke_reason, actor=admin)
    toolkit.db.session.commit()
    return row


def list_grants(*, active: bool, permission: str | None, limit: int, cursor: str | None):
    """Grants, newest first; only those in force with ``active``."""
    stmt = select(StaffGrant)
    if active:
        stmt = stmt.where(StaffGrant.revoked_at.is_(None))
    if permission:
        stmt = stmt.where(StaffGrant.permission == permission)
    return toolkit.paginate(toolkit.db.session, stmt, [StaffGrant.granted_at, StaffGrant.id], limit=limit,
                            cursor=cursor)
