"""Access tokens name RAGEM's API as their audience (``aud``); RAGEM, and the verifier that
docs/tokens.md gives OPD systems, refuse a token meant for anyone else or for no one."""
from __future__ import annotations


import jwt
import pytest

from ragem.auth import keys
from ragem.testing import bearer, create_account

ME = "/api/v1/me"
JWKS = "/.well-known/jwks.json"


def token_of(headers: dict) -> str:
    return headers["Authorization"].split(" ", 1)[1]


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def signed_by_ragem(app, claims: dict) -> str:
    """A token signed with the app's own current key: only the audience can give it away."""
    with app.app_context():
        current = keys.current()
        return jwt.encode(claims, current.signing_key, algorithm="ES256", headers={"kid": current.signing_kid})


def test_access_tokens_name_ragems_api_and_ragem_accepts_no_other_audience(app, client, login_as):
    citizen = login_as("citizen")
    claims = claims_of(token_of(citizen))
    assert claims["aud"] == "ragem-api"
    assert client.get(ME, headers=citizen).status_code == 200

    others = {
        "another party": {**claims, "aud": "dinkes-simpus"},
        "a list without RAGEM": {**claims, "aud": ["dinkes-simpus", "disdukcapil"]},
        "no audience": {key: value for key, value in claims.items() if key != "aud"},
    }
    for why, forged in others.items():
        refused = client.get(ME, headers={"Authorization": f"Bearer {signed_by_ragem(app, forged)}"})
        assert refused.status_code == 401, why
        assert refused.json["error"]["code"] == "invalid_token", why
    # The same claims re-signed with RAGEM's audience pass: the audience alone was refused above.
    resigned = signed_by_ragem(app, {**claims, "aud": "ragem-api"})
    assert client.get(ME, headers={"Authorization": f"Bearer {resigned}"}).status_code == 200


def test_the_audience_is_configurable(make_app):
    app = make_app(TOKEN_AUDIENCE="ragem-serang-api")
    user_id, _phone, _password = create_account(app)
    headers = bearer(app, user_id)
    assert claims_of(token_of(headers))["aud"] == "ragem-serang-api"
    assert app.test_client().get(ME, headers=headers).status_code == 200
    default_audience = signed_by_ragem(app, {**claims_of(token_of(headers)), "aud": "ragem-api"})
    assert app.test_client().get(ME, headers={"Authorization": f"Bearer {default_audience}"}).status_code == 401


def test_the_documented_verifier_checks_the_audience_too(app, client, login_as, documented_verifier_class):
    citizen = login_as("citizen")
    fetch = lambda url: client.get(url.removeprefix("https://ragem.example")).json  # noqa: E731
    verifier = documented_verifier_class("https://ragem.example" + JWKS, fetch=fetch)
    claims = verifier.verify(token_of(citizen))
    assert claims["aud"] == "ragem-api"
    for forged in (
        {**claims, "aud": "dinkes-simpus"},
        {key: value for key, value in claims.items() if key != "aud"},
    ):
        with pytest.raises(jwt.InvalidTokenError):
            verifier.verify(signed_by_ragem(app, forged))
