"""The ES256 keys that sign access tokens: stored in the database, rotated, published as JWKS.

Keys live in the ``signing_key`` table (the private half encrypted with ``RAGEM_DATA_KEY``), so
every worker on every host signs and verifies with the same set. The first time the table is read
empty, the configured key is imported: ``RAGEM_JWT_PRIVATE_KEY`` (PEM text or a path) in
production, a key generated once under ``instance/`` in development.

``rotate()`` (``ragem keys rotate``) adds a new key that signs from then on; the previous one is
*retired*: it signs nothing new but stays published and accepted until every token it signed has
expired (retired_at + access-token lifetime + ``RETIREMENT_MARGIN``).

Each worker keeps a copy of the key set for ``CACHE_SECONDS``, like the service switches
(``ragem/catalog/state.py``): a rotation reaches every worker within seconds without a restart.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ragem import pii
from ragem.auth.models import SigningKey
from ragem.config import ConfigError
from ragem.extensions import db
from ragem.private_paths import private_folder
from ragem.timeutil import utcnow

ALGORITHM = "ES256"
# How long a worker trusts its copy of the key set before reading the table again.
CACHE_SECONDS = 5.0
# A token with a kid this worker does not know may be signed by a key rotated in a moment ago:
# re-read the table at once, but at most this often (random kids must not cost a query each).
UNKNOWN_KID_RELOAD_SECONDS = 1.0
# Beyond the access-token lifetime, how long a retired key stays published and accepted: other
# workers may sign with it for up to CACHE_SECONDS after a rotation, and clocks differ a little.
RETIREMENT_MARGIN = timedelta(minutes=2)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# -- PEM and JWK helpers ---------------------------------------------------------------------------


def load_private_pem(settings: dict) -> bytes:
    """The configured signing key's PEM (``JWT_PRIVATE_KEY``), or the development instance key."""
    configured = settings.get("JWT_PRIVATE_KEY")
    if configured:
        text = configured.strip()
        if not text.startswith("-----BEGIN") and Path(text).is_file():
            text = Path(text).read_text()
        pem = text.replace("\\n", "\n").encode()
    else:
        pem = _instance_key(Path(settings["INSTANCE_PATH"]) / "jwt_es256.pem")
    _parse_private(pem, "RAGEM_JWT_PRIVATE_KEY")
    return pem


def check_configured(settings: dict) -> None:
    """Fail at start-up (``ConfigError``) when ``RAGEM_JWT_PRIVATE_KEY`` is set but unusable."""
    if settings.get("JWT_PRIVATE_KEY"):
        load_private_pem(settings)


def _parse_private(pem: bytes, source: str) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{source}: not a usable PEM private key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ConfigError(f"{source}: must be an EC P-256 key (ES256)")
    return key


