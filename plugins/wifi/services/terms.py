"""Versions of the Wi-Fi terms of use: admins publish a new one; until a citizen accepts it, neither
their registered devices nor their tokens get on the Wi-Fi (``services/radius.py`` refuses them),
and the app learns it from ``GET /access`` (and from a refused ``POST /tokens``).

A version may be published for a later moment (``published_at`` in the future): the current terms
stay in force until then, so the app can show the new text ahead of time.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ragem import toolkit

from plugins.wifi.models import Terms, TermsAcceptance
from plugins.wifi.services import registration

MSG_VERSION_TAKEN = {"id": "Versi syarat penggunaan ini sudah ada.", "en": "This terms version already exists."}
#: A publication time this far in the past is a mistake (it would rewrite history), not clock skew.
PAST_TOLERANCE = timedelta(minutes=1)


def list_terms() -> list[Terms]:
    """Every version, newest publication first."""
    return list(toolkit.db.session.scalars(select(Terms).order_by(Terms.published_at.desc())))


def publish(admin: toolkit.Account, *, version: str, text_id: str, text_en: str, published_at=None) -> Terms:
    """Publish a new terms version, now or at ``published_at`` (audited).

    409 ``terms_version_taken`` for an existing version; 422 when ``published_at`` is in the past
    or not after the current version's (a new version never takes effect retroactively).
    """
    session = toolkit.db.session
    now = toolkit.utcnow()
    when = published_at or now
    if when < now - PAST_TOLERANCE:
        raise toolkit.ValidationError(details={"published_at": ["must not be in the past"]})
    latest = session.scalar(select(Terms.published_at).order_by(Terms.published_at.desc()).limit(1))
    if latest is not None and when <= latest:
        raise toolkit.ValidationError(details={"published_at": ["must be after the latest version's publication"]})
    if session.get(Terms, version) is not None:
        raise toolkit.Conflict("terms_version_taken", MSG_VERSION_TAKEN, details={"version": version})
    terms = Terms(version=version, text_id=text_id.strip(), text_en=text_en.strip(), published_at=when)
    session.add(terms)
    session.flush()
    toolkit.audit("wifi.terms.publish", "wifi_terms", version,
                  after={"version": version, "published_at": toolkit.isoformat_z(when)}, actor=admin)
    session.commit()
    return terms


def acceptance_status(user_id: str) -> dict:
    """What the app shows: the current version, whether the citizen accepted it, and the last
    version they did accept (``None`` before their first)."""
    current = registration.current_terms()
    last = toolkit.db.session.scalar(
        select(TermsAcceptance.terms_version).join(Terms, Terms.version == TermsAcceptance.terms_version)
        .where(TermsAcceptance.user_id == user_id).order_by(Terms.published_at.desc()).limit(1))
    return {"current_version": current.version, "accepted": last == current.version, "accepted_version": last}
