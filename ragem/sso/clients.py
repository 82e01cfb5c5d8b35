"""OPD systems registered as single sign-on clients: the rules admins change them by (audited)."""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from ragem.audit.service import record as audit
from ragem.auth.passwords import hash_password, verify_password
from ragem.errors import NotFound, ValidationError
from ragem.extensions import db
from ragem.opds.service import describe, get_opd
from ragem.sso import client_keys, rp_tokens
from ragem.sso.models import SsoAuthorizationCode, SsoClient, SsoClientAssertion, SsoConsent, SsoToken

SCOPES = ("openid", "profile", "phone", "address", "nik")
AUTH_METHODS = ("client_secret_basic", "private_key_jwt", "none")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _uri_problem(uri: str) -> str | None:
    """Why ``uri`` may not be a redirect URI (``None`` when it may): https, or http to this machine."""
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return "a redirect URI has no fragment"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None  # a developer's own machine; never reachable by anyone else
    return "a redirect URI is https (http only to localhost)"


def _check(data: dict[str, Any]) -> None:
    """Refuse (422) unknown OPDs, unsafe redirect URIs and scopes the provider does not know."""
    problems: dict[str, Any] = {}
    if "opd" in data and get_opd(data["opd"]) is None:
        problems["opd"] = ["no OPD has this code"]
    for key in ("redirect_uris", "post_logout_redirect_uris"):
        for uri in data.get(key) or ():
            problem = _uri_problem(uri)
            if problem:
                problems.setdefault(key, []).append(f"{uri}: {problem}")
    method = data.get("token_endpoint_auth_method")
    if method == "private_key_jwt":
        problems_found = client_keys.jwks_problems(data.get("jwks"))
        if problems_found:
            problems["jwks"] = problems_found
    elif data.get("jwks") is not None:
        problems["jwks"] = ["keys only for a private_key_jwt client"]
    scopes = data.get("allowed_scopes")
    if scopes is not None:
        if "openid" not in scopes:
            problems["allowed_scopes"] = ["openid is always allowed"]
        if "nik" in scopes and not data.get("nik_entitled"):
            problems["allowed_scopes"] = ["nik only for a client marked nik_entitled"]
    if problems:
        raise ValidationError(details=problems)


def view(client: SsoClient) -> dict[str, Any]:
    """A client as admins see it (never its secret)."""
    opd = get_opd(client.opd_code)
    return {
        "client_id": client.client_id,
        "name": client.name,
        "opd": describe(opd) if opd else {"code": client.opd_code},
        "redirect_uris": list(client.redirect_uris),
        "post_logout_redirect_uris": list(client.post_logout_redirect_uris or []),
        "token_endpoint_auth_method": client.auth_method,
        "jwks": client.jwks,
        "allowed_scopes": list(client.allowed_scopes),
        "nik_entitled": client.nik_entitled,
        "created_at": client.created_at,
        "updated_at": client.updated_at,
    }


def _audit_view(client: SsoClient) -> dict[str, Any]:
    item = view(client)
    item["opd"] = client.opd_code
    item.pop("created_at")
    item.pop("updated_at")
    return item


def register(data: dict[str, Any], *, actor: Any) -> tuple[SsoClient, str | None]:
    """Register an OPD system; returns it with its secret (shown once; ``None`` for a public client
    or one that authenticates with its own key)."""
    scopes = sorted(set(data.get("allowed_scopes") or ["openid", "profile"]) | {"openid"}, key=SCOPES.index)
    data = {**data, "allowed_scopes": scopes}
    _check(data)
    secret = secrets.token_urlsafe(32) if data["token_endpoint_auth_method"] == "client_secret_basic" else None
    client = SsoClient(
        client_id=secrets.token_urlsafe(12),
        name=data["name"],
        opd_code=data["opd"],
        redirect_uris=list(dict.fromkeys(data["redirect_uris"])),
        post_logout_redirect_uris=list(dict.fromkeys(data.get("post_logout_redirect_uris") or [])),
        auth_method=data["token_endpoint_auth_method"],
        secret_hash=hash_password(secret) if secret else None,
        jwks=client_keys.public_jwks(data["jwks"]) if data.get("jwks") else None,
        allowed_scopes=scopes,
        nik_entitled=bool(data.get("nik_entitled")),
    )
    db.session.add(client)
    db.session.flush()
    audit("sso_client.create", "sso_client", client.client_id, after=_audit_view(client), actor=actor)
    return client, secret


