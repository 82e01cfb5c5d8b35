"""What the Wi-Fi service does for a citizen's data rights: summary, export and erasure.

Erasure deletes what is the person's alone (devices, tokens, terms acceptances, suspensions) and
anonymises the accounting sessions: the city keeps how much its hotspots were used, not by whom.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from ragem import toolkit

from plugins.wifi.models import AccountingSession, Device, Suspension, TermsAcceptance, WifiToken
from plugins.wifi.services import policies, terms, usage

KEPT_REASON = "Wi-Fi sessions are kept for the hotspots' usage statistics, without the person or device"


def summary(user) -> dict | None:
    """The citizen's devices, today's usage against the global daily quota, and whether they
    accepted the terms in force (``terms.accepted`` false: their devices are refused until then)."""
    session = toolkit.db.session
    devices = list(session.scalars(select(Device).where(Device.user_id == user.id).order_by(Device.id)))
    registered = session.scalar(select(TermsAcceptance.id).where(TermsAcceptance.user_id == user.id).limit(1))
    if not devices and registered is None:
        return None
    used = usage.today(user.id)
    policy = policies.global_policy()
    seconds_left, bytes_left = usage.remaining(policy, used)
    return {"devices": [{"id": d.id, "mac": d.mac, "label": d.label} for d in devices],
            "terms": terms.acceptance_status(user.id),
            "today": {"sessions": used.sessions, "seconds": used.seconds, "bytes": used.bytes,
                      "seconds_remaining": seconds_left, "bytes_remaining": bytes_left}}


def export(user) -> dict | None:
    """Registrations (terms accepted), devices and sessions of the citizen."""
    session = toolkit.db.session
    acceptances = list(session.scalars(select(TermsAcceptance).where(TermsAcceptance.user_id == user.id)
                                       .order_by(TermsAcceptance.accepted_at)))
    devices = list(session.scalars(select(Device).where(Device.user_id == user.id).order_by(Device.id)))
    sessions = list(session.scalars(select(AccountingSession).where(AccountingSession.user_id == user.id)
                                    .order_by(AccountingSession.started_at, AccountingSession.id)))
    if not (acceptances or devices or sessions):
        return None
    return {
        "registrations": [{"terms_version": a.terms_version, "accepted_at": toolkit.isoformat_z(a.accepted_at)}
                          for a in acceptances],
        "devices": [{"mac": d.mac, "label": d.label, "created_at": toolkit.isoformat_z(d.created_at),
                     "last_seen_at": toolkit.isoformat_z(d.last_seen_at)} for d in devices],
        "sessions": [{"hotspot_id": s.hotspot_id, "started_at": toolkit.isoformat_z(s.started_at),
                      "stopped_at": toolkit.isoformat_z(s.stopped_at), "seconds": s.session_seconds,
                      "bytes_in": s.input_bytes, "bytes_out": s.output_bytes} for s in sessions],
    }


def erase(user) -> toolkit.ErasureReport:
    """Delete devices, tokens, acceptances and suspensions; anonymise sessions."""
    session = toolkit.db.session
    anonymised = session.execute(
        update(AccountingSession).where(AccountingSession.user_id == user.id)
        .values(user_id=None, device_id=None, framed_ip=None, acct_session_id=None, anonymised=True)
        .execution_options(synchronize_session=False)).rowcount
    deleted = 0
    for stmt in (delete(Suspension).where(Suspension.user_id == user.id),
                 delete(Device).where(Device.user_id == user.id),
                 delete(WifiToken).where(WifiToken.user_id == user.id),
                 delete(TermsAcceptance).where(TermsAcceptance.user_id == user.id)):
        deleted += session.execute(stmt.execution_options(synchronize_session=False)).rowcount
    return toolkit.ErasureReport(deleted=deleted, anonymised=anonymised, kept_reason=KEPT_REASON)
