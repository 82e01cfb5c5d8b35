"""Storing uploads safely and handing them back only to those who may see them.

``save_upload`` is the one way into storage: the type is judged by the bytes, the size is capped,
images are re-encoded without their metadata and the file gets a generated name. ``signed_url``
lets a plugin hand a short-lived link to someone who is not the owner (an officer viewing a
complaint photo); ``file_for_download`` decides who gets the bytes.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import time
import uuid
from datetime import timedelta
from typing import Any, Iterable
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage as UploadedFile

from ragem.errors import ApiError, Forbidden, NotFound, Unauthorized
from ragem.extensions import db
from ragem.storage.backends import FileNotStored, FileStorage
from ragem.storage.detect import (
    DEFAULT_TYPES, SUPPORTED_TYPES, CleanFile, ImageTooLarge, InvalidFile, detect_type, sanitise,
)
from ragem.storage.models import StoredFile
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.storage")

PURPOSE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
MAX_SIGNED_URL_TTL = 7 * 24 * 3600  # a link in a notification may wait a while; never forever
FILES_PATH = "/api/v1/files"


def get_storage() -> FileStorage:
    """The storage backend of the current app (``LocalDiskStorage`` by default)."""
    return current_app.extensions["ragem.storage"]


def _read(data: bytes | bytearray | memoryview | UploadedFile, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to tell an oversized file without holding all of it."""
    if isinstance(data, UploadedFile):
        return data.stream.read(limit + 1)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data[: limit + 1])
    raise TypeError("save_upload takes bytes or a werkzeug FileStorage")


def save_upload(
    data: bytes | UploadedFile,
    *,
    owner_id: str | None,
    purpose: str,
    allowed: Iterable[str] = DEFAULT_TYPES,
    max_bytes: int | None = None,
    pending: bool = False,
) -> StoredFile:
    """Check, clean and store an uploaded file; add its ``StoredFile`` row to the session.

    The caller commits (so a complaint and its photo land in one transaction).

    :param data: the bytes, or the werkzeug ``FileStorage`` of a multipart field. Its filename
        and Content-Type header are ignored.
    :param owner_id: the account that may read it back (``None`` for system files).
    :param purpose: what the file is for, e.g. ``rabeg.photo`` (lowercase, up to 40 characters).
    :param allowed: content types accepted here (``DEFAULT_TYPES``: JPEG, PNG, WebP, PDF; add
        ``text/csv`` or ``text/plain`` for imports).
    :param max_bytes: size cap for this call (default ``RAGEM_UPLOAD_MAX_BYTES``).
    :param pending: the file waits to be claimed with ``attach_file`` and is deleted if nothing
        claims it within ``RAGEM_UPLOAD_UNATTACHED_HOURS`` (the generic upload route); by default
        it is attached at once (the caller keeps a reference to it).
    :raises ApiError: ``file_too_large`` (413), ``image_too_large`` (413: more pixels than
        ``RAGEM_UPLOAD_MAX_PIXELS``), ``upload_quota_exceeded`` (429: the owner's files or bytes of
        the last 24 hours), ``unsupported_file_type`` (415) or ``invalid_file`` (422: empty,
        truncated, corrupt, or a decompression bomb).
    """
    allowed = frozenset(allowed)
    if not allowed or not allowed <= SUPPORTED_TYPES:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(SUPPORTED_TYPES)}")
    if not PURPOSE_PATTERN.match(purpose or ""):
        raise ValueError("purpose must be 1-40 lowercase letters, digits, '.', '_' or '-'")
    settings = current_app.config["RAGEM"]
    limit = max_bytes or settings["UPLOAD_MAX_BYTES"]

    raw = _read(data, limit)
    if len(raw) > limit:
        raise ApiError("file_too_large", status=413, details={"max_bytes": limit})
    if not raw:
        raise ApiError("invalid_file", status=422, details={"reason": "empty"})
    if owner_id is not None:
        check_quota(owner_id, len(raw))
    detected = detect_type(raw)
    if detected not in allowed:
        raise ApiError(
            "unsupported_file_type", status=415,
            details={"detected": detected, "allowed": sorted(allowed)},
        )
    try:
        clean = sanitise(raw, detected, max_pixels=settings["UPLOAD_MAX_PIXELS"])
    except ImageTooLarge as exc:
        details = {"max_pixels": exc.limit} if exc.pixels is None else {"max_pixels": exc.limit, "pixels": exc.pixels}
        raise ApiError("image_too_large", status=413, details=details) from None
    except InvalidFile as exc:
        raise ApiError("invalid_file", status=422, details={"reason": exc.reason, "detected": detected}) from None

    return store_clean(clean, owner_id=owner_id, purpose=purpose, pending=pending)


