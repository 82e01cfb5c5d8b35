"""The one module a plugin imports from the RAGEM core: a stable facade.

Everything a service needs is re-exported here, so the core can reorganise its internals without
breaking an OPD's plugin. If a plugin needs something that is not here, grow this facade.
"""
from __future__ import annotations

import pluggy
from marshmallow import fields as _fields
from flask_smorest import abort  # noqa: F401  (re-export: rarely needed, ApiError is preferred)

from ragem import cli as _cli
from ragem import demo as _demo
from ragem import pii as _pii
from ragem.audit.service import record as audit
from ragem.auth import identifiers as _identifiers
from ragem.auth import roles as _roles
from ragem.auth.guards import can, current_user, login_required, permission_required, roles_required
from ragem.blueprint import Blueprint
from ragem.evaluation import periods as _periods
from ragem.evaluation import service as _evaluation
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
from ragem.http_cache import Conditional, conditional_get
from ragem.http_guards import accepts_media_types
from ragem.hooktypes import (
    ANONYMOUS_CITIZEN,
    Account,
    AnonymousActor,
    ConsoleAction,
    ConsolePage,
    ConsoleRedirect,
    DeliveryResult,
    ErasureReport,
    KpiValue,
    MessageGateway,
    OpenItems,
    OutboundMessage,
    PeriodicJob,
    Period,
    Permission,
    PluginInfo,
    ProfileFieldUse,
    UserEvent,
)
from ragem.i18n import language, translate
from ragem.idempotency import IdempotencyKeys
from ragem.idempotency import header_schema as _idempotency_header
from ragem.jobs import queue as _queue
from ragem.messaging import attempts as _attempts
from ragem.messaging.http import http_session
from ragem.notifications import outbox as _outbox
from ragem.notifications import service as _notifications
from ragem.opds import service as _opds
from ragem.pagination import PageArgsSchema, page_schema, paginate
from ragem.plugin_settings import PluginSetting, boolean, positive_int, text_list
from ragem.profile import service as _profiles
from ragem.regions import service as _regions
from ragem.regions.bounds import KOTA_SERANG_BOUNDS, Bounds
from ragem.schemas import BaseSchema, CommaSeparated, FromModel, I18nTextSchema, UtcDateTime
from ragem.sealed import sealed
from ragem.storage import service as _files
from ragem.storage import thumbnails as _thumbnails
from ragem.storage.schemas import FilePart
from ragem.timeutil import isoformat_z, to_wib, utcnow

#: Marks a plugin function as the implementation of a hook in ``ragem.hookspecs``.
hookimpl = pluggy.HookimplMarker("ragem")


def notify(user: Account | str, **kwargs):
    """Store an in-app notification for ``user`` (and deliver it by push/SMS when asked).

    See ``ragem.notifications.service.notify`` for the arguments.
    """
    return _notifications.notify(user, **kwargs)


def deliver(message: OutboundMessage) -> bool:
    """Send an SMS/WhatsApp/push message through the message-delivery hook."""
    return _outbox.deliver(message)


def record_delivery_receipt(provider: str, provider_message_id: str, status: str, *, at=None,
                            cost_units: float | None = None, error: str | None = None) -> bool:
    """Apply a gateway's delivery receipt to the attempt it names (``sent``, ``delivered``,
    ``read``, ``failed``); commits. Idempotent: a repeated or older receipt changes nothing.
    :returns: whether RAGEM sent a message with that provider id (``False``: ignore the receipt).
    """
    return _attempts.apply_receipt(provider, provider_message_id, status, at=at, cost_units=cost_units, error=error)


def enqueue(func, *args, **kwargs):
    """Run ``func(*args, **kwargs)`` in the background (retried on failure, never dropped)."""
    return _queue.enqueue(func, *args, **kwargs)


def storage():
    """The file storage backend of this app (local disk by default): ``put``/``open``/``delete``/``exists``."""
    return _files.get_storage()