def get(client_id: str) -> SsoClient:
    """The client with ``client_id``, or 404."""
    client = db.session.get(SsoClient, client_id) if isinstance(client_id, str) else None
    if client is None:
        raise NotFound("not_found")
    return client


def find(client_id: Any) -> SsoClient | None:
    """The client with ``client_id``, or ``None`` (for the protocol endpoints)."""
    if not isinstance(client_id, str) or not client_id or len(client_id) > 40:
        return None
    return db.session.get(SsoClient, client_id)


def list_all() -> list[SsoClient]:
    """Every registered client, by name."""
    return list(db.session.scalars(select(SsoClient).order_by(SsoClient.name, SsoClient.client_id)))


def update(client_id: str, data: dict[str, Any], *, actor: Any) -> SsoClient:
    """Change a client (name, OPD, URIs, scopes, entitlement, keys); scopes taken away end its tokens."""
    client = get(client_id)
    before = _audit_view(client)
    merged = {"nik_entitled": client.nik_entitled, "allowed_scopes": list(client.allowed_scopes),
              "token_endpoint_auth_method": client.auth_method,
              "jwks": client.jwks, **data}
    if "allowed_scopes" in data:
        merged["allowed_scopes"] = sorted(set(data["allowed_scopes"]) | {"openid"}, key=SCOPES.index)
    elif not merged["nik_entitled"] and "nik" in merged["allowed_scopes"]:
        merged["allowed_scopes"] = [s for s in merged["allowed_scopes"] if s != "nik"]
    _check(merged)
    fields = {"name": "name", "opd": "opd_code", "redirect_uris": "redirect_uris",
              "post_logout_redirect_uris": "post_logout_redirect_uris", "nik_entitled": "nik_entitled"}
    for key, attribute in fields.items():
        if key in data:
            value = data[key]
            setattr(client, attribute, list(dict.fromkeys(value)) if isinstance(value, list) else value)
    if "jwks" in data:
        # A key taken away stops working at once: the next assertion is checked against these.
        client.jwks = client_keys.public_jwks(data["jwks"])
    narrowed = set(client.allowed_scopes) - set(merged["allowed_scopes"])
    client.allowed_scopes = merged["allowed_scopes"]
    if narrowed:
        # A system that may no longer ask for a field must not keep tokens that read it.
        rp_tokens.revoke_where(SsoToken.client_id == client.client_id)
    db.session.flush()
    audit("sso_client.update", "sso_client", client.client_id, before=before, after=_audit_view(client), actor=actor)
    return client


def new_secret(client_id: str, *, actor: Any) -> tuple[SsoClient, str]:
    """Replace a confidential client's secret (the old one stops working at once); shown once."""
    client = get(client_id)
    if client.auth_method != "client_secret_basic":
        raise ValidationError(details={"client_id": [f"a {client.auth_method} client has no secret"]})
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_password(secret)
    audit("sso_client.new_secret", "sso_client", client.client_id, actor=actor)
    return client, secret


def remove(client_id: str, *, actor: Any) -> None:
    """Delete a client with its codes, tokens and consents (every citizen is signed out of it)."""
    client = get(client_id)
    before = _audit_view(client)
    for model in (SsoToken, SsoAuthorizationCode, SsoConsent, SsoClientAssertion):
        db.session.execute(delete(model).where(model.client_id == client.client_id))
    db.session.delete(client)
    audit("sso_client.delete", "sso_client", client_id, before=before, actor=actor)


def secret_matches(client: SsoClient, secret: str | None) -> bool:
    """Whether ``secret`` is the client's (argon2id, constant work)."""
    if not client.secret_hash or not isinstance(secret, str):
        return False
    return verify_password(client.secret_hash, secret)