def store_clean(clean: CleanFile, *, owner_id: str | None, purpose: str, pending: bool = False) -> StoredFile:
    """Put bytes that are already checked and clean under a generated name; add their row to the
    session (the caller commits). Only for bytes RAGEM made or cleaned itself: a citizen's bytes
    go through ``save_upload``."""
    file_id = str(uuid.uuid4())
    now = utcnow()
    key = f"{file_id[:2]}/{file_id}.{clean.extension}"
    get_storage().put(key, clean.data)
    row = StoredFile(
        id=file_id,
        storage_key=key,
        content_type=clean.content_type,
        size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
        owner_id=owner_id,
        purpose=purpose,
        created_at=now,
        attached_at=None if pending else now,
    )
    db.session.add(row)
    return row


def attach_file(file_id: str, *, owner_id: str | None) -> StoredFile | None:
    """Claim an uploaded file for use (a service keeps a reference to it), so the clean-up job
    leaves it alone; ``None`` when there is no such file or it belongs to someone else.

    Pass the account that offers the file as ``owner_id``: a citizen can only attach their own
    uploads to what they file. Attaching twice is harmless. The caller commits.
    """
    file_id = canonical_id(file_id)
    row = db.session.get(StoredFile, file_id) if file_id else None
    if row is None or row.owner_id != owner_id:
        return None
    if row.attached_at is None:
        row.attached_at = utcnow()
    return row


#: The window of the per-account upload quota.
QUOTA_WINDOW = timedelta(hours=24)


def check_quota(owner_id: str, incoming_bytes: int) -> None:
    """Refuse (429 ``upload_quota_exceeded``) an upload that would take ``owner_id`` past the files
    or bytes one account may upload in 24 hours (``RAGEM_UPLOAD_QUOTA_FILES``/``_BYTES``).

    One account cannot fill the disk or keep the workers busy decoding images for everyone else.
    Files deleted since (an abandoned form's photos) no longer count.
    """
    settings = current_app.config["RAGEM"]
    now = utcnow()
    since = now - QUOTA_WINDOW
    files, used, oldest = db.session.execute(
        select(func.count(), func.coalesce(func.sum(StoredFile.size), 0), func.min(StoredFile.created_at))
        .where(StoredFile.owner_id == owner_id, StoredFile.created_at >= since)
    ).one()
    if files + 1 > settings["UPLOAD_QUOTA_FILES"] or used + incoming_bytes > settings["UPLOAD_QUOTA_BYTES"]:
        # The earliest moment something can be uploaded again: when the oldest upload of the
        # window leaves it (a lower bound when one file is not enough room; the client asks again).
        wait = max(1, math.ceil(((oldest or now) + QUOTA_WINDOW - now).total_seconds()))
        raise ApiError("upload_quota_exceeded", status=429, headers={"Retry-After": str(wait)}, details={
            "max_files": settings["UPLOAD_QUOTA_FILES"], "max_bytes": settings["UPLOAD_QUOTA_BYTES"],
            "files": files, "bytes": int(used), "window_hours": 24, "retry_after": wait,
        })


def delete_file(file_id: str) -> bool:
    """Delete a stored file and its row (e.g. when erasing a user's data); ``False`` if unknown.

    The row is removed in the caller's transaction; the bytes go at once.
    """
    file_id = canonical_id(file_id)
    row = db.session.get(StoredFile, file_id) if file_id else None
    if row is None:
        return False
    get_storage().delete(row.storage_key)
    db.session.delete(row)
    return True