def save_upload(data, *, owner_id, purpose, allowed=None, max_bytes=None, pending=False):
    """Check an upload by its bytes, strip image metadata, store it; returns the ``StoredFile`` row.

    ``data`` is bytes or a werkzeug ``FileStorage`` (``flask_smorest.fields.Upload`` field);
    ``allowed`` defaults to JPEG, PNG, WebP and PDF. The caller commits. Raises ``ApiError``
    ``file_too_large`` or ``image_too_large`` (413), ``unsupported_file_type`` (415),
    ``upload_quota_exceeded`` (429) or ``invalid_file`` (422). With ``pending=True`` the file is
    deleted unless ``attach_file`` claims it within ``RAGEM_UPLOAD_UNATTACHED_HOURS``.
    See ``ragem.storage.service.save_upload``.
    """
    return _files.save_upload(
        data, owner_id=owner_id, purpose=purpose, allowed=_files.DEFAULT_TYPES if allowed is None else allowed,
        max_bytes=max_bytes, pending=pending,
    )


def save_thumbnail(file, *, max_px: int = 320, purpose: str | None = None):
    """Store a JPEG thumbnail (at most ``max_px`` on its longer side, never enlarged, no metadata)
    of a stored image: ``file`` is the ``StoredFile`` row ``save_upload`` returned, or its id.
    Returns the thumbnail's own ``StoredFile`` row (same owner, in use at once; the caller commits,
    keeps its id and deletes it with the photo). ``purpose`` defaults to the photo's.
    Raises ``ValueError`` for a file that is not a stored JPEG, PNG or WebP image.
    See ``ragem.storage.thumbnails.save_thumbnail``.
    """
    return _thumbnails.save_thumbnail(file, max_px=max_px, purpose=purpose)


def idempotency_header(description: str):
    """The schema of a required ``Idempotency-Key`` header for ``@blp.arguments(Schema,
    location="headers")``: the view gets ``idempotency_key`` (1-100 characters, no control
    characters); ``description`` (what a retry gets) documents the header in ``openapi.yaml``.
    Use it with ``IdempotencyKeys``."""
    return _idempotency_header(description)


def attach_file(file_id: str, *, owner_id: str | None):
    """Claim a file uploaded through ``POST /api/v1/files`` (a form refers to its id) so it is kept;
    returns its ``StoredFile`` row, or ``None`` when there is no such file or ``owner_id`` does not
    own it (check the answer: a citizen may only attach their own uploads). The caller commits."""
    return _files.attach_file(file_id, owner_id=owner_id)


def signed_url(file_id: str, ttl_seconds: int = 300) -> str:
    """A path that opens stored file ``file_id`` without logging in, for ``ttl_seconds``
    (e.g. for an officer viewing a complaint photo)."""
    return _files.signed_url(file_id, ttl_seconds)


def delete_file(file_id: str) -> bool:
    """Delete a stored file and its row (in ``ragem_user_erase``, for instance); ``False`` if unknown."""
    return _files.delete_file(file_id)


def read_profile(plugin_slug: str, user: Account, fields, purpose: str, officer: Account | None = None, *,
                 with_caller: bool = False) -> dict:
    """Read ``fields`` of ``user``'s profile for ``purpose`` (and for ``officer``, if an officer
    asked); only fields declared through ``ragem_profile_fields`` (anything else raises
    ``Forbidden``, also a ``PermissionError``). Every read is shown to the citizen in
    ``GET /api/v1/me/access-log``. The record is committed on its own, even if the caller rolls
    back; with ``with_caller=True`` it is written in the caller's transaction instead (one commit,
    no second connection), for a caller that keeps the values in that same transaction: the
    record then commits with them or vanishes with them."""
    return _profiles.read_profile(plugin_slug, user, fields, purpose, officer, with_caller=with_caller)


def read_profile_by_id(plugin_slug: str, account_id: str | None, fields, purpose: str,
                       officer: Account | None = None, *, with_caller: bool = False) -> dict | None:
    """``read_profile`` of the account with id ``account_id``, for a plugin that keeps only the id
    (a complaint's reporter); ``None`` when no account has that id (it was erased), and then
    nothing is recorded. Undeclared fields raise ``Forbidden`` whether or not the account exists;
    every read is shown to the citizen in ``GET /api/v1/me/access-log``, with ``officer``;
    ``with_caller`` as in ``read_profile``."""
    return _profiles.read_profile_by_id(plugin_slug, account_id, fields, purpose, officer, with_caller=with_caller)


