"""What each scope releases about a citizen, and the access-log record of every release.

A release is any ID token or ``userinfo`` answer that carries profile fields: it is written to the
citizen's access log (``ragem.profile.access``) before the answer leaves, under the service name
``sso:<client_id>``, so ``GET /api/v1/me/access-log`` shows which OPD system got which fields when.
"""
from __future__ import annotations

from typing import Any, Iterable

from ragem.auth.models import User
from ragem.extensions import db
from ragem.i18n import translate
from ragem.opds.service import get_opd
from ragem.profile.access import record_access
from ragem.sso.models import SsoClient

#: Scope -> the claims it releases, in the order the consent page names them.
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": (),
    "profile": ("name", "birthdate", "gender", "locale"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
    "nik": ("nik",),
}
#: Each scope as the consent page and the connected-apps list name it.
SCOPE_NAMES: dict[str, dict[str, str]] = {
    "openid": {"id": "Identitas RAGEM Anda (kode pengenal acak, tanpa data pribadi)",
               "en": "Your RAGEM identity (a random identifier, no personal data)"},
    "profile": {"id": "Nama, tanggal lahir dan jenis kelamin", "en": "Name, date of birth and sex"},
    "phone": {"id": "Nomor HP", "en": "Phone number"},
    "address": {"id": "Alamat", "en": "Address"},
    "nik": {"id": "NIK (Nomor Induk Kependudukan)", "en": "NIK (national identity number)"},
}
SERVICE_PREFIX = "sso:"


def scope_list(scope: str | Iterable[str] | None) -> list[str]:
    """The scopes of ``scope`` (a space-separated string or a list), known ones only, in order."""
    asked = set(scope.split() if isinstance(scope, str) else (scope or ()))
    return [name for name in SCOPE_CLAIMS if name in asked]


def user_claims(user: User, scope: str) -> dict[str, Any]:
    """The profile claims ``scope`` releases about ``user`` (``sub`` not included); absent values left out."""
    scopes = scope_list(scope)
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        claims["name"] = user.name
        if user.birth_date:
            claims["birthdate"] = user.birth_date.isoformat()
        if user.sex:
            claims["gender"] = "female" if user.sex == "F" else "male"
        claims["locale"] = user.preferred_language
    if "phone" in scopes:
        claims["phone_number"] = user.phone
        claims["phone_number_verified"] = user.is_verified
    if "address" in scopes and (user.address or user.kelurahan_code):
        address = {"country": "ID"}
        if user.address:
            address["formatted"] = user.address
        if user.kelurahan_code:
            address["region"] = user.kelurahan_code  # the kelurahan's BPS code
        claims["address"] = address
    if "nik" in scopes and user.nik_ciphertext:
        claims["nik"] = user._nik()
    return claims


def client_label(client: SsoClient) -> dict[str, str]:
    """``<system> (<OPD>)`` in both languages, as the access log and the consent page name it."""
    opd = get_opd(client.opd_code)
    return {
        "id": f"{client.name} ({opd.name_id if opd else client.opd_code})",
        "en": f"{client.name} ({opd.name_en if opd else client.opd_code})",
    }


def record_release(user: User, client: SsoClient, claims: dict[str, Any], *, via: str) -> None:
    """Write the access-log entry for ``claims`` given to ``client`` (nothing when none is personal)."""
    released = [name for name in claims if name not in ("sub", "phone_number_verified", "locale")]
    if not released:
        return
    label = client_label(client)
    purpose = {"id": f"Masuk ke {label['id']} dengan akun RAGEM", "en": f"Sign-in to {label['en']} with RAGEM"}
    uses = [(name, purpose) for name in released]
    record_access(user, f"{SERVICE_PREFIX}{client.client_id}", uses, f"{via}: {translate(purpose, 'en')}")


def service_name(slug: str) -> str | None:
    """The name the access log shows for ``sso:<client_id>`` (``None`` for other services)."""
    if not slug.startswith(SERVICE_PREFIX):
        return None
    client = db.session.get(SsoClient, slug[len(SERVICE_PREFIX):])
    return translate(client_label(client)) if client else None
