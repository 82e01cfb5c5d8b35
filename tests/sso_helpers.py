"""A relying party (an OPD's web system) and a browser, for the single sign-on tests.

The RP is Authlib's OAuth 2.0 / OpenID Connect client (``OAuth2Session``); the browser is a
``requests`` session that keeps cookies and posts the pages' forms with their CSRF tokens, as a
citizen's browser would. Both talk HTTP to a live RAGEM server.
"""
from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

from ragem.testing import live_server as live  # noqa: F401  (the SSO tests' live RAGEM)

REDIRECT_URI = "http://127.0.0.1:9/callback"
LOGOUT_URI = "http://127.0.0.1:9/signed-out"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: requests.Response) -> str:
    """The CSRF token a page's form carries."""
    found = _CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


class Browser:
    """A citizen's browser: cookies, redirects inside RAGEM followed, the RP's redirect not."""

    def __init__(self, base: str, lang: str = "id"):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = lang

    def open(self, url: str) -> requests.Response:
        """GET ``url``, following redirects while they stay on RAGEM."""
        response = self.http.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect and response.headers["Location"].startswith(("/", self.base)):
            location = response.headers["Location"]
            response = self.http.get(location if location.startswith("http") else self.base + location,
                                     allow_redirects=False, timeout=10)
        return response

    def submit(self, page: requests.Response, data: dict, action: str | None = None) -> requests.Response:
        """Post the page's form (its CSRF token added) to ``action`` (default: the page's own URL)."""
        target = action or page.url
        if target.startswith("/"):
            target = self.base + target
        response = self.http.post(target, data={**data, "csrf_token": csrf_of(page)}, allow_redirects=False, timeout=10)
        if response.is_redirect and response.headers["Location"].startswith(("/", self.base)):
            return self.open(response.headers["Location"] if response.headers["Location"].startswith("http")
                             else self.base + response.headers["Location"])
        return response


def consent_action(page: requests.Response) -> str:
    """Where the consent page's form posts to."""
    found = re.search(r'<form method="post" action="([^"]+)" id="consent"', page.text)
    assert found, page.text[:500]
    return found.group(1).replace("&amp;", "&")


def query_of(url: str) -> dict[str, str]:
    """The query parameters of ``url``, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class RelyingParty:
    """An OPD system using Authlib's client: discovery, PKCE, code exchange, ID-token checks."""

    def __init__(self, base: str, client_id: str, client_secret, scope: str = "openid profile",
                 *, key_alg: str | None = None):
        """``client_secret`` is a secret, ``None`` (a public client), or with ``key_alg`` the
        system's private key (a joserfc key): it then authenticates with private_key_jwt."""
        self.config = requests.get(f"{base}/.well-known/openid-configuration", timeout=10).json()
        auth_method = "private_key_jwt" if key_alg else "client_secret_basic" if client_secret else "none"
        self.session = OAuth2Session(client_id, client_secret, scope=scope, redirect_uri=REDIRECT_URI,
                                     code_challenge_method="S256", token_endpoint_auth_method=auth_method,
                                     revocation_endpoint_auth_method=auth_method)
        if key_alg:
            # Authlib signs each request's assertion (aud = the endpoint, a new jti, exp in an hour).
            self.session.register_client_auth_method(PrivateKeyJWT(alg=key_alg))
        self.client_id = client_id
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)

    def authorization_url(self, **extra) -> tuple[str, str]:
        """The URL the RP sends the browser to, and its state (a new nonce and verifier each time)."""
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)
        return self.session.create_authorization_url(
            self.config["authorization_endpoint"], nonce=self.nonce, code_verifier=self.verifier, **extra)

    def exchange(self, callback_url: str, **extra) -> dict:
        """The code of ``callback_url`` exchanged for tokens (PKCE verifier included)."""
        return self.session.fetch_token(self.config["token_endpoint"], authorization_response=callback_url,
                                        grant_type="authorization_code",
                                        code_verifier=extra.pop("code_verifier", self.verifier), **extra)

    def verify_id_token(self, id_token: str, access_token: str) -> dict:
        """The ID token checked as an RP must: signature by the JWKS, alg, iss, aud, exp, nonce, at_hash."""
        key = jwt.PyJWKClient(self.config["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(id_token, key.key, algorithms=["ES256"], audience=self.client_id,
                            issuer=self.config["issuer"], options={"require": ["exp", "iat", "sub", "aud", "iss"]})
        assert claims["nonce"] == self.nonce
        from authlib.oidc.core.util import create_half_hash

        assert claims["at_hash"] == create_half_hash(access_token, "ES256").decode()
        return claims
