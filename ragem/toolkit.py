"""The one module a plugin imports from the RAGEM core: a stable facade.

Everything a service needs is re-exported here, so the core can reorganise its internals without
breaking an OPD's plugin. If a plugin needs something that is not here, grow this facade.
"""
from __future__ import annotations

import pluggy
from marshmallow import fields as _fields
from flask_smorest import abort  # noqa: F401  (re-export: rarely needed, ApiError is preferred)

from ragem.audit.service import record as audit
from ragem.auth.guards import can, current_user, login_required, permission_required, roles_required
from ragem.blueprint import Blueprint
from ragem.errors import (
    ApiError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationError,
)
from ragem.extensions import db, limiter
from ragem.http_guards import accepts_media_types
from ragem.hooktypes import (
    ErasureReport,
    KpiValue,
    OutboundMessage,
    PeriodicJob,
    Period,
    Permission,
    PluginInfo,
    ProfileFieldUse,
    UserEvent,
)
from ragem.i18n import language, translate
from ragem.pagination import PageArgsSchema, page_schema, paginate
from ragem.schemas import BaseSchema, I18nTextSchema, UtcDateTime
from ragem.timeutil import isoformat_z, utcnow

#: Marks a plugin function as the implementation of a hook in ``ragem.hookspecs``.
hookimpl = pluggy.HookimplMarker("ragem")


def notify(user, **kwargs):
    """Store an in-app notification for ``user`` (and deliver it by push/SMS when asked).

    See ``ragem.notifications.service.notify`` for the arguments.
    """
    from ragem.notifications.service import notify as _notify

    return _notify(user, **kwargs)


def deliver(message: OutboundMessage) -> bool:
    """Send an SMS/WhatsApp/push message through the message-delivery hook."""
    from ragem.notifications.outbox import deliver as _deliver

    return _deliver(message)


def enqueue(func, *args, **kwargs):
    """Run ``func(*args, **kwargs)`` in the background (retried on failure, never dropped)."""
    from ragem.jobs.queue import enqueue as _enqueue

    return _enqueue(func, *args, **kwargs)


def storage():
    """The file storage backend of this app (local disk by default): ``put``/``open``/``delete``/``exists``."""
    from ragem.storage import get_storage

    return get_storage()


def save_upload(data, *, owner_id, purpose, allowed=None, max_bytes=None):
    """Check an upload by its bytes, strip image metadata, store it; returns the ``StoredFile`` row.

    ``data`` is bytes or a werkzeug ``FileStorage`` (``flask_smorest.fields.Upload`` field);
    ``allowed`` defaults to JPEG, PNG, WebP and PDF. The caller commits. Raises ``ApiError``
    ``file_too_large`` (413), ``unsupported_file_type`` (415) or ``invalid_file`` (422).
    See ``ragem.storage.service.save_upload``.
    """
    from ragem.storage.service import DEFAULT_TYPES, save_upload as _save_upload

    return _save_upload(
        data, owner_id=owner_id, purpose=purpose, allowed=DEFAULT_TYPES if allowed is None else allowed,
        max_bytes=max_bytes,
    )


def signed_url(file_id: str, ttl_seconds: int = 300) -> str:
    """A path that opens stored file ``file_id`` without logging in, for ``ttl_seconds``
    (e.g. for an officer viewing a complaint photo)."""
    from ragem.storage.service import signed_url as _signed_url

    return _signed_url(file_id, ttl_seconds)


def delete_file(file_id: str) -> bool:
    """Delete a stored file and its row (in ``ragem_user_erase``, for instance); ``False`` if unknown."""
    from ragem.storage.service import delete_file as _delete_file

    return _delete_file(file_id)


def read_profile(plugin_slug: str, user, fields, purpose: str, officer=None) -> dict:
    """Read ``fields`` of ``user``'s profile for ``purpose`` (and for ``officer``, if an officer
    asked); only fields declared through ``ragem_profile_fields`` (anything else raises
    ``Forbidden``, also a ``PermissionError``). Every read is shown to the citizen in
    ``GET /api/v1/me/access-log``."""
    from ragem.profile.service import read_profile as _read_profile

    return _read_profile(plugin_slug, user, fields, purpose, officer)


def region(code: str):
    """The region (kota, kecamatan or kelurahan) with Kemendagri ``code``, or ``None``.

    It has ``code``, ``bps_code``, ``name``, ``level`` and ``parent_code``; e.g. route a complaint
    by ``region(code).parent_code`` (the kecamatan of a kelurahan).
    """
    from ragem.regions.service import get_region

    return get_region(code)


def regions(level: str | None = None, parent: str | None = None) -> list:
    """Regions of Kota Serang ordered by code, optionally only one ``level`` (``kecamatan``,
    ``kelurahan``) and/or those under ``parent``; each as :func:`region` describes."""
    from ragem.regions.service import list_regions

    return list_regions(parent=parent, level=level)


def opd(code: str):
    """The OPD or agency with ``code`` (``DPUPR``), active or not, or ``None``.

    It has ``code``, ``name_id``, ``name_en``, ``kind`` and ``active``.
    """
    from ragem.opds.service import get_opd

    return get_opd(code)


def account_ids_with_role(role: str, *, opd: str | None = None) -> list[str]:
    """Ids of the active accounts holding ``role`` (``officer``, ``admin``...), only those of OPD ``opd``
    when given; e.g. to tell an OPD's officers through ``notify``."""
    from ragem.auth.roles import account_ids_with_role as _account_ids_with_role

    return _account_ids_with_role(role, opd=opd)


def demo_user(key: str):
    """A demo account created by ``ragem demo load`` (``admin``, ``citizen1``, ``officer-DPUPR``...)."""
    from ragem.demo import demo_user as _demo_user

    return _demo_user(key)


__all__ = [
    "ApiError", "BaseSchema", "Blueprint", "accepts_media_types", "Conflict", "ErasureReport", "Forbidden", "I18nTextSchema",
    "KpiValue", "NotFound", "OutboundMessage", "PageArgsSchema", "Period", "PeriodicJob", "Permission",
    "PluginInfo", "ProfileFieldUse", "ServiceUnavailable", "Unauthorized", "UserEvent", "UtcDateTime",
    "ValidationError", "account_ids_with_role", "audit", "can", "current_user", "db", "delete_file", "deliver",
    "demo_user", "enqueue", "hookimpl", "isoformat_z", "language", "limiter", "login_required", "notify", "opd", "page_schema",
    "paginate", "permission_required", "read_profile", "region", "regions", "roles_required", "save_upload", "signed_url",
    "storage", "translate", "utcnow",
]


class ServiceHealthSchema(BaseSchema):
    """A service's health answer."""

    service = _fields.String(required=True)
    status = _fields.String(required=True)


def health_blueprint(slug: str) -> Blueprint:
    """A blueprint with ``GET /health`` answering ``{"service": slug, "status": "ok"}``.

    Every service exposes it so the app (and monitoring) can probe one service at a time.
    """
    blp = Blueprint(f"{slug}_health", f"plugins.{slug}", description=f"{slug} health")

    @blp.route("/health")
    @blp.response(200, ServiceHealthSchema)
    def health():
        """Whether the service answers (503 while an admin has switched it off)."""
        return {"service": slug, "status": "ok"}

    return blp
