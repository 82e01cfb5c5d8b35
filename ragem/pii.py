"""Personal data at rest: AES-GCM encryption and keyed hashes, both derived from RAGEM_DATA_KEY.

Two sub-keys are derived with HKDF so the encryption key and the look-up hash key are never the
same bytes. Ciphertexts carry a version prefix so the key can be rotated later. Which columns
hold what is docs/privacy.md; ``ragem.sealed`` puts these functions behind model attributes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_VERSION = "v1"


@lru_cache(maxsize=8)
def _subkey(data_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ragem-pii", info=purpose).derive(data_key.encode())


def _data_key() -> str:
    return current_app.config["RAGEM"]["DATA_KEY"]


def encrypt(plaintext: str, *, data_key: str | None = None) -> str:
    """Encrypt ``plaintext``; the result is ``v1:<base64(nonce + ciphertext)>``."""
    key = _subkey(data_key or _data_key(), b"encrypt")
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), _VERSION.encode())
    return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, data_key: str | None = None) -> str:
    """Decrypt a value made by ``encrypt``; raises ``ValueError`` if it was tampered with."""
    version, _, body = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    raw = base64.urlsafe_b64decode(body.encode())
    key = _subkey(data_key or _data_key(), b"encrypt")
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], _VERSION.encode()).decode()
    except Exception as exc:  # cryptography raises InvalidTag
        raise ValueError("ciphertext does not authenticate") from exc


def keyed_hash(value: str, *, data_key: str | None = None) -> str:
    """A stable HMAC-SHA256 of ``value`` (hex): equal inputs match, the input cannot be guessed back."""
    key = _subkey(data_key or _data_key(), b"lookup-hash")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def contact_hash(value: str, *, data_key: str | None = None) -> str:
    """The keyed hash that finds a phone number (or another message recipient) without storing it.

    One function for every table that keeps a recipient (accounts, one-time codes, the outbox), so
    that erasing an account can find the rows sent to its number.
    """
    return keyed_hash(f"contact\x1f{value}", data_key=data_key)