def read_only_command(command):
    """Mark a click command (from ``ragem_cli_commands``) as one that only reads, such as a
    listing: RAGEM then builds its app without creating any file or folder, so running it on a
    machine without an ``instance/`` folder leaves none behind, and a database without tables
    answers "run `ragem db upgrade`". Returns the command (usable as a decorator above
    ``@group.command``)."""
    return _cli.read_only_command(command)


def normalise_phone(raw: str, *, field: str = "phone", landline: bool = False) -> str:
    """An Indonesian mobile number in E.164, whatever the common notation it was typed in:
    ``0812-3456-7890``, ``62 812 3456 7890``, ``+62 (812) 3456 7890``, ``812 3456 7890`` ->
    ``+6281234567890``; the same rule the core applies to account phones, so one number is one
    string everywhere (a block list, a look-up by caller number).

    With ``landline=True`` fixed lines are numbers too (a caller's line, not an account's):
    ``0254-200112``, ``(0254) 200112``, ``+62 254 200112`` -> ``+62254200112``, checked against
    Indonesia's numbering plan (area codes, lengths) by the ``phonenumbers`` library; a mobile
    comes out exactly as without it.

    :raises ValidationError: ``invalid_phone`` (422, its ``details`` naming ``field``) for a
        malformed or non-Indonesian number.
    """
    if landline:
        return _identifiers.normalise_any_phone(raw, field=field)
    return _identifiers.normalise_phone(raw, field=field)


def mask_phone(phone: str) -> str:
    """``+6281234567890`` -> ``+62812*****890``: enough to recognise a number, not to dial it."""
    return _identifiers.mask_phone(phone)


def seal(text: str) -> str:
    """Encrypt ``text`` with the app's ``RAGEM_DATA_KEY`` (AES-GCM): what a ``sealed`` attribute
    stores in its ``<name>_ciphertext`` column. For migrations that convert clear columns; models
    use ``sealed``."""
    return _pii.encrypt(text)


def unseal(token: str) -> str:
    """The clear text of a value made by ``seal`` (a downgrade that puts a clear column back).

    :raises ValueError: the token was changed or sealed with another key.
    """
    return _pii.decrypt(token)


def lookup_hash(text: str) -> str:
    """The keyed hash (64 hex characters) that finds a phone number without storing it: the same
    one the core keeps for account phones, so one number hashes the same in every table. Pass it
    as ``sealed(..., lookup=toolkit.lookup_hash)``; a migration fills ``<name>_hash`` with it."""
    return _pii.contact_hash(text)


def region(code: str):
    """The region (kota, kecamatan or kelurahan) with Kemendagri ``code``, or ``None``.

    It has ``code``, ``bps_code``, ``name``, ``level`` and ``parent_code``; e.g. route a complaint
    by ``region(code).parent_code`` (the kecamatan of a kelurahan).
    """
    return _regions.get_region(code)


def regions(level: str | None = None, parent: str | None = None) -> list:
    """Regions of Kota Serang ordered by code, optionally only one ``level`` (``kecamatan``,
    ``kelurahan``) and/or those under ``parent``; each as :func:`region` describes."""
    return _regions.list_regions(parent=parent, level=level)


def opd(code: str):
    """The OPD or agency with ``code`` (``DPUPR``), active or not, or ``None``.

    It has ``code``, ``name_id``, ``name_en``, ``kind`` and ``active``.
    """
    return _opds.get_opd(code)


def account_ids_with_role(role: str, *, opd: str | None = None) -> list[str]:
    """Ids of the active accounts holding ``role`` (``officer``, ``admin``...), only those of OPD ``opd``
    when given; e.g. to tell an OPD's officers through ``notify``."""
    return _roles.account_ids_with_role(role, opd=opd)


def parse_period(key: str) -> Period:
    """The evaluation period ``key`` names: a month (``2026-11``), a quarter (``2026-Q4``) or a year
    (``2026``). Raises ``ValidationError`` (422, code ``invalid_period``) for anything else."""
    return _periods.parse_period(key)


def collect_kpis(period: Period) -> list[tuple[str, KpiValue]]:
    """Every service's KPIs for ``period`` as ``(slug, KpiValue)``, exactly as the evaluation collects
    them: the core's first (slug ``core``), then each plugin's ``ragem_kpis`` in slug order, switched-off
    services included; a plugin whose hook fails is skipped and logged, never fatal to the others."""
    return _evaluation.collect_kpis(period)[0]


