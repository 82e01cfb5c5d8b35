"""Access tokens: ES256 with a kid, verifiable offline from the JWKS, forgeries refused, keys rotate."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from sqlalchemy import select, update

from ragem.app import create_app
from ragem.auth import keys
from ragem.auth.models import AuthSession, SigningKey
from ragem.extensions import db
from ragem.testing import bearer, create_account
from ragem.timeutil import utcnow

PROTECTED = "/api/v1/auth/sessions"
JWKS = "/.well-known/jwks.json"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64json(value: dict) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def token_of(headers: dict) -> str:
    return headers["Authorization"].split(" ", 1)[1]


def parts(token: str) -> tuple[dict, dict]:
    """Header and claims of a token, unverified."""
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def es256_by_hand(header: dict, claims: dict, key: ec.EllipticCurvePrivateKey) -> str:
    """An ES256 token built without PyJWT's header checks (any header value goes)."""
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def signed_with_real_key(app, header: dict, claims: dict) -> str:
    """A token signed with the app's current signing key (as only RAGEM could)."""
    with app.app_context():
        current = keys.current()
        return jwt.encode(claims, current.signing_key, algorithm="ES256", headers={"kid": current.signing_kid, **header})


def refused(client, token: str):
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.json
    assert response.json["error"]["code"] == "invalid_token"
    return response


def use_app_for_cli(monkeypatch, app):
    """Point ``ragem ...`` commands at ``app`` (every command module imported first)."""
    from ragem.cli import main

    main.list_commands(None)
    monkeypatch.setattr("ragem.cli.build_app", lambda read_only=False: app)


@pytest.fixture
def citizen(app, login_as):
    return login_as("citizen")


@pytest.fixture
def other_worker(app, ragem_settings):
    """A second app on the same database: another worker or host (it does not wipe the tables)."""
    second = create_app(ragem_settings)
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


# -- what a token is ------------------------------------------------------------------------------


def test_log_in_token_is_es256_with_a_kid_and_carries_no_personal_data(app, client):
    user_id, phone, password = create_account(app)
    answer = client.post("/api/v1/auth/login", json={"identifier": phone, "password": password})
    assert answer.status_code == 200
    header, claims = parts(answer.json["access_token"])
    assert header["alg"] == "ES256" and header["kid"]
    assert claims["sub"] == user_id and claims["roles"] == ["citizen"] and claims["opd"] is None
    assert claims["iss"] == "ragem" and claims["sid"] and claims["jti"]
    assert claims["exp"] - claims["iat"] == 15 * 60 == answer.json["expires_in"]
    assert phone not in json.dumps(claims) and phone[3:] not in json.dumps(claims)
    assert not {"name", "phone", "email", "nik", "birth_date"} & set(claims)


def test_the_jwks_alone_verifies_a_real_token_offline(client, citizen):
    token = token_of(citizen)
    published = client.get(JWKS)
    assert published.status_code == 200 and "max-age" in published.headers["Cache-Control"]
    key_set = jwt.PyJWKSet.from_dict(published.json)
    kid = jwt.get_unverified_header(token)["kid"]
    verifying = next(k for k in key_set.keys if k.key_id == kid)
    claims = jwt.decode(token, verifying.key, algorithms=["ES256"], issuer="ragem", audience="ragem-api",
                        options={"require": ["exp", "iat", "aud", "sub", "sid"]})
    assert claims["sub"] == citizen["X-Test-User-Id"]
    # Only public halves are published.
    assert all(set(jwk) == {"kty", "crv", "x", "y", "kid", "use", "alg"} for jwk in published.json["keys"])


def test_the_configured_key_is_imported_and_stored_encrypted(make_app):
    pem = keys.generate_private_pem()
    app = make_app(JWT_PRIVATE_KEY=pem.decode())
    user_id, _phone, _password = create_account(app)
    token = token_of(bearer(app, user_id))
    assert jwt.get_unverified_header(token)["kid"] == keys.public_jwk(pem)["kid"]
    with app.app_context():
        row = db.session.scalar(select(SigningKey))
        assert row.kid == keys.public_jwk(pem)["kid"] and row.retired_at is None
        assert "PRIVATE KEY" not in row.private_pem_ciphertext and pem.decode() not in row.private_pem_ciphertext
    assert app.test_client().get(PROTECTED, headers={"Authorization": f"Bearer {token}"}).status_code == 200


# -- forgeries and dead tokens ------------------------------------------------------------------------


def test_alg_none_is_refused(client, citizen):
    header, claims = parts(token_of(citizen))
    forged = f"{b64json({'alg': 'none', 'typ': 'JWT', 'kid': header['kid']})}.{b64json({**claims, 'roles': ['admin']})}."
    refused(client, forged)
    refused(client, forged + b64url(b"x"))


