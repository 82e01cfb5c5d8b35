"""Getting on the Wi-Fi: a logged-in (so verified) citizen accepts the current terms and receives a
log-in token in the same call; later tokens need the current terms accepted.

A token is a ``username`` (public, random) and a ``secret`` (random, 32 bytes): the captive portal
posts both as RADIUS User-Name and User-Password (PAP). Only the secret's SHA-256 is stored, it is
valid for ``RAGEM_WIFI_TOKEN_MINUTES`` and works once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.wifi import settings
from plugins.wifi.models import Terms, TermsAcceptance, WifiToken
from plugins.wifi.services import suspensions

#: Token user names start with this, so the RADIUS side tells them from MAC addresses at a glance.
TOKEN_PREFIX = "rgm-"

MSG_TERMS_OUTDATED = {"id": "Syarat penggunaan sudah diperbarui. Baca dan setujui versi terbaru.",
                      "en": "The terms of use have changed. Read and accept the current version."}
MSG_TERMS_NOT_ACCEPTED = {"id": "Setujui syarat penggunaan Wi-Fi terlebih dahulu.",
                          "en": "Accept the Wi-Fi terms of use first."}
MSG_SUSPENDED = {"id": "Akses Wi-Fi Anda sedang ditangguhkan.", "en": "Your Wi-Fi access is suspended."}


def hash_secret(secret: str) -> str:
    """The stored form of a token secret (SHA-256, hex)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def current_terms() -> Terms:
    """The newest published terms."""
    terms = toolkit.db.session.scalar(
        select(Terms).where(Terms.published_at <= toolkit.utcnow()).order_by(Terms.published_at.desc()).limit(1))
    if terms is None:  # reference data missing: the service cannot serve
        raise toolkit.ServiceUnavailable()
    return terms


def accepted_current(user_id: str) -> bool:
    """Whether the citizen accepted the current terms."""
    version = current_terms().version
    return toolkit.db.session.scalar(select(TermsAcceptance.id).where(
        TermsAcceptance.user_id == user_id, TermsAcceptance.terms_version == version)) is not None


def first_acceptance(user_id: str) -> TermsAcceptance | None:
    """The citizen's first acceptance of any terms version (their registration), if any."""
    return toolkit.db.session.scalar(select(TermsAcceptance).where(TermsAcceptance.user_id == user_id)
                                     .order_by(TermsAcceptance.accepted_at, TermsAcceptance.id).limit(1))


def accept_terms(user: toolkit.Account, version: str) -> tuple[TermsAcceptance, WifiToken, str]:
    """Record the acceptance of ``version`` (which must be the current one) and issue a token.

    Accepting again is harmless (the first acceptance of that version stays). Returns the
    acceptance, the token row and its secret (shown once). 409 ``terms_outdated`` for another
    version, 403 ``wifi_suspended`` for a suspended citizen.
    """
    terms = current_terms()
    if version != terms.version:
        raise toolkit.Conflict("terms_outdated", MSG_TERMS_OUTDATED,
                               details={"current_version": terms.version})
    session = toolkit.db.session
    acceptance = session.scalar(select(TermsAcceptance).where(
        TermsAcceptance.user_id == user.id, TermsAcceptance.terms_version == version))
    if acceptance is None:
        acceptance = TermsAcceptance(user_id=user.id, terms_version=version, accepted_at=toolkit.utcnow())
        session.add(acceptance)
        try:
            session.flush()
        except IntegrityError:  # the same citizen's second tap raced this one: theirs stands
            session.rollback()
            acceptance = session.scalar(select(TermsAcceptance).where(
                TermsAcceptance.user_id == user.id, TermsAcceptance.terms_version == version))
    token, secret = issue_token(user)
    return acceptance, token, secret


def issue_token(user: toolkit.Account) -> tuple[WifiToken, str]:
    """A new single-use log-in token for a citizen who accepted the current terms (committed).

    403 ``terms_not_accepted`` before that, 403 ``wifi_suspended`` while suspended.
    """
    if not accepted_current(user.id):
        raise toolkit.Forbidden("terms_not_accepted", MSG_TERMS_NOT_ACCEPTED,
                                details={"current_version": current_terms().version})
    if suspensions.user_suspension(user.id) is not None:
        raise toolkit.Forbidden("wifi_suspended", MSG_SUSPENDED)
    now = toolkit.utcnow()
    secret = secrets.token_urlsafe(32)
    token = WifiToken(user_id=user.id, username=TOKEN_PREFIX + secrets.token_hex(8), secret_hash=hash_secret(secret),
                      created_at=now, expires_at=now + timedelta(minutes=settings.TOKEN_MINUTES.value()))
    toolkit.db.session.add(token)
    toolkit.db.session.commit()
    return token, secret
