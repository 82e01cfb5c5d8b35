"""Single sign-on with private_key_jwt: an OPD system authenticates with its own signed key.

The system registers its public keys (a JWKS) and signs a client assertion (RFC 7523) for each
token and revocation request; Authlib's client does the signing in the real-client test.
"""
from __future__ import annotations

import secrets
import time

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from sso_helpers import REDIRECT_URI, Browser, RelyingParty, consent_action, live, query_of

from ragem.testing import audit_entries, bearer, create_account

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def app(make_app):
    return make_app(entry_points=False)


@pytest.fixture
def admin(app):
    return bearer(app, create_account(app, "admin")[0])


@pytest.fixture
def citizen(app):
    user_id, phone, password = create_account(app)
    return {"id": user_id, "phone": phone, "password": password, "auth": bearer(app, user_id)}


@pytest.fixture(scope="module")
def ec_key():
    return ECKey.generate_key("P-256", parameters={"kid": "ec-1"})


@pytest.fixture(scope="module")
def rsa_key():
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})


def public(*keys) -> dict:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def register(client, admin, jwks, **overrides):
    body = {"name": "Portal Kesehatan", "opd": "DISKOMINFO", "redirect_uris": [REDIRECT_URI],
            "allowed_scopes": ["openid", "profile"], "token_endpoint_auth_method": "private_key_jwt",
            "jwks": jwks, **overrides}
    return client.post("/api/v1/admin/sso-clients", json=body, headers=admin)


def assertion(client_id, key, *, aud="http://localhost/sso/token", alg="ES256", **claims) -> str:
    """A client assertion as an RP builds one; ``claims`` override the defaults."""
    now = int(time.time())
    payload = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 300,
               "jti": secrets.token_urlsafe(16), **claims}
    return jwt.encode({"alg": alg, "kid": key.kid} if key.kid else {"alg": alg}, payload, key, algorithms=[alg])


def revoke(client, client_id, signed):
    """A revocation request (unknown token: 200 when the client authenticated, RFC 7009)."""
    return client.post("/sso/revoke", data={"token": "nothing-like-this", "client_id": client_id,
                                            "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed})


def test_a_real_client_signs_in_with_its_own_key(app, admin, citizen, ec_key, rsa_key):
    client = app.test_client()
    answer = register(client, admin, public(ec_key, rsa_key))
    assert answer.status_code == 201, answer.get_json()
    registered = answer.get_json()
    # No secret exists for such a system; its public keys are what it is known by.
    assert registered["client_secret"] is None and registered["token_endpoint_auth_method"] == "private_key_jwt"
    assert [k["kid"] for k in registered["jwks"]["keys"]] == ["ec-1", "rsa-1"]
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], ec_key, key_alg="ES256")
        assert "private_key_jwt" in rp.config["token_endpoint_auth_methods_supported"]
        assert rp.config["token_endpoint_auth_signing_alg_values_supported"] == ["ES256", "RS256"]
        browser = Browser(base)
        page = browser.open(rp.authorization_url()[0])
        consent = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
        callback = browser.submit(consent, {"decision": "allow"}, action=consent_action(consent)).headers["Location"]
        assert query_of(callback)["code"]

        token = rp.exchange(callback)
        claims = rp.verify_id_token(token["id_token"], token["access_token"])
        assert claims["sub"] == citizen["id"] and claims["aud"] == registered["client_id"]

        # The RSA key registered beside it works too (a system rotating its keys has both).
        with_rsa = RelyingParty(base, registered["client_id"], rsa_key, key_alg="RS256")
        renewed = with_rsa.session.refresh_token(rp.config["token_endpoint"], refresh_token=token["refresh_token"])
        assert renewed["access_token"] != token["access_token"]
        revoked = with_rsa.session.revoke_token(rp.config["revocation_endpoint"], token=renewed["refresh_token"])
        assert revoked.status_code == 200, revoked.text
        userinfo = requests.get(rp.config["userinfo_endpoint"], timeout=10,
                                headers={"Authorization": f"Bearer {renewed['access_token']}"})
        assert userinfo.status_code == 401

        # A secret is no way in for this system.
        refused = requests.post(rp.config["token_endpoint"], auth=(registered["client_id"], "a-guess"), timeout=10,
                                data={"grant_type": "refresh_token", "refresh_token": renewed["refresh_token"]})
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_assertions_that_are_refused(app, admin, ec_key):
    client = app.test_client()
    client_id = register(client, admin, public(ec_key)).get_json()["client_id"]
    assert revoke(client, client_id, assertion(client_id, ec_key)).status_code == 200

    # The same assertion twice: its jti is spent, so a copy someone captured opens nothing.
    signed = assertion(client_id, ec_key)
    assert revoke(client, client_id, signed).status_code == 200
    # (400, not 401: the client did not authenticate with an Authorization header; RFC 6749 5.2.)
    replayed = revoke(client, client_id, signed)
    assert replayed.status_code == 400 and replayed.get_json()["error"] == "invalid_client"

    stranger = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})  # the same kid, another key
    hmac = OctKey.generate_key(256)
    refusals = {
        "signed by a key not registered": assertion(client_id, stranger),
        "expired": assertion(client_id, ec_key, iat=int(time.time()) - 900, exp=int(time.time()) - 600),
        "for another server": assertion(client_id, ec_key, aud="https://elsewhere.example/token"),
        "living longer than an hour": assertion(client_id, ec_key, exp=int(time.time()) + 7200),
        "without a jti": assertion(client_id, ec_key, jti=None),
        "issued by someone else": assertion(client_id, ec_key, iss="another-client"),
        "HMAC-signed": assertion(client_id, hmac, alg="HS256"),
        "not a JWT at all": "not.a.jwt",
    }
    for reason, signed in refusals.items():
        answer = revoke(client, client_id, signed)
        assert answer.status_code == 400, reason
        assert answer.get_json()["error"] == "invalid_client", reason

    # A secret-based system cannot authenticate with an assertion, however well signed.
    secret_client = register(client, admin, None, token_endpoint_auth_method="client_secret_basic").get_json()
    answer = revoke(client, secret_client["client_id"], assertion(secret_client["client_id"], ec_key))
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_client"