def test_hs256_keyed_with_the_public_key_is_refused(client, citizen):
    """The classic algorithm confusion: HMAC with the published key as the secret."""
    header, claims = parts(token_of(citizen))
    jwk = next(k for k in client.get(JWKS).json["keys"] if k["kid"] == header["kid"])
    public_pem = jwt.PyJWK(jwk).key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (public_pem, json.dumps(jwk).encode()):
        signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': header['kid']})}.{b64json({**claims, 'roles': ['admin']})}"
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        refused(client, f"{signing_input}.{b64url(signature)}")


def test_a_changed_claim_or_a_foreign_signature_is_refused(client, citizen):
    token = token_of(citizen)
    header_part, _payload, signature = token.split(".")
    header, claims = parts(token)
    refused(client, f"{header_part}.{b64json({**claims, 'roles': ['admin']})}.{signature}")
    flipped = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    flipped[5] ^= 0x01
    refused(client, f"{header_part}.{_payload}.{b64url(bytes(flipped))}")
    # A key of our own making, claiming to be RAGEM's key.
    impostor = ec.generate_private_key(ec.SECP256R1())
    refused(client, jwt.encode(claims, impostor, algorithm="ES256", headers={"kid": header["kid"]}))


@pytest.mark.parametrize("kid", ["not-a-ragem-key", None, 42, ""])
def test_an_unknown_or_missing_kid_is_refused(client, citizen, kid):
    _header, claims = parts(token_of(citizen))
    impostor = ec.generate_private_key(ec.SECP256R1())
    header = {"alg": "ES256", "typ": "JWT"} if kid is None else {"alg": "ES256", "typ": "JWT", "kid": kid}
    refused(client, es256_by_hand(header, claims, impostor))


def test_a_token_built_by_hand_with_the_real_key_passes(app, client, citizen):
    """The control for the forgeries: the hand-built format itself is sound."""
    header, claims = parts(token_of(citizen))
    with app.app_context():
        current = keys.current()
        token = es256_by_hand({"alg": "ES256", "typ": "JWT", "kid": current.signing_kid}, claims, current.signing_key)
    assert client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_expired_token_is_refused_with_reason_expired(app, client, citizen):
    _header, claims = parts(token_of(citizen))
    now = int(time.time())
    expired = signed_with_real_key(app, {}, {**claims, "iat": now - 3600, "exp": now - 60})
    assert refused(client, expired).json["error"]["details"]["reason"] == "expired"
    # The same claims with a live expiry pass: the refusal was the expiry, nothing else.
    live = signed_with_real_key(app, {}, {**claims, "iat": now, "exp": now + 300})
    assert client.get(PROTECTED, headers={"Authorization": f"Bearer {live}"}).status_code == 200


def test_a_token_accepted_before_is_refused_once_it_expires(app, client, citizen):
    """Each worker remembers the tokens it verified, but never past their exp."""
    _header, claims = parts(token_of(citizen))
    exp = int(time.time()) + 2
    short = signed_with_real_key(app, {}, {**claims, "iat": exp - 2, "exp": exp})
    assert client.get(PROTECTED, headers={"Authorization": f"Bearer {short}"}).status_code == 200
    time.sleep(max(0.0, exp - time.time()) + 0.1)  # let it expire
    assert refused(client, short).json["error"]["details"]["reason"] == "expired"


def test_a_token_needs_its_own_live_session_and_the_right_issuer(app, client, login_as, citizen):
    _header, claims = parts(token_of(citizen))
    other = login_as("citizen")
    other_sid = parts(token_of(other))[1]["sid"]
    no_sid = {k: v for k, v in claims.items() if k != "sid"}
    for forged in (no_sid, {**claims, "sid": other_sid}, {**claims, "sid": str(uuid.uuid4())}, {**claims, "iss": "not-ragem"}):
        refused(client, signed_with_real_key(app, {}, forged))


def test_a_revoked_session_stops_its_tokens_with_reason_revoked(app, client, citizen):
    sid = parts(token_of(citizen))[1]["sid"]
    assert client.get(PROTECTED, headers=citizen).status_code == 200
    with app.app_context():
        db.session.execute(update(AuthSession).where(AuthSession.id == sid).values(revoked_at=utcnow(), revoked_reason="test"))
        db.session.commit()
    assert refused(client, token_of(citizen)).json["error"]["details"]["reason"] == "revoked"


# -- rotation -------------------------------------------------------------------------------------