def account_is_active(account_id: str) -> bool:
    """Whether an active account has id ``account_id``: e.g. before granting a plugin's own right to
    an account an admin names; nothing else of the account is read."""
    return _roles.account_is_active(account_id)


def account_id_with_verified_phone(phone: str) -> str | None:
    """The id of the active account whose verified phone is ``phone`` (E.164, as
    ``normalise_phone`` gives it), or ``None``: e.g. to link a complaint an officer recorded on a
    citizen's behalf to that citizen's account. A registration still waiting for its code never
    matches; nothing of the account but its id is returned, and no profile read is logged."""
    return _roles.account_id_with_verified_phone(phone)


def verified_phone_hash(account_id: str) -> str | None:
    """The keyed hash (``lookup_hash``) of the account's phone once it is verified, else ``None``:
    a plugin that kept a number sealed with ``lookup=toolkit.lookup_hash`` (someone helped before
    they had an account) finds that person's records by it, e.g. on the ``verified`` user event,
    without reading the number (nothing enters the access log)."""
    return _roles.verified_phone_hash(account_id)


def send_text(to: str, body: str, *, purpose: str, channel: str = "sms", data=None) -> None:
    """Send ``body`` by SMS (or ``channel``) to a phone number that belongs to no account, in the
    background after the caller commits (retried; nothing is sent if the caller rolls back). The
    number travels encrypted; the try is recorded like every message (the development outbox
    without a gateway). For an account use ``notify`` with ``channels`` instead: it follows the
    account's language and preferred channel.
    :raises ValueError: an unknown channel, no number, an empty body or one over 4096 characters.
    """
    return _notifications.send_text(to, body, purpose=purpose, channel=channel, data=data)


def account_ids_in_kelurahan(codes) -> list[str]:
    """Ids of the active accounts whose profile kelurahan (Kemendagri code) is one of ``codes``, e.g.
    to notify the citizens of an area through ``notify``; the profile itself is not read (nothing
    enters the access log) and nothing but the ids is returned."""
    return _roles.account_ids_in_kelurahan(codes)


def demo_user(key: str):
    """A demo account created by ``ragem demo load`` (``admin``, ``citizen1``, ``officer-DPUPR``...)."""
    return _demo.demo_user(key)




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
    @blp.doc(operationId=f"{slug}Health")  # one per service: operation ids are unique
    def health():
        """Whether the service answers (503 while an admin has switched it off)."""
        return {"service": slug, "status": "ok"}

    return blp


#: Every public name of the toolkit: what a plugin may use (checked by the suite).
__all__ = [
    "abort", "accepts_media_types", "Account", "account_ids_in_kelurahan", "account_ids_with_role",
    "account_is_active", "account_id_with_verified_phone", "ANONYMOUS_CITIZEN", "Bounds", "ConsoleAction", "ConsolePage",
    "ConsoleRedirect", "KOTA_SERANG_BOUNDS",
    "attach_file", "AnonymousActor", "ApiError", "audit", "BaseSchema", "Blueprint", "boolean", "can", "collect_kpis",
    "CommaSeparated", "Conditional", "conditional_get", "Conflict",
    "current_user", "db", "delete_file", "deliver", "DeliveryResult", "demo_user", "enqueue", "ErasureReport",
    "FilePart", "Forbidden", "FromModel", "health_blueprint", "hookimpl", "http_session", "I18nTextSchema",
    "idempotency_header", "IdempotencyKeys", "isoformat_z",
    "KpiValue", "MessageGateway",
    "language", "limiter", "login_required", "lookup_hash", "mask_phone", "normalise_phone", "NotFound", "notify", "opd",
    "OpenItems", "OutboundMessage",
    "page_schema", "PageArgsSchema", "paginate", "parse_period", "Period", "PeriodicJob", "Permission",
    "permission_required", "PluginInfo", "PluginSetting", "positive_int", "ProfileFieldUse",
    "read_only_command", "read_profile", "read_profile_by_id", "record_delivery_receipt", "region", "regions", "roles_required",
    "save_thumbnail", "save_upload", "seal", "sealed", "send_text", "ServiceHealthSchema", "verified_phone_hash",
    "ServiceUnavailable", "signed_url", "storage", "text_list", "to_wib", "translate", "Unauthorized", "unseal",
    "UserEvent", "UtcDateTime", "utcnow", "ValidationError",
]
