"""Session policies: the global one and per-hotspot ones (a hotspot's own policy wins entirely).

The policy of a log-in decides the RADIUS reply: Session-Timeout (the session length, cut to what is
left of the daily time quota) and the bandwidth limits.
"""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.wifi.models import Policy
from plugins.wifi.services import hotspots, lookups

FIELDS = ("session_seconds", "daily_seconds", "daily_bytes", "down_kbps", "up_kbps")


def list_policies() -> list[Policy]:
    """The global policy first, then the hotspots' own."""
    return list(toolkit.db.session.scalars(
        select(Policy).order_by(Policy.hotspot_id.is_not(None), Policy.hotspot_id)))


def global_policy() -> Policy:
    """The global policy (reference data; 503 when missing)."""
    policy = toolkit.db.session.scalar(select(Policy).where(Policy.hotspot_id.is_(None)).limit(1))
    if policy is None:
        raise toolkit.ServiceUnavailable()
    return policy


def effective_policy(hotspot_id: int | None) -> Policy:
    """The hotspot's own policy, else the global one."""
    if hotspot_id is not None:
        own = toolkit.db.session.scalar(select(Policy).where(Policy.hotspot_id == hotspot_id))
        if own is not None:
            return own
    return global_policy()


def _snapshot(policy: Policy) -> dict:
    return {field: getattr(policy, field) for field in FIELDS}


def set_policy(admin: toolkit.Account, hotspot_id: int | None, values: dict) -> Policy:
    """Set the global policy (``hotspot_id`` None) or a hotspot's own (audited)."""
    session = toolkit.db.session
    if hotspot_id is None:
        policy = global_policy()
    else:
        hotspots.get_hotspot(hotspot_id)
        policy = session.scalar(select(Policy).where(Policy.hotspot_id == hotspot_id))
        if policy is None:
            policy = Policy(hotspot_id=hotspot_id, **_snapshot(global_policy()))
            session.add(policy)
    before = _snapshot(policy) if policy.id else None
    for field in FIELDS:
        setattr(policy, field, values[field])
    policy.updated_at, policy.updated_by = toolkit.utcnow(), admin.id
    session.flush()
    toolkit.audit("wifi.policy.set", "wifi_policy", "global" if hotspot_id is None else f"hotspot:{hotspot_id}",
                  before=before, after=_snapshot(policy), actor=admin)
    session.commit()
    lookups.forget_hotspots()
    return policy


def remove_hotspot_policy(admin: toolkit.Account, hotspot_id: int) -> None:
    """Drop a hotspot's own policy: the global one applies again (audited); 404 when it has none."""
    session = toolkit.db.session
    policy = session.scalar(select(Policy).where(Policy.hotspot_id == hotspot_id)) if 0 < hotspot_id < 2**31 else None
    if policy is None:
        raise toolkit.NotFound(details={"hotspot_id": hotspot_id})
    toolkit.audit("wifi.policy.remove", "wifi_policy", f"hotspot:{hotspot_id}", before=_snapshot(policy), actor=admin)
    session.delete(policy)
    session.commit()
    lookups.forget_hotspots()
