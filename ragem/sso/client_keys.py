"""private_key_jwt: an OPD system's public keys, and the client assertions signed with them.

A system registers its public keys inline (a JWKS) rather than a ``jwks_uri``: RAGEM then makes
no outbound request while authenticating a client (nothing for an attacker to point at, no wait
on another server), and a key change is an admin's audited act. A system rotates by having both
keys registered for a while.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from authlib.oauth2.rfc6749 import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.exc import IntegrityError

from ragem.extensions import db
from ragem.sso.models import SsoClientAssertion
from ragem.timeutil import utcnow

ALGORITHMS = ["ES256", "RS256"]
MAX_KEYS = 4
MIN_RSA_BITS = 2048
# Authlib's and most libraries' assertions live an hour; one living longer is refused, so the
# used-jti table stays small.
MAX_LIFETIME = timedelta(hours=1)
LEEWAY_SECONDS = 60
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def _key_problem(key: Any) -> str | None:
    """Why one JWK may not be registered (``None`` when it may)."""
    if not isinstance(key, dict):
        return "a key is a JSON object"
    if any(member in key for member in PRIVATE_MEMBERS):
        return "only public keys: this key has private members"
    if key.get("use") not in (None, "sig"):
        return "a key's use is sig"
    if key.get("kty") == "EC":
        if key.get("crv") != "P-256":
            return "an EC key is on P-256 (ES256)"
    elif key.get("kty") == "RSA":
        modulus = key.get("n")
        if not isinstance(modulus, str) or len(modulus) * 6 < MIN_RSA_BITS - 6:
            return f"an RSA key has at least {MIN_RSA_BITS} bits"
    else:
        return "a key is EC (P-256) or RSA"
    return None


def jwks_problems(jwks: Any) -> list[str]:
    """Why ``jwks`` may not be a client's keys: ``{"keys": [...]}``, 1 to 4 public ES256/RS256 keys."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        return ['a JWKS is {"keys": [...]}']
    if not 1 <= len(jwks["keys"]) <= MAX_KEYS:
        return [f"1 to {MAX_KEYS} keys"]
    problems = [problem for problem in map(_key_problem, jwks["keys"]) if problem]
    if problems:
        return problems
    try:
        KeySet.import_key_set({"keys": jwks["keys"]})
    except (JoseError, ValueError, TypeError, KeyError) as failure:
        return [f"a key could not be read: {type(failure).__name__}"]
    return []


def public_jwks(jwks: dict) -> dict:
    """The keys as stored: only the members a public key has (no stray fields kept)."""
    kept = ("kty", "crv", "x", "y", "n", "e", "kid", "use", "alg")
    return {"keys": [{name: key[name] for name in kept if name in key} for key in jwks["keys"]]}


def _jti_hash(client_id: str, jti: str) -> str:
    return hashlib.sha256(f"{client_id}\x00{jti}".encode()).hexdigest()


def remember_jti(client_id: str, jti: Any, expires: Any) -> bool:
    """Record an assertion's ``jti`` as used; ``False`` when it was used before (a replay).

    Committed at once: an assertion is spent even if the request it came with then fails.
    """
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        return False
    expires_at = datetime.fromtimestamp(int(expires), tz=timezone.utc).replace(tzinfo=None)
    db.session.add(SsoClientAssertion(jti_hash=_jti_hash(client_id, jti), client_id=client_id, expires_at=expires_at))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _candidates(assertion: str, key_set: KeySet) -> list:
    """The registered keys that may have signed ``assertion``: the one its ``kid`` names, else
    (many libraries send no ``kid``) every key of the type its ``alg`` needs."""
    try:
        header = jws.extract_compact(assertion.encode()).headers()
    except (JoseError, ValueError, UnicodeError):
        return []
    kid = header.get("kid")
    if kid is not None:
        return [key for key in key_set.keys if key.kid == kid]
    kty = {"ES256": "EC", "RS256": "RSA"}.get(header.get("alg"))
    return [key for key in key_set.keys if key.key_type == kty]


class PrivateKeyJWT(JWTBearerClientAssertion):
    """RFC 7523 client authentication: an ES256/RS256 assertion signed with a registered key.

    ``iss`` and ``sub`` are the client_id, ``aud`` is RAGEM's issuer or the endpoint it was sent
    to, ``exp`` at most an hour ahead, and ``jti`` used once.
    """

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, audiences):
        super().__init__(validate_jti=True, leeway=LEEWAY_SECONDS)
        self._audiences = audiences

    def get_audiences(self):
        return self._audiences()

    def resolve_client_public_key(self, client):
        jwks = getattr(client, "row", None) and client.row.jwks
        if not jwks:
            raise InvalidClientError(description="The client has no registered keys.")
        return KeySet.import_key_set(jwks)

    def process_assertion_claims(self, assertion, resolve_key):
        token = None
        for key in _candidates(assertion, resolve_key):
            try:
                # Only the algorithms named here: never "none", never HMAC with a public key.
                token = jwt.decode(assertion, key, algorithms=ALGORITHMS)
                break
            except (JoseError, ValueError):
                continue
        if token is None:
            raise InvalidClientError(description="The client assertion's signature is not valid.")
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims):
        expires = claims.get("exp")
        if not isinstance(expires, int) or isinstance(expires, bool):
            raise InvalidClientError(description="Missing or malformed claim: 'exp'")
        latest = utcnow().replace(tzinfo=timezone.utc) + MAX_LIFETIME + timedelta(seconds=LEEWAY_SECONDS)
        if expires > latest.timestamp():
            raise InvalidClientError(description="The client assertion lives longer than an hour.")
        super().verify_claims(claims)

    def validate_jti(self, claims, jti):
        return remember_jti(claims["sub"], jti, claims["exp"])
