"""The asymmetric key that signs access tokens (ES256), and its public JWK.

Production reads the PEM from ``RAGEM_JWT_PRIVATE_KEY`` (the PEM text or a path to it).
Development generates one under ``instance/`` on first start so every worker shares it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ragem.config import ConfigError

ALGORITHM = "ES256"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def load_private_pem(settings: dict) -> bytes:
    """The signing key's PEM, from settings or the development instance folder."""
    configured = settings.get("JWT_PRIVATE_KEY")
    if configured:
        text = configured.strip()
        if not text.startswith("-----BEGIN") and Path(text).is_file():
            text = Path(text).read_text()
        pem = text.replace("\\n", "\n").encode()
    else:
        pem = _instance_key(Path(settings["INSTANCE_PATH"]) / "jwt_es256.pem")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"RAGEM_JWT_PRIVATE_KEY: not a usable PEM private key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ConfigError("RAGEM_JWT_PRIVATE_KEY: must be an EC P-256 key (ES256)")
    return pem


def _instance_key(path: Path) -> bytes:
    """Create (once, atomically) and read the development signing key."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
        except FileExistsError:
            pass
    return path.read_bytes()


def public_pem(private_pem: bytes) -> bytes:
    """The public half of the signing key, as PEM."""
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
