"""API keys an admin issues to third-party Open311 clients: shown once, stored only as a hash.

A key is 256 random bits, so a plain SHA-256 is a safe hash (no password stretching needed) and
lets a request find its key with one indexed look-up. The first characters (``prefix``) stay
readable so admins can tell keys apart in lists and logs.
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import ApiKey

KEY_PREFIX = "rbg_"
PREFIX_LENGTH = 12


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(name: str, actor: toolkit.Account | None = None) -> tuple[ApiKey, str]:
    """Issue a key named ``name``; returns ``(row, key)``. The key is never stored and never shown again."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise toolkit.ValidationError(
            message={"id": "Nama kunci API wajib diisi (paling banyak 120 karakter).",
                     "en": "The API key needs a name (at most 120 characters)."},
            details={"name": "1-120 characters"},
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:PREFIX_LENGTH], key_hash=_hash(key),
                 created_by=getattr(actor, "id", None), created_at=toolkit.utcnow())
    session = toolkit.db.session
    session.add(row)
    session.flush()
    toolkit.audit("rabeg.api_key.create", "rabeg_api_key", str(row.id), after={"name": name, "prefix": row.prefix},
                  actor=actor)
    session.commit()
    return row, key


def list_keys() -> list[ApiKey]:
    """Every key ever issued, newest first (revoked ones included, marked)."""
    return list(toolkit.db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())))


def revoke_key(key_id: int, actor: toolkit.Account | None = None) -> ApiKey:
    """Revoke key ``key_id`` (audited); revoking a revoked key changes nothing. 404 when unknown."""
    session = toolkit.db.session
    row = session.get(ApiKey, key_id) if 0 < key_id < 2**31 else None
    if row is None:
        raise toolkit.NotFound(
            message={"id": "Kunci API tidak ditemukan.", "en": "API key not found."}, details={"key_id": key_id},
        )
    if row.revoked_at is None:
        row.revoked_at = toolkit.utcnow()
        toolkit.audit("rabeg.api_key.revoke", "rabeg_api_key", str(row.id), before={"revoked": False},
                      after={"revoked": True, "name": row.name, "prefix": row.prefix}, actor=actor)
        session.commit()
    return row


def authenticate(key: str | None) -> ApiKey | None:
    """The live key matching ``key`` (its last use noted), or ``None`` for a missing, unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    row = toolkit.db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(key)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = toolkit.utcnow()  # committed with the request it authorised
    return row
