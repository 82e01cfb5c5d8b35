"""What a citizen agreed to give each OPD system: remembered, listed and revocable."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ragem.errors import NotFound
from ragem.extensions import db
from ragem.i18n import translate
from ragem.opds.service import describe, get_opd
from ragem.sso import rp_tokens
from ragem.sso.claims import SCOPE_NAMES, scope_list
from ragem.sso.models import SsoAuthorizationCode, SsoClient, SsoConsent, SsoToken
from ragem.timeutil import utcnow


def covers(user_id: str, client_id: str, scope: str) -> bool:
    """Whether the citizen already agreed to every scope of ``scope`` for this client."""
    consent = db.session.scalar(select(SsoConsent).filter_by(user_id=user_id, client_id=client_id))
    return consent is not None and set(scope_list(scope)) <= set(consent.scopes)


def remember(user_id: str, client_id: str, scope: str) -> SsoConsent:
    """Record the citizen's agreement to ``scope`` (added to what they agreed before). Caller commits."""
    consent = db.session.scalar(select(SsoConsent).filter_by(user_id=user_id, client_id=client_id))
    if consent is None:
        consent = SsoConsent(user_id=user_id, client_id=client_id, scopes=[])
        db.session.add(consent)
    consent.scopes = scope_list(set(consent.scopes) | set(scope_list(scope)))
    consent.granted_at = utcnow()
    db.session.flush()
    return consent


def connected_apps(user_id: str) -> list[dict[str, Any]]:
    """The systems the citizen connected, newest consent first, with what each may read."""
    rows = db.session.execute(
        select(SsoConsent, SsoClient).join(SsoClient, SsoClient.client_id == SsoConsent.client_id)
        .where(SsoConsent.user_id == user_id).order_by(SsoConsent.granted_at.desc(), SsoConsent.id.desc())
    ).all()
    items = []
    for consent, client in rows:
        opd = get_opd(client.opd_code)
        items.append({
            "client_id": client.client_id,
            "name": client.name,
            "opd": describe(opd) if opd else {"code": client.opd_code},
            "scopes": [{"scope": s, "label": translate(SCOPE_NAMES[s])} for s in scope_list(consent.scopes)],
            "granted_at": consent.granted_at,
        })
    return items


def revoke(user_id: str, client_id: str) -> None:
    """Withdraw the consent: the system's tokens and unused codes for this citizen end. Caller commits."""
    found = db.session.execute(
        delete(SsoConsent).where(SsoConsent.user_id == user_id, SsoConsent.client_id == client_id)
    ).rowcount
    if not found:
        raise NotFound("not_found")
    rp_tokens.revoke_where(SsoToken.user_id == user_id, SsoToken.client_id == client_id)
    db.session.execute(delete(SsoAuthorizationCode).where(
        SsoAuthorizationCode.user_id == user_id, SsoAuthorizationCode.client_id == client_id))
