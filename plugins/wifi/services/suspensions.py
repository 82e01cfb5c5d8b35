"""Admins suspend a citizen (every log-in) or one device; the RADIUS endpoints refuse while it holds."""
from __future__ import annotations

from sqlalchemy import or_, select

from ragem import toolkit

from plugins.wifi.models import Device, Suspension, TermsAcceptance

MSG_NOT_ACTIVE = {"id": "Penangguhan ini sudah tidak berlaku.", "en": "This suspension is no longer in force."}


def _in_force():
    now = toolkit.utcnow()
    return (Suspension.lifted_at.is_(None), or_(Suspension.until.is_(None), Suspension.until > now))


def user_suspension(user_id: str | None) -> Suspension | None:
    """The suspension in force on the citizen, if any."""
    if not user_id:
        return None
    return toolkit.db.session.scalar(select(Suspension).where(
        Suspension.kind == "user", Suspension.user_id == user_id, *_in_force()).limit(1))


def device_suspension(device_id: int | None) -> Suspension | None:
    """The suspension in force on the device, if any."""
    if device_id is None:
        return None
    return toolkit.db.session.scalar(select(Suspension).where(
        Suspension.kind == "device", Suspension.device_id == device_id, *_in_force()).limit(1))


def suspend(admin: toolkit.Account, *, kind: str, reason: str, user_id: str | None = None,
            device_id: int | None = None, until=None) -> Suspension:
    """Suspend a citizen (``user_id``) or a device (``device_id``), audited; 404 for an unknown device
    or an account that never registered for the Wi-Fi."""
    session = toolkit.db.session
    if until is not None and until <= toolkit.utcnow():
        raise toolkit.ValidationError(details={"until": ["must be in the future"]})
    if kind == "device":
        device = session.get(Device, device_id) if device_id is not None and 0 < device_id < 2**31 else None
        if device is None:
            raise toolkit.NotFound(details={"device_id": device_id})
        user_id = device.user_id
    elif not user_id:
        raise toolkit.ValidationError(details={"user_id": ["required for a citizen's suspension"]})
    elif session.scalar(select(TermsAcceptance.id).where(TermsAcceptance.user_id == user_id).limit(1)) is None:
        # A mistyped id would otherwise be "suspended" while the citizen meant goes on using the
        # Wi-Fi; only an account that registered for the Wi-Fi (accepted its terms) can be suspended.
        raise toolkit.NotFound(details={"user_id": user_id})
    suspension = Suspension(kind=kind, user_id=user_id, device_id=device_id if kind == "device" else None,
                            reason=reason.strip(), created_by=admin.id, created_at=toolkit.utcnow(), until=until)
    session.add(suspension)
    session.flush()
    toolkit.audit("wifi.suspension.create", "wifi_suspension", str(suspension.id),
                  after={"kind": kind, "user_id": user_id, "device_id": suspension.device_id,
                         "until": toolkit.isoformat_z(until) if until else None},
                  reason=suspension.reason, actor=admin)
    session.commit()
    return suspension


def lift(admin: toolkit.Account, suspension_id: int, *, reason: str) -> Suspension:
    """Lift a suspension in force (audited); 404 unknown, 409 ``suspension_not_active``."""
    session = toolkit.db.session
    suspension = session.get(Suspension, suspension_id) if 0 < suspension_id < 2**31 else None
    if suspension is None:
        raise toolkit.NotFound(details={"suspension_id": suspension_id})
    now = toolkit.utcnow()
    if suspension.lifted_at is not None or (suspension.until is not None and suspension.until <= now):
        raise toolkit.Conflict("suspension_not_active", MSG_NOT_ACTIVE, details={"suspension_id": suspension_id})
    suspension.lifted_at, suspension.lifted_by, suspension.lift_reason = now, admin.id, reason.strip()
    toolkit.audit("wifi.suspension.lift", "wifi_suspension", str(suspension.id), after={"lifted": True},
                  reason=suspension.lift_reason, actor=admin)
    session.commit()
    return suspension


def list_suspensions(*, active: bool, user_id: str | None, limit: int, cursor: str | None):
    """Suspensions, newest first; only those in force with ``active``."""
    stmt = select(Suspension)
    if active:
        stmt = stmt.where(*_in_force())
    if user_id:
        stmt = stmt.where(Suspension.user_id == user_id)
    return toolkit.paginate(toolkit.db.session, stmt, [Suspension.created_at, Suspension.id], limit=limit,
                            cursor=cursor)
