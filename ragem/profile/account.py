"""The citizen's own account as they see it: ``GET /api/v1/me`` and their data export.

Every change to the account (correcting the profile, a new phone, leaving) is a rule of the
account life cycle, ``ragem.auth.accounts``.
"""
from __future__ import annotations

from typing import Any

from ragem.audit.service import record as audit
from ragem.auth.models import User
from ragem.extensions import db
from ragem.i18n import translate
from ragem.opds.service import get_opd
from ragem.profile.service import export_user
from ragem.regions.service import get_region


def profile(user: User) -> dict[str, Any]:
    """``GET /api/v1/me``: the account as its owner sees it, the NIK masked."""
    return {
        "id": user.id,
        "name": user.name,
        "nik": user.nik_masked,
        "phone": user.phone,
        "email": user.email,
        "birth_date": user.birth_date,
        "sex": user.sex,
        "kelurahan": _kelurahan(user.kelurahan_code),
        "address": user.address,
        "preferred_language": user.preferred_language,
        "preferred_channel": user.preferred_channel,
        "roles": user.roles,
        "opd": _opd(user.opd_code),
        "phone_verified": user.is_verified,
        "email_verified": user.email_verified_at is not None,
        "created_at": user.created_at,
    }


def _kelurahan(code: str | None) -> dict[str, Any] | None:
    """The kelurahan with its kecamatan, named from the region table."""
    kelurahan = get_region(code)
    if kelurahan is None:
        return None
    kecamatan = get_region(kelurahan.parent_code)
    return {
        "code": kelurahan.code,
        "name": kelurahan.name,
        "kecamatan": {"code": kecamatan.code, "name": kecamatan.name} if kecamatan else None,
    }


def _opd(code: str | None) -> dict[str, Any] | None:
    if not code:
        return None
    opd = get_opd(code)
    return {"code": code, "name": translate(opd.names) if opd else None}


def export_own_data(user: User) -> dict[str, Any]:
    """``GET /api/v1/me/export``: everything held on the account, and an audit entry saying so.

    The entry records who exported and when, nothing of what: an export taken with a stolen
    token then shows in the account's audit trail.
    :raises DataRightsFailed: ``export_failed`` naming the service that failed.
    """
    data = export_user(user)
    audit("user.export", "user", user.id, actor=user)
    db.session.commit()
    return data
