"""Authlib's OpenID Connect provider bound to RAGEM: clients, codes, tokens, keys, accounts.

Only the authorization code flow with PKCE (S256, required for every client) and the refresh
token grant are registered: no implicit, hybrid, password or client-credentials grant exists.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, InvalidGrantError, InvalidRequestError, grants
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import current_app
from sqlalchemy import update

from ragem.auth import keys
from ragem.auth.models import User
from ragem.auth.sessions import revoke_session
from ragem.extensions import db
from ragem.sso import browser
from ragem.sso import claims as sso_claims
from ragem.sso import client_keys, clients, rp_tokens
from ragem.sso.models import SsoAuthorizationCode, SsoClient, SsoToken
from ragem.timeutil import utcnow

CODE_LIFETIME = timedelta(minutes=5)
CLIENT_AUTH_METHODS = ["client_secret_basic", "private_key_jwt", "none"]


class Client(ClientMixin):
    """A registered OPD system as Authlib asks about it."""

    def __init__(self, row: SsoClient):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None  # redirect_uri is required, and matched exactly

    def get_allowed_scope(self, scope):
        asked = (scope or "").split()
        if not asked or any(name not in self.row.allowed_scopes for name in asked):
            return None  # invalid_scope: a scope never granted is refused, not silently dropped
        return " ".join(sso_claims.scope_list(asked))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.row.redirect_uris

    def check_client_secret(self, client_secret):
        return clients.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.row.auth_method

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")

    @property
    def client_metadata(self):
        return {"post_logout_redirect_uris": list(self.row.post_logout_redirect_uris or [])}


def query_client(client_id):
    """Authlib's client look-up."""
    row = clients.find(client_id)
    return Client(row) if row is not None else None


class Code:
    """An authorization code row as Authlib and its OIDC extension read it."""

    def __init__(self, row: SsoAuthorizationCode):
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope

    def get_nonce(self):
        return self.row.nonce

    def get_auth_time(self):
        return int(self.row.auth_time.timestamp())

    def get_acr(self):
        return None  # RAGEM has no step-up log-in yet: one password level for every session

    def get_amr(self):
        return ["pwd"]


class RefreshCredential:
    """A refresh token row as Authlib's refresh grant reads it."""

    def __init__(self, row: SsoToken):
        self.row = row

    def check_client(self, client):
        return client.get_client_id() == self.row.client_id

    def get_scope(self):
        return self.row.scope

    def is_expired(self):
        return self.row.refresh_expires_at is None or self.row.refresh_expires_at <= utcnow()

    def is_revoked(self):
        return self.row.revoked_at is not None