def canonical_id(file_id: str) -> str | None:
    """``file_id`` when it is a UUID in canonical lowercase form, else ``None``.

    Anything else (``..``, slashes, encoded tricks) can never name a stored file.
    """
    try:
        parsed = uuid.UUID(file_id)
    except (ValueError, TypeError, AttributeError):
        return None
    return file_id if str(parsed) == file_id else None


# -- signed URLs ---------------------------------------------------------------------------------

def _signature(file_id: str, expires: int) -> str:
    # A purpose prefix keeps this MAC from ever validating anything else signed with SECRET_KEY.
    message = f"ragem.file:{file_id}:{expires}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


#: Signed links expire on whole steps of this many seconds (see ``signed_url``).
SIGNED_URL_STEP = 60


def signed_url(file_id: str, ttl_seconds: int = 300) -> str:
    """A link to the file that works without logging in for at least ``ttl_seconds``.

    Returned as a path (``/api/v1/files/<id>?expires=...&signature=...``), valid on every worker
    and host that shares the app's ``SECRET_KEY``. The expiry is rounded up to a whole
    ``SIGNED_URL_STEP`` (at most one more step of life), so a list fetched twice within a minute
    hands out the same links and the app's image cache keeps working.
    """
    if canonical_id(file_id) is None:
        raise ValueError(f"not a stored file id: {file_id!r}")
    if not 0 < ttl_seconds <= MAX_SIGNED_URL_TTL:
        raise ValueError(f"ttl_seconds must be between 1 and {MAX_SIGNED_URL_TTL}")
    step = min(SIGNED_URL_STEP, int(ttl_seconds))
    expires = -(-(int(time.time()) + int(ttl_seconds)) // step) * step  # ceiling to a whole step
    query = urlencode({"expires": expires, "signature": _signature(file_id, expires)})
    return f"{FILES_PATH}/{file_id}?{query}"


def check_signature(file_id: str, expires: int | None, signature: str | None) -> None:
    """Accept a signed link or raise 403 (``invalid_signature`` or ``link_expired``)."""
    if expires is None or not signature:
        raise Forbidden("invalid_signature", details={"required": ["expires", "signature"]})
    # compare_digest refuses non-ASCII text (TypeError): such a signature is simply not ours.
    if not signature.isascii() or not hmac.compare_digest(_signature(file_id, expires), signature):
        raise Forbidden("invalid_signature")
    if expires < time.time():
        raise Forbidden("link_expired", details={"expired_at": expires})


# -- reading back --------------------------------------------------------------------------------

def file_for_download(
    file_id: str, *, user: Any = None, expires: int | None = None, signature: str | None = None
) -> tuple[StoredFile, bytes]:
    """The file's row and bytes for this caller.

    A valid signed link opens the file to anyone; otherwise the caller must be logged in and be
    its owner or an admin. Another account gets 404, not 403, so ids cannot be probed.
    """
    file_id = canonical_id(file_id)
    if file_id is None:
        raise NotFound()
    signed = expires is not None or signature is not None
    if signed:
        check_signature(file_id, expires, signature)
    elif user is None:
        raise Unauthorized()
    row = db.session.get(StoredFile, file_id)
    if row is None:
        raise NotFound()
    if not signed and row.owner_id != user.id and not user.has_role("admin"):
        raise NotFound()
    try:
        return row, get_storage().open(row.storage_key)
    except FileNotStored:
        log.error("stored file missing from storage", extra={"file_id": file_id, "key": row.storage_key})
        raise NotFound() from None


def upload_answer(row: StoredFile, ttl_seconds: int = 300) -> dict[str, Any]:
    """What the upload endpoint returns: the row's public fields and a fresh signed link."""
    return {
        "id": row.id,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "purpose": row.purpose,
        "created_at": row.created_at,
        "url": signed_url(row.id, ttl_seconds),
        "url_expires_in": ttl_seconds,
    }
