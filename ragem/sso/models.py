"""The single sign-on tables: OPD systems (clients), codes, tokens and the citizen's consents."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.timeutil import utcnow


class SsoClient(db.Model):
    """An OPD's own web system that signs citizens in with RAGEM (an OpenID Connect client)."""

    __tablename__ = "sso_client"

    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    opd_code: Mapped[str] = mapped_column(ForeignKey("opd.code"), nullable=False)
    # Exact strings: a redirect URI is matched whole, never by prefix or pattern.
    redirect_uris: Mapped[list] = mapped_column(JSON, nullable=False)
    post_logout_redirect_uris: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # "client_secret_basic" (a server-side system with a secret), "private_key_jwt" (a server-side
    # system signing a client assertion with its own key) or "none" (a public client: PKCE alone).
    auth_method: Mapped[str] = mapped_column(String(32), nullable=False)
    # argon2id of the secret, like passwords: the secret itself is shown once, at registration.
    secret_hash: Mapped[str | None] = mapped_column(String(255))
    # private_key_jwt: the system's public keys (a JWKS), kept inline so RAGEM never fetches a URL.
    jwks: Mapped[dict | None] = mapped_column(JSON)
    allowed_scopes: Mapped[list] = mapped_column(JSON, nullable=False)
    # Only a client an admin marked as entitled may ask for the NIK.
    nik_entitled: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class SsoAuthorizationCode(db.Model):
    """A one-use code handed to a client's redirect URI; kept as a SHA-256 hash, lives minutes."""

    __tablename__ = "sso_authorization_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("sso_client.client_id", ondelete="CASCADE"), index=True, nullable=False)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    redirect_uri: Mapped[str] = mapped_column(Text, nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str] = mapped_column(String(128), nullable=False)
    code_challenge_method: Mapped[str] = mapped_column(String(10), nullable=False)
    auth_time: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # The citizen's RAGEM log-in session the code was given in (RP-initiated logout ends it).
    session_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # A code presented twice ends every token issued from it (RFC 6749 section 4.1.2).
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    grant_id: Mapped[str | None] = mapped_column(String(36))


class SsoToken(db.Model):
    """An access token and its refresh token given to a client; both kept as SHA-256 hashes.

    Every token issued from one code shares a ``grant_id``: a refresh token presented after it
    was rotated (a copy) revokes the whole grant.
    """

    __tablename__ = "sso_token"
    __table_args__ = (Index("ix_sso_token_user_client", "user_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[str] = mapped_column(String(36), index=True, nullable=False)
    client_id: Mapped[str] = mapped_column(ForeignKey("sso_client.client_id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    access_expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    auth_time: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Set when this token's refresh token was exchanged for the next one.
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class SsoConsent(db.Model):
    """The scopes a citizen agreed to give one client: asked again only for more."""

    __tablename__ = "sso_consent"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    client_id: Mapped[str] = mapped_column(ForeignKey("sso_client.client_id", ondelete="CASCADE"), nullable=False)
    scopes: Mapped[list] = mapped_column(JSON, nullable=False)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class SsoClientAssertion(db.Model):
    """A private_key_jwt client assertion already used (its ``jti``), kept until it expires.

    Keyed by a SHA-256 of client and ``jti``: a second insert of the same one fails, which is how
    an assertion replayed (even by two workers at once) is refused.
    """

    __tablename__ = "sso_client_assertion"

    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("sso_client.client_id", ondelete="CASCADE"), index=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True, nullable=False)
