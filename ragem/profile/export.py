"""The core's part of a citizen's data export: every row the core itself holds on the account.

``ragem.profile.service.export_user`` puts these sections beside each plugin's own export.
Secrets that protect the account (password hash, refresh-token hashes, one-time-code hashes)
are not the citizen's data and never leave; everything else does, the NIK in full included.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import and_, or_, select

from ragem import pii
from ragem.audit.models import AuditEntry
from ragem.auth.models import AuthSession, OneTimeCode, User
from ragem.extensions import db
from ragem.messaging.models import DeliveryAttempt
from ragem.notifications.models import Notification, OutboxMessage
from ragem.opds.service import get_opd
from ragem.profile.access import export_entries
from ragem.regions.service import get_region
from ragem.sso.models import SsoClient, SsoConsent
from ragem.storage.models import StoredFile

log = logging.getLogger("ragem.profile")


def _clear_nik(user: User) -> str | None:
    """The account's NIK in full; ``None`` (logged, without the value) if it no longer decrypts."""
    if not user.nik_ciphertext:
        return None
    try:
        return pii.decrypt(user.nik_ciphertext)
    except ValueError:
        log.error("stored NIK does not decrypt with the current data key", extra={"user_id": user.id})
        return None


def _region(code: str | None) -> dict[str, Any] | None:
    region = get_region(code)
    if region is None:
        return {"code": code, "name": None} if code else None
    return {"code": region.code, "name": region.name}


def account(user: User) -> dict[str, Any]:
    """The account row, as the citizen may take it away: the NIK decrypted, no password hash."""
    kelurahan = get_region(user.kelurahan_code)
    opd = get_opd(user.opd_code)
    return {
        "id": user.id,
        "name": user.name,
        "nik": _clear_nik(user),
        "phone": user.phone,
        "phone_verified_at": user.phone_verified_at,
        "email": user.email,
        "email_verified_at": user.email_verified_at,
        "birth_date": user.birth_date,
        "sex": user.sex,
        "kelurahan": _region(user.kelurahan_code),
        "kecamatan": _region(kelurahan.parent_code) if kelurahan else None,
        "address": user.address,
        "preferred_language": user.preferred_language,
        "preferred_channel": user.preferred_channel,
        "roles": user.roles,
        "opd_code": user.opd_code,
        "opd_name": opd.name_id if opd else None,
        "is_active": user.is_active,
        "password_changed_at": user.password_changed_at,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def roles(user: User) -> list[dict[str, Any]]:
    """The roles held, with when each was granted."""
    return [{"role": row.role, "granted_at": row.granted_at} for row in sorted(user.role_rows, key=lambda r: r.role)]


def sessions(user: User) -> list[dict[str, Any]]:
    """Every log-in session, revoked ones included; never the refresh-token hash."""
    rows = db.session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.created_at, AuthSession.id)
    )
    return [
        {
            "id": row.id,
            "device": row.device,
            "ip_address": row.ip_address,
            "created_at": row.created_at,
            "last_used_at": row.last_used_at,
            "auth_time": row.auth_time,
            "refresh_expires_at": row.refresh_expires_at,
            "revoked_at": row.revoked_at,
            "revoked_reason": row.revoked_reason,
        }
        for row in rows
    ]


def notifications(user: User) -> list[dict[str, Any]]:
    """The in-app inbox, both languages."""
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at, Notification.id)
    )
    return [
        {
            "id": row.id,
            "service": row.service,
            "kind": row.kind,
            "title": {"id": row.title_id, "en": row.title_en},
            "body": {"id": row.body_id, "en": row.body_en},
            "data": row.data,
            "created_at": row.created_at,
            "read_at": row.read_at,
        }
        for row in rows
    ]


def messages(user: User) -> list[dict[str, Any]]:
    """SMS/WhatsApp/push messages kept in the outbox for the account: who, how, why and when.

    The body is left out: it can hold a one-time code still valid, and an export is allowed
    without a fresh log-in, so a stolen access token must not turn into a password reset.
    """
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return [
        {"channel": row.channel, "recipient": row.recipient, "purpose": row.purpose, "created_at": row.created_at}
        for row in rows
    ]


def one_time_codes(user: User) -> list[dict[str, Any]]:
    """Codes sent for the account (what for, where, when, whether used); never the code."""
    rows = db.session.scalars(
        select(OneTimeCode).where(OneTimeCode.user_id == user.id).order_by(OneTimeCode.created_at, OneTimeCode.id)
    )
    return [
        {
            "purpose": row.purpose,
            "destination": row.destination,
            "attempts": row.attempts,
            "created_at": row.created_at,
            "expires_at": row.expires_at,
            "consumed_at": row.consumed_at,
        }
        for row in rows
    ]


def files(user: User) -> list[dict[str, Any]]:
    """Metadata of the files the account uploaded (the files themselves stay behind their links)."""
    rows = db.session.scalars(
        select(StoredFile).where(StoredFile.owner_id == user.id).order_by(StoredFile.created_at, StoredFile.id)
    )
    return [
        {
            "id": row.id,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
            "purpose": row.purpose,
            "created_at": row.created_at,
        }
        for row in rows
    ]


def audit_entries(user: User) -> list[dict[str, Any]]:
    """Audit entries where the account acted or was acted upon (the contents only for the latter)."""
    rows = db.session.scalars(
        select(AuditEntry)
        .where(or_(
            AuditEntry.actor_id == user.id,
            and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id),
        ))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        {
            "id": row.id,
            "at": row.at,
            "actor_role": row.actor_role,
            "by_self": row.actor_id == user.id,
            "action": row.action,
            "target_type": row.target_type,
            "target_id": row.target_id,
            # What the account itself did to somebody else's record is theirs to know; the
            # contents of that record (a complaint, another account) are not.
            **(_contents(row) if _about(row, user) else {}),
        }
        for row in rows
    ]


def delivery_attempts(user: User) -> list[dict[str, Any]]:
    """Every try at delivering a message to the person: which way, which provider, what became of it."""
    rows = db.session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.user_id == user.id).order_by(DeliveryAttempt.id))
    return [
        {"channel": row.channel, "provider": row.provider, "purpose": row.purpose, "status": row.status,
         "created_at": row.created_at, "delivered_at": row.delivered_at, "read_at": row.read_at,
         "failed_at": row.failed_at}
        for row in rows
    ]


def _about(row: AuditEntry, user: User) -> bool:
    return row.target_type == "user" and row.target_id == user.id


def _contents(row: AuditEntry) -> dict[str, Any]:
    return {"before": row.before, "after": row.after, "reason": row.reason}


def connected_apps(user: User) -> list[dict[str, Any]]:
    """The OPD systems the person let sign them in with RAGEM, and what each may read."""
    rows = db.session.execute(
        select(SsoConsent, SsoClient).join(SsoClient, SsoClient.client_id == SsoConsent.client_id)
        .where(SsoConsent.user_id == user.id).order_by(SsoConsent.granted_at)
    ).all()
    return [{"client_id": client.client_id, "system": client.name, "opd": client.opd_code,
             "scopes": list(consent.scopes), "granted_at": consent.granted_at} for consent, client in rows]


def core_sections(user: User) -> dict[str, Any]:
    """Every section the core contributes to the export, keyed by name."""
    return {
        "account": account(user),
        "roles": roles(user),
        "sessions": sessions(user),
        "notifications": notifications(user),
        "messages": messages(user),
        "delivery_attempts": delivery_attempts(user),
        "one_time_codes": one_time_codes(user),
        "access_log": export_entries(user),
        "connected_apps": connected_apps(user),
        "files": files(user),
        "audit": audit_entries(user),
    }
