"""A citizen's devices for automatic log-in: at most ``RAGEM_WIFI_MAX_DEVICES`` (3 by default), each
MAC registered by one citizen at a time."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.wifi import settings
from plugins.wifi.models import Device, Suspension
from plugins.wifi.services import registration, suspensions
from plugins.wifi.services.macs import normalise_mac

MSG_TOO_MANY = {"id": "Batas jumlah perangkat tercapai. Hapus perangkat lama terlebih dahulu.",
                "en": "Device limit reached. Remove an old device first."}
MSG_SUSPENDED = {"id": "Perangkat ini sedang ditangguhkan dan tidak dapat dihapus.",
                 "en": "This device is suspended and cannot be removed."}
MSG_TAKEN = {"id": "Perangkat ini sudah didaftarkan.", "en": "This device is already registered."}


def list_devices(user: toolkit.Account) -> list[Device]:
    """The citizen's devices, oldest first."""
    return list(toolkit.db.session.scalars(
        select(Device).where(Device.user_id == user.id).order_by(Device.created_at, Device.id)))


def own_device(user: toolkit.Account, device_id: int) -> Device:
    """The citizen's own device; 404 for anyone else's (others must not learn it exists)."""
    device = toolkit.db.session.get(Device, device_id) if 0 < device_id < 2**31 else None
    if device is None or device.user_id != user.id:
        raise toolkit.NotFound(details={"device_id": device_id})
    return device


def add_device(user: toolkit.Account, *, mac: str, label: str | None) -> Device:
    """Register a device (terms accepted first); 409 ``device_limit`` or ``device_taken``."""
    canonical = normalise_mac(mac)
    if not registration.accepted_current(user.id):
        raise toolkit.Forbidden("terms_not_accepted", registration.MSG_TERMS_NOT_ACCEPTED,
                                details={"current_version": registration.current_terms().version})
    session = toolkit.db.session
    existing = session.scalar(select(Device).where(Device.mac == canonical))
    if existing is not None:
        if existing.user_id == user.id:
            return existing  # the app repeated its request: the same device, once
        raise toolkit.Conflict("device_taken", MSG_TAKEN)
    count = session.scalar(select(func.count()).select_from(Device).where(Device.user_id == user.id)) or 0
    limit = settings.MAX_DEVICES.value()
    if count >= limit:
        raise toolkit.Conflict("device_limit", MSG_TOO_MANY, details={"max_devices": limit})
    device = Device(user_id=user.id, mac=canonical, label=(label or "").strip() or None, created_at=toolkit.utcnow())
    session.add(device)
    try:
        session.commit()
    except IntegrityError:  # another citizen registered the same MAC a moment earlier
        session.rollback()
        raise toolkit.Conflict("device_taken", MSG_TAKEN) from None
    if len(list_devices(user)) > limit:  # two taps raced past the count: undo this one
        session.delete(device)
        session.commit()
        raise toolkit.Conflict("device_limit", MSG_TOO_MANY, details={"max_devices": limit})
    return device


def rename_device(user: toolkit.Account, device_id: int, *, label: str | None) -> Device:
    """Change a device's label."""
    device = own_device(user, device_id)
    device.label = (label or "").strip() or None
    toolkit.db.session.commit()
    return device


def remove_device(user: toolkit.Account, device_id: int) -> None:
    """Remove a device: it no longer logs in. 409 ``device_suspended`` while an admin's suspension
    holds on it (removing and adding it again would slip past the suspension)."""
    device = own_device(user, device_id)
    if suspensions.device_suspension(device.id) is not None:
        raise toolkit.Conflict("device_suspended", MSG_SUSPENDED, details={"device_id": device_id})
    session = toolkit.db.session
    for suspension in session.scalars(select(Suspension).where(Suspension.device_id == device.id)):
        suspension.device_id = None  # lifted or expired: the audit trail keeps the story
    session.delete(device)
    session.commit()