def _user(user_id: str) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """The code grant: codes hashed, one use (a replay revokes what the code gave), 5 minutes."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def save_authorization_code(self, code, request):
        signed_in: browser.SignedIn = request.user
        data = request.payload.data
        now = utcnow()
        db.session.add(SsoAuthorizationCode(
            code_hash=rp_tokens.hash_token(code),
            client_id=request.client.get_client_id(),
            user_id=signed_in.user.id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data.get("code_challenge_method") or "S256",
            auth_time=signed_in.auth_time,
            session_id=signed_in.session_id,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        ))
        db.session.commit()

    def query_authorization_code(self, code, client):
        if not isinstance(code, str) or len(code) > 256:
            return None
        row = db.session.get(SsoAuthorizationCode, rp_tokens.hash_token(code))
        if row is None or row.client_id != client.get_client_id():
            return None
        if row.used_at is not None:
            # A code presented twice was intercepted: what it gave is revoked (RFC 6749 4.1.2).
            if row.grant_id:
                rp_tokens.revoke_grant(row.grant_id)
                db.session.commit()
            return None
        if row.expires_at <= utcnow():
            return None
        return Code(row)

    def delete_authorization_code(self, authorization_code):
        # Kept, marked used (by save_token), until it expires: a replay must be recognised to
        # revoke the tokens it gave.
        return None

    def authenticate_user(self, authorization_code):
        return _user(authorization_code.row.user_id)

    def save_token(self, token):
        code: Code = self.request.authorization_code
        grant_id = secrets.token_hex(16)
        # Claimed in one statement: of two exchanges racing with one code, exactly one wins.
        claimed = db.session.execute(
            update(SsoAuthorizationCode)
            .where(SsoAuthorizationCode.code_hash == code.row.code_hash, SsoAuthorizationCode.used_at.is_(None))
            .values(used_at=utcnow(), grant_id=grant_id).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            raise InvalidGrantError("Invalid 'code' in request.")
        rp_tokens.save(token, client_id=code.row.client_id, user_id=code.row.user_id, grant_id=grant_id,
                       auth_time=code.row.auth_time, session_id=code.row.session_id)
        db.session.commit()


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Refresh with rotation: each refresh token works once; a used one revokes its grant."""

    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        row = rp_tokens.by_refresh_token(refresh_token)
        if row is None or row.revoked_at is not None and row.rotated_at is None:
            return None
        if row.rotated_at is not None:
            # Exchanged before: a copy is being replayed (RFC 9700 4.14). End the whole grant.
            if rp_tokens.revoke_grant(row.grant_id):
                current_app.logger.warning("sso refresh token reuse", extra={"client": row.client_id})
            db.session.commit()
            return None
        credential = RefreshCredential(row)
        if credential.is_expired():
            return None
        return credential

    def authenticate_user(self, refresh_token):
        return _user(refresh_token.row.user_id)

    def revoke_old_credential(self, refresh_token):
        # save_token marked it rotated and revoked (its access token ends with it) before the
        # new tokens were stored; both are committed together here.
        db.session.commit()

    def save_token(self, token):
        old = self.request.refresh_token.row
        # Claimed in one statement: of two refreshes racing with one token, exactly one wins.
        now = utcnow()
        claimed = db.session.execute(
            update(SsoToken).where(SsoToken.id == old.id, SsoToken.rotated_at.is_(None), SsoToken.revoked_at.is_(None))
            .values(rotated_at=now, revoked_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            raise InvalidGrantError()
        rp_tokens.save(token, client_id=old.client_id, user_id=old.user_id, grant_id=old.grant_id,
                       auth_time=old.auth_time, session_id=old.session_id)


class RequiredS256(CodeChallenge):
    """PKCE for every client, S256 only (a missing challenge or verifier is refused)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' with 'code_challenge_method=S256'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only 'code_challenge_method=S256' is accepted.")
        return super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'")
        return super().validate_code_verifier(grant, result)


class RagemOpenIDCode(OpenIDCode):
    """ID tokens signed with RAGEM's ES256 keys, aud = the client; every release recorded."""

    def exists_nonce(self, nonce, request):
        return db.session.query(SsoAuthorizationCode.code_hash).filter_by(
            client_id=request.payload.client_id, nonce=nonce).first() is not None

    def generate_user_info(self, user, scope):
        return sso_claims.user_claims(user, scope)

    def encode_id_token(self, token, request):
        code: Code = request.authorization_code
        now = int(utcnow().timestamp())
        claims = {
            "iss": rp_tokens.issuer(),
            "sub": request.user.id,
            "aud": request.client.get_client_id(),
            "azp": request.client.get_client_id(),
            "iat": now,
            "exp": now + rp_tokens.access_seconds(),
            "auth_time": code.get_auth_time(),
            "amr": code.get_amr(),
            "at_hash": create_half_hash(token["access_token"], keys.ALGORITHM).decode(),
        }
        if code.get_nonce():
            claims["nonce"] = code.get_nonce()
        if code.row.session_id:
            claims["sid"] = code.row.session_id
        released = self.generate_user_info(request.user, token["scope"])
        sso_claims.record_release(request.user, request.client.row, released, via="id_token")
        claims.update(released)
        return rp_tokens.sign(claims)


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking either token of a grant ends the grant (both tokens)."""

    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        row = rp_tokens.by_refresh_token(token_string) if token_type_hint != "access_token" else None
        row = row or rp_tokens.by_access_token(token_string)
        return RefreshCredential(row) if row is not None else None

    def revoke_token(self, token, request):
        rp_tokens.revoke_grant(token.row.grant_id)
        db.session.commit()


class EndSession(EndSessionEndpoint):
    """RP-initiated logout: ends the citizen's RAGEM sign-in (``sid`` of the ID token) and the
    tokens given in it; redirects only to a registered post-logout URI."""

    def get_server_jwks(self):
        return {"keys": keys.current().jwks}

    def get_algorithms(self):
        return [keys.ALGORITHM]

    def end_session(self, end_session_request):
        claims = end_session_request.id_token_claims or {}
        session_id = claims.get("sid") or browser.current_session_id()
        if session_id:
            rp_tokens.revoke_where(SsoToken.session_id == session_id)
            revoke_session(session_id, reason="sso_logout")
        browser.forget()
        db.session.commit()


def assertion_audiences() -> list[str]:
    """What a client assertion's ``aud`` may name: the issuer, or the endpoint it is sent to."""
    base = rp_tokens.issuer()
    return [base, f"{base}/sso/token", f"{base}/sso/revoke"]


def generate_token(grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True):
    """Authlib's token generator: our own signed access tokens."""
    return rp_tokens.generate(grant_type, client, user=user, scope=scope, expires_in=expires_in,
                              include_refresh_token=include_refresh_token)


class RagemAuthorizationServer(AuthorizationServer):
    """Authlib's Flask server with RAGEM's token generator (no shared-secret bearer tokens)."""

    def load_config(self, config):
        self.register_token_generator("default", generate_token)
        self.scopes_supported = list(sso_claims.SCOPE_CLAIMS)

    def save_token(self, token, request):
        # Each grant keeps its own tokens (``save_token`` of the grants above).
        return None


def init_app(app) -> None:
    """Build the provider for ``app`` (``app.extensions["ragem.sso"]``)."""
    server = RagemAuthorizationServer()
    server.init_app(app, query_client=query_client)
    server.register_client_auth_method(client_keys.PrivateKeyJWT.CLIENT_AUTH_METHOD,
                                       client_keys.PrivateKeyJWT(assertion_audiences))
    server.register_grant(AuthorizationCodeGrant, [RequiredS256(required=True), RagemOpenIDCode(require_nonce=False)])
    server.register_grant(RefreshTokenGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(EndSession)
    app.extensions["ragem.sso"] = server
    app.extensions.setdefault("ragem.access_service_names", []).append(sso_claims.service_name)


def server() -> RagemAuthorizationServer:
    """This app's provider."""
    return current_app.extensions["ragem.sso"]