def _instance_key(path: Path) -> bytes:
    """Create (once, atomically) and read the development signing key."""
    if not path.is_file():
        private_folder(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(generate_private_pem())
        except FileExistsError:
            pass
    return path.read_bytes()


def generate_private_pem() -> bytes:
    """A new EC P-256 private key as unencrypted PKCS#8 PEM."""
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(private_pem: bytes) -> bytes:
    """The public half of a private key, as PEM."""
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_jwk(private_pem: bytes) -> dict:
    """The public key as a JWK with its RFC 7638 thumbprint as ``kid``."""
    numbers = serialization.load_pem_private_key(private_pem, password=None).public_key().public_numbers()
    jwk = {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64(numbers.x.to_bytes(32, "big")),
        "y": _b64(numbers.y.to_bytes(32, "big")),
    }
    thumbprint = hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    return {**jwk, "kid": _b64(thumbprint), "use": "sig", "alg": ALGORITHM}


def _public_key(jwk: dict) -> ec.EllipticCurvePublicKey:
    def number(value: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")

    return ec.EllipticCurvePublicNumbers(number(jwk["x"]), number(jwk["y"]), ec.SECP256R1()).public_key()


# -- the key set -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySet:
    """What one worker signs and verifies with, as last read from ``signing_key``."""

    signing_kid: str
    signing_key: ec.EllipticCurvePrivateKey
    verifying: dict[str, ec.EllipticCurvePublicKey]
    jwks: list[dict] = field(default_factory=list)


def access_lifetime() -> timedelta:
    """The access-token lifetime of this app (``RAGEM_ACCESS_TOKEN_MINUTES``)."""
    return timedelta(minutes=current_app.config["RAGEM"]["ACCESS_TOKEN_MINUTES"])


def published_until(row: SigningKey) -> datetime | None:
    """When a retired key stops being published and accepted (``None`` while it signs)."""
    if row.retired_at is None:
        return None
    return row.retired_at + access_lifetime() + RETIREMENT_MARGIN


class KeyCache:
    """A time-bounded, thread-safe copy of the ``signing_key`` table for one app."""

    def __init__(self, ttl: float = CACHE_SECONDS):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._read_at = float("-inf")
        # Parsed keys by kid: the table changes rarely, so decrypting and parsing once is enough.
        self._private: dict[str, ec.EllipticCurvePrivateKey] = {}
        self._public: dict[str, ec.EllipticCurvePublicKey] = {}

    def get(self) -> KeySet:
        """The key set, re-read from the database when older than the TTL."""
        if self._keys is not None and time.monotonic() - self._read_at < self.ttl:
            return self._keys
        return self._reload(max_age=self.ttl)

    def for_unknown_kid(self) -> KeySet:
        """The key set re-read now (at most once a second): a kid we do not know may be brand new."""
        return self._reload(max_age=UNKNOWN_KID_RELOAD_SECONDS)

    def invalidate(self) -> None:
        """Forget the copy so the next read sees the database."""
        self._read_at = float("-inf")

    def _reload(self, max_age: float) -> KeySet:
        with self._lock:
            if self._keys is None or time.monotonic() - self._read_at >= max_age:
                self._keys = self._read()
                self._read_at = time.monotonic()
            return self._keys

    def _read(self) -> KeySet:
        rows = list(db.session.scalars(select(SigningKey).order_by(SigningKey.created_at)))
        if not rows:
            import_configured_key()
            rows = list(db.session.scalars(select(SigningKey).order_by(SigningKey.created_at)))
        now = utcnow()
        active = [row for row in rows if row.retired_at is None]
        if not active:
            raise RuntimeError("no active signing key in signing_key: run `ragem keys rotate`")
        signer = active[-1]  # the newest, should two rotations ever have raced
        if signer.kid not in self._private:
            try:
                pem = pii.decrypt(signer.private_pem_ciphertext).encode()
            except ValueError:
                raise RuntimeError(
                    f"signing key {signer.kid} cannot be decrypted: RAGEM_DATA_KEY differs from the one that stored it"
                ) from None
            self._private[signer.kid] = _parse_private(pem, f"signing key {signer.kid}")
        published = [row for row in rows if row.retired_at is None or published_until(row) > now]
        for row in published:
            if row.kid not in self._public:
                self._public[row.kid] = _public_key(row.public_jwk)
        return KeySet(
            signing_kid=signer.kid,
            signing_key=self._private[signer.kid],
            verifying={row.kid: self._public[row.kid] for row in published},
            # Newest first: a client that tries keys in order finds the signing key at once.
            jwks=[dict(row.public_jwk) for row in reversed(published)],
        )


def cache() -> KeyCache:
    """This app's key cache."""
    return current_app.extensions["ragem.keys"]


def current() -> KeySet:
    """The key set this worker signs and verifies with now."""
    return cache().get()


def verifying_key(kid: Any) -> ec.EllipticCurvePublicKey | None:
    """The public key for ``kid`` (active or retired within its window), or ``None``."""
    if not isinstance(kid, str) or not kid:
        return None
    keys = current()
    if kid in keys.verifying:
        return keys.verifying[kid]
    return cache().for_unknown_kid().verifying.get(kid)


# -- changing the table ------------------------------------------------------------------------------


def _insert_ignoring_duplicates(values: dict) -> None:
    """Insert a ``signing_key`` row unless its kid is there already (workers starting together)."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    db.session.execute(module.insert(SigningKey).values(**values).on_conflict_do_nothing(index_elements=["kid"]))


def _row_values(private_pem: bytes, now: datetime) -> dict:
    jwk = public_jwk(private_pem)
    return {
        "kid": jwk["kid"],
        "private_pem_ciphertext": pii.encrypt(private_pem.decode()),
        "public_jwk": jwk,
        "created_at": now,
        "retired_at": None,
    }


def import_configured_key() -> str:
    """Store the configured (or development) key when the table is empty; returns its kid.

    Runs inside the caller's transaction: when it rolls back, the next read imports again, and
    the same PEM always yields the same kid, so tokens signed meanwhile stay verifiable.
    """
    pem = load_private_pem(current_app.config["RAGEM"])
    values = _row_values(pem, utcnow())
    _insert_ignoring_duplicates(values)
    return values["kid"]


def rotate() -> SigningKey:
    """Add a new ES256 key that signs from now on and retire the current one(s); caller commits.

    Keys whose publication window has passed are deleted: their private halves are no use.
    """
    if db.session.scalar(select(SigningKey.kid).limit(1)) is None:
        import_configured_key()  # so the key that signed until now is retired and stays published
    now = utcnow()
    db.session.execute(update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now))
    expired_before = now - access_lifetime() - RETIREMENT_MARGIN
    db.session.execute(delete(SigningKey).where(SigningKey.retired_at < expired_before))
    values = _row_values(generate_private_pem(), now)
    db.session.add(SigningKey(**values))
    db.session.flush()
    if "ragem.keys" in current_app.extensions:
        cache().invalidate()
    return db.session.get(SigningKey, values["kid"])


def list_keys() -> list[dict]:
    """Every stored key, newest first: kid, status (signing/retired), created, retired, published until."""
    rows = db.session.scalars(select(SigningKey).order_by(SigningKey.created_at.desc()))
    now = utcnow()
    listed = []
    for row in rows:
        until = published_until(row)
        status = "signing" if row.retired_at is None else ("retired" if until > now else "expired")
        listed.append({
            "kid": row.kid, "status": status, "created_at": row.created_at,
            "retired_at": row.retired_at, "published_until": until,
        })
    return listed