def test_rotation_signs_with_a_new_key_and_old_tokens_stay_valid(app, client, citizen, monkeypatch):
    use_app_for_cli(monkeypatch, app)
    from ragem.cli import main

    old_kid = jwt.get_unverified_header(token_of(citizen))["kid"]
    rotated = CliRunner().invoke(main, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    new_kid = rotated.output.split()[3]
    assert new_kid != old_kid

    fresh = bearer(app, citizen["X-Test-User-Id"])
    assert jwt.get_unverified_header(token_of(fresh))["kid"] == new_kid
    assert client.get(PROTECTED, headers=citizen).status_code == 200  # signed by the retired key
    assert client.get(PROTECTED, headers=fresh).status_code == 200
    published = [k["kid"] for k in client.get(JWKS).json["keys"]]
    assert published == [new_kid, old_kid]

    listed = CliRunner().invoke(main, ["keys", "list"])
    assert listed.exit_code == 0
    statuses = {line.split()[0]: line.split()[1] for line in listed.output.splitlines()}
    assert statuses == {new_kid: "signing", old_kid: "retired"}


def test_a_worker_that_has_not_seen_the_rotation_yet_accepts_the_new_key(app, other_worker, citizen, monkeypatch):
    """Two apps on one database stand for two workers (or hosts); only the first rotates."""
    other = other_worker.test_client()
    assert other.get(PROTECTED, headers=citizen).status_code == 200  # it has read the key set now
    with app.app_context():
        new_kid = keys.rotate().kid
        db.session.commit()
    fresh = bearer(app, citizen["X-Test-User-Id"])
    assert jwt.get_unverified_header(token_of(fresh))["kid"] == new_kid
    # An unknown kid makes a worker re-read the keys (at most once a second; no wait here).
    monkeypatch.setattr(keys, "UNKNOWN_KID_RELOAD_SECONDS", 0.0)
    assert other.get(PROTECTED, headers=fresh).status_code == 200
    # Once its copy is renewed, the other worker signs with the new key too.
    other_worker.extensions["ragem.keys"].invalidate()
    with other_worker.app_context():
        assert keys.current().signing_kid == new_kid


def test_a_retired_key_is_dropped_once_its_tokens_have_expired(app, client, citizen):
    old_kid = jwt.get_unverified_header(token_of(citizen))["kid"]
    with app.app_context():
        new_kid = keys.rotate().kid
        # Pretend the rotation happened longer ago than a token lives (+ the margin).
        db.session.execute(update(SigningKey).where(SigningKey.kid == old_kid).values(retired_at=utcnow() - keys.access_lifetime() - keys.RETIREMENT_MARGIN - keys.RETIREMENT_MARGIN))
        db.session.commit()
        keys.cache().invalidate()
    assert [k["kid"] for k in client.get(JWKS).json["keys"]] == [new_kid]
    refused(client, token_of(citizen))
    # The next rotation deletes it for good.
    with app.app_context():
        keys.rotate()
        db.session.commit()
        assert db.session.get(SigningKey, old_kid) is None


# -- the verifier in docs/tokens.md ------------------------------------------------------------------


def test_the_documented_verifier_trusts_real_tokens_across_a_rotation_and_nothing_else(app, client, citizen,
                                                                                       documented_verifier_class):
    fetched = []

    def fetch(url):
        fetched.append(url)
        return client.get(url.removeprefix("https://ragem.example")).json

    verifier = documented_verifier_class("https://ragem.example" + JWKS, fetch=fetch, refetch_interval=0)
    assert verifier.verify(token_of(citizen))["sub"] == citizen["X-Test-User-Id"]
    with app.app_context():
        keys.rotate()
        db.session.commit()
    after_rotation = bearer(app, citizen["X-Test-User-Id"])
    assert verifier.verify(token_of(after_rotation))["sid"]  # unknown kid: it fetched the set again
    assert verifier.verify(token_of(citizen))["sub"] == citizen["X-Test-User-Id"]  # retired key still good
    assert len(fetched) == 2

    header, claims = parts(token_of(citizen))
    impostor = ec.generate_private_key(ec.SECP256R1())
    forgeries = [
        f"{b64json({'alg': 'none', 'kid': header['kid']})}.{b64json(claims)}.",
        es256_by_hand({"alg": "ES256", "kid": header["kid"]}, {**claims, "roles": ["admin"]}, impostor),
        es256_by_hand({"alg": "ES256", "kid": "made-up"}, claims, impostor),
        signed_with_real_key(app, {}, {**claims, "exp": int(time.time()) - 3600}),
        signed_with_real_key(app, {}, {**claims, "iss": "someone-else"}),
    ]
    for forged in forgeries:
        with pytest.raises(jwt.InvalidTokenError):
            verifier.verify(forged)