def test_admins_register_and_replace_the_keys(app, admin, ec_key, rsa_key):
    client = app.test_client()
    private = {"keys": [ec_key.as_dict(private=True)]}
    bad_bodies = {
        "no keys": None,
        "an empty set": {"keys": []},
        "a private key": private,
        "a symmetric key": {"keys": [OctKey.generate_key(256).as_dict()]},
        "a short RSA key": {"keys": [{"kty": "RSA", "kid": "weak", "e": "AQAB", "n": "A" * 171}]},  # 1024 bits
        "not a key set": {"kty": "EC"},
        "a broken EC key": {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]},
    }
    for reason, jwks in bad_bodies.items():
        answer = register(client, admin, jwks)
        assert answer.status_code == 422, reason
        assert "jwks" in answer.get_json()["error"]["details"], reason
    answer = register(client, admin, public(ec_key), token_endpoint_auth_method="client_secret_basic")
    assert answer.status_code == 422 and "jwks" in answer.get_json()["error"]["details"]

    client_id = register(client, admin, public(ec_key)).get_json()["client_id"]
    # No secret to issue for a system with keys.
    assert client.post(f"/api/v1/admin/sso-clients/{client_id}/secret", headers=admin).status_code == 422
    # Replacing the keys: the old key stops working at once, the new one works.
    changed = client.patch(f"/api/v1/admin/sso-clients/{client_id}", json={"jwks": public(rsa_key)}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["jwks"]["keys"][0]["kid"] == "rsa-1"
    assert revoke(client, client_id, assertion(client_id, ec_key)).status_code == 400
    assert revoke(client, client_id, assertion(client_id, rsa_key, alg="RS256")).status_code == 200
    assert client.patch(f"/api/v1/admin/sso-clients/{client_id}", json={"jwks": private},
                        headers=admin).status_code == 422
    with app.app_context():
        entries = audit_entries(target_id=client_id)
        assert [e.action for e in entries] == ["sso_client.create", "sso_client.update"]
        assert entries[-1].after["jwks"]["keys"][0]["kid"] == "rsa-1"


def test_spent_assertions_are_forgotten_once_expired(app, admin, ec_key):
    from datetime import timedelta

    from ragem.extensions import db
    from ragem.sso.models import SsoClientAssertion
    from ragem.sso.purge import purge_dead
    from ragem.timeutil import utcnow

    client = app.test_client()
    client_id = register(client, admin, public(ec_key)).get_json()["client_id"]
    assert revoke(client, client_id, assertion(client_id, ec_key)).status_code == 200
    with app.app_context():
        assert db.session.query(SsoClientAssertion).count() == 1
        purge_dead(now=utcnow())  # not expired yet: kept, so a copy is still refused
        assert db.session.query(SsoClientAssertion).count() == 1
        purge_dead(now=utcnow() + timedelta(minutes=10))
        assert db.session.query(SsoClientAssertion).count() == 0
