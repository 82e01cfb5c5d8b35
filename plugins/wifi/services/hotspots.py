"""Hotspots: the public list for the app's map, and the admins' management (audited).

Each hotspot names the RADIUS identities of its gear (NAS-Identifier or Called-Station-Id values);
the RADIUS endpoints find the hotspot of a request by them, compared in lower case.
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.wifi.models import Hotspot, HotspotNas
from plugins.wifi.services import lookups

MSG_NAME_TAKEN = {"id": "Nama hotspot sudah dipakai.", "en": "The hotspot name is taken."}
MSG_NAS_TAKEN = {"id": "Identitas NAS sudah dipakai hotspot lain.",
                 "en": "A NAS identifier is already used by another hotspot."}
MSG_UNKNOWN_KELURAHAN = {"id": "Kelurahan tidak dikenal.", "en": "Unknown kelurahan."}
FIELDS = ("name", "kelurahan_code", "lat", "lon", "address", "ssids", "status", "quiet_hours")


def nas_identifiers(hotspot: Hotspot) -> list[str]:
    """The RADIUS identities of the hotspot's gear, sorted."""
    return sorted(toolkit.db.session.scalars(select(HotspotNas.identifier).where(HotspotNas.hotspot_id == hotspot.id)))


def list_public() -> list[Hotspot]:
    """Hotspots citizens can use or soon use (not retired), by name."""
    return list(toolkit.db.session.scalars(
        select(Hotspot).where(Hotspot.status != "retired").order_by(Hotspot.name, Hotspot.id)))


def list_all(*, limit: int, cursor: str | None):
    """Every hotspot for admins, by id."""
    return toolkit.paginate(toolkit.db.session, select(Hotspot), [Hotspot.id], limit=limit, cursor=cursor,
                            descending=False)


def get_hotspot(hotspot_id: int) -> Hotspot:
    """The hotspot; 404 when unknown."""
    hotspot = toolkit.db.session.get(Hotspot, hotspot_id) if 0 < hotspot_id < 2**31 else None
    if hotspot is None:
        raise toolkit.NotFound(details={"hotspot_id": hotspot_id})
    return hotspot


def _check_kelurahan(code: str | None) -> None:
    if code is None:
        return
    region = toolkit.region(code)
    if region is None or region.level != "kelurahan":
        raise toolkit.ValidationError("unknown_kelurahan", MSG_UNKNOWN_KELURAHAN,
                                      details={"kelurahan_code": ["unknown"]})


def _set_nas(hotspot: Hotspot, identifiers: list[str]) -> None:
    session = toolkit.db.session
    wanted = sorted({i.strip().lower() for i in identifiers if i.strip()})
    taken = session.scalar(select(HotspotNas.identifier).where(
        HotspotNas.identifier.in_(wanted), HotspotNas.hotspot_id != hotspot.id).limit(1)) if wanted else None
    if taken:
        raise toolkit.Conflict("nas_taken", MSG_NAS_TAKEN, details={"nas_identifier": taken})
    session.execute(delete(HotspotNas).where(HotspotNas.hotspot_id == hotspot.id))
    session.add_all(HotspotNas(hotspot_id=hotspot.id, identifier=i) for i in wanted)


def _commit_or_conflict() -> None:
    try:
        toolkit.db.session.commit()
    except IntegrityError:  # a racing admin took the name or an identifier first
        toolkit.db.session.rollback()
        raise toolkit.Conflict("hotspot_conflict", MSG_NAME_TAKEN) from None
    lookups.forget_hotspots()


def _snapshot(hotspot: Hotspot) -> dict:
    return {field: getattr(hotspot, field) for field in FIELDS} | {"nas_identifiers": nas_identifiers(hotspot)}


def create_hotspot(admin: toolkit.Account, *, nas_identifiers: list[str], **values) -> Hotspot:
    """Add a hotspot (audited); 409 when the name or a NAS identifier is taken."""
    session = toolkit.db.session
    _check_kelurahan(values.get("kelurahan_code"))
    if session.scalar(select(Hotspot.id).where(Hotspot.name == values["name"])) is not None:
        raise toolkit.Conflict("hotspot_name_taken", MSG_NAME_TAKEN)
    now = toolkit.utcnow()
    hotspot = Hotspot(**values, created_at=now, updated_at=now)
    session.add(hotspot)
    session.flush()
    _set_nas(hotspot, nas_identifiers)
    session.flush()
    toolkit.audit("wifi.hotspot.create", "wifi_hotspot", str(hotspot.id), after=_snapshot(hotspot), actor=admin)
    _commit_or_conflict()
    return hotspot


def update_hotspot(admin: toolkit.Account, hotspot_id: int, **changes) -> Hotspot:
    """Change a hotspot's fields and NAS identifiers (audited, before and after)."""
    session = toolkit.db.session
    hotspot = get_hotspot(hotspot_id)
    before = _snapshot(hotspot)
    _check_kelurahan(changes.get("kelurahan_code"))
    if "name" in changes and session.scalar(select(Hotspot.id).where(
            Hotspot.name == changes["name"], Hotspot.id != hotspot.id)) is not None:
        raise toolkit.Conflict("hotspot_name_taken", MSG_NAME_TAKEN)
    identifiers = changes.pop("nas_identifiers", None)
    for field, value in changes.items():
        setattr(hotspot, field, value)
    if changes.get("status") and changes["status"] != "active":
        hotspot.silent_since = None  # not watched while out of service
    if identifiers is not None:
        _set_nas(hotspot, identifiers)
    hotspot.updated_at = toolkit.utcnow()
    session.flush()
    toolkit.audit("wifi.hotspot.update", "wifi_hotspot", str(hotspot.id), before=before, after=_snapshot(hotspot),
                  actor=admin)
    _commit_or_conflict()
    return hotspot
