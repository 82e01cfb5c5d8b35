"""One JSON error envelope for every failure.

``{"error": {"code", "message", "details", "request_id"}}``. Service functions raise ``ApiError``
(or a subclass); HTTP errors raised by Flask, webargs or flask-limiter are mapped here too, so no
response ever leaves RAGEM as an HTML page or a bare 500.
"""
from __future__ import annotations

import errno
import logging
from typing import Any, Mapping

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException

from ragem.i18n import message, translate

log = logging.getLogger("ragem.errors")

# HTTP status -> default error code for errors raised outside our own code.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """A failure the client should see: HTTP status, stable code, translated message, details.

    ``message`` may be a plain string, an ``{"id": ..., "en": ...}`` dict, or omitted to use the
    core catalog entry for ``code``.
    """

    status = 400
    code = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        message: Mapping[str, str] | str | None = None,
        *,
        status: int | None = None,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code or self.code
        self.status = status or self.status
        self.message = message
        self.details = dict(details or {})
        self.headers = dict(headers or {})
        super().__init__(self.code)


class NotFound(ApiError):
    """The resource does not exist (or the caller may not know it exists)."""

    status = 404
    code = "not_found"


class Forbidden(ApiError):
    """The caller is known but lacks the permission."""

    status = 403
    code = "forbidden"


class Unauthorized(ApiError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"


class Conflict(ApiError):
    """The request conflicts with the current state."""

    status = 409
    code = "conflict"


class ValidationError(ApiError):
    """Well-formed request with invalid content."""

    status = 422
    code = "validation_error"


class ServiceUnavailable(ApiError):
    """The service is switched off or a dependency is down."""

    status = 503
    code = "service_unavailable"


def error_response(
    status: int,
    code: str,
    text: Mapping[str, str] | str | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
):
    """Build the envelope response; the message falls back to the catalog entry for ``code``."""
    body = {
        "error": {
            "code": code,
            "message": translate(text) if text is not None else message(code),
            "details": dict(details or {}),
            "request_id": g.get("request_id"),
        }
    }
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if headers and "Retry-After" in headers:
        g.ragem_retry_after = str(headers["Retry-After"])  # kept: see keep_retry_after
    return response


def keep_retry_after(response):
    """Put back the ``Retry-After`` an error stated: flask-limiter rewrites the header on its way
    out to its own window (a 2-second back-off became "wait 60"; a day-long quota lost a second).
    Registered before the limiter, so it runs after it."""
    stated = g.get("ragem_retry_after")
    if stated is not None:
        response.headers["Retry-After"] = stated
    return response


def _webargs_details(exc: HTTPException) -> dict[str, Any]:
    """Field errors that webargs/flask-smorest attach to a 422 (``exc.data["messages"]``)."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if not messages:
        return {}
    # webargs nests errors by location ("json", "query", ...); keep that, it tells the client where.
    return {"fields": messages}


def _is_invalid_json(exc: HTTPException) -> bool:
    """A 400 caused by an unparsable JSON body (webargs attaches the decode error as ``exc.exc``)."""
    if isinstance(getattr(exc, "exc", None), ValueError):  # JSONDecodeError, UnicodeDecodeError
        return True
    return "JSON" in str(getattr(exc, "description", "") or "")  # Flask's own request.get_json()


DEPENDENCY_DOWN = {
    "id": "Server sedang mengalami gangguan sementara. Silakan coba lagi sebentar lagi.",
    "en": "The server is temporarily unavailable. Please try again shortly.",
}


def _is_dependency_down(exc: Exception) -> bool:
    """Whether ``exc`` means the database or Redis cannot be reached (connection or pool timeout)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    if isinstance(exc, (RedisConnectionError, RedisTimeoutError, PoolTimeoutError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    # Only operational errors: an IntegrityError naming a "connection" column is still a bug.
    return isinstance(exc, (OperationalError, InterfaceError)) and _is_connect_failure(exc)


#: What a full, read-only or failing disk looks like: to the database driver (SQLite, PostgreSQL)...
_STORAGE_FAULT_TEXTS = (
    "readonly database", "read-only transaction", "disk i/o error", "database or disk is full",
    "no space left", "could not extend file", "could not write",
)
#: ...and to the file storage.
_STORAGE_FAULT_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EIO})


def _is_storage_fault(exc: Exception) -> bool:
    """Whether ``exc`` means the database or the upload folder cannot be written now (a fault of
    the machine, not of the request): answered 503 ``storage_unavailable`` and retried later."""
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OSError) and exc.errno in _STORAGE_FAULT_ERRNOS:
        return True
    if isinstance(exc, OperationalError):
        text = str(getattr(exc, "orig", exc)).lower()
        return any(fault in text for fault in _STORAGE_FAULT_TEXTS)
    return False


#: SQLSTATEs of PostgreSQL's answers to contention: lock_not_available (lock_timeout, NOWAIT),
#: deadlock_detected and serialization_failure. The transaction was rolled back whole.
_BUSY_SQLSTATES = frozenset({"55P03", "40P01", "40001"})


def _is_database_busy(exc: Exception) -> bool:
    """Whether ``exc`` means the database was busy with other writers (SQLite's lock wait ran out,
    PostgreSQL gave up on a lock or a deadlock): nothing was written, and a retry will succeed."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database table is locked" in text)


def _is_connect_failure(exc: Exception) -> bool:
    # psycopg and sqlite3 both raise OperationalError when no connection can be opened; sqlite's
    # other OperationalErrors ("no such table") are bugs and stay 500s.
    text = str(getattr(exc, "orig", exc)).lower()
    return "connection" in text or "could not connect" in text or "unable to open database" in text


def register_error_handlers(app: Flask) -> None:
    """Install handlers so every error, expected or not, leaves as the JSON envelope."""

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException):
        status = exc.code or 500
        code = STATUS_CODES.get(status, "bad_request" if status < 500 else "internal_error")
        details = _webargs_details(exc)
        headers = {}
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(sorted(exc.valid_methods))
            details["allowed_methods"] = sorted(exc.valid_methods)
        if status == 429:
            retry_after = getattr(exc, "retry_after", None)
            if retry_after:
                headers["Retry-After"] = str(retry_after)
        if status == 400 and _is_invalid_json(exc):
            code = "invalid_json"
        return error_response(status, code, None, details, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        log.exception("unhandled error", extra={"error_type": type(exc).__name__})
        if _is_dependency_down(exc):
            # The database or Redis is unreachable: a retryable 503, not a bug report.
            return error_response(503, "dependency_unavailable", DEPENDENCY_DOWN, headers={"Retry-After": "5"})
        if _is_database_busy(exc):
            # Other writers held the database longer than this request could wait: retry soon.
            return error_response(503, "database_busy", headers={"Retry-After": "2"})
        if _is_storage_fault(exc):
            # A read-only or full disk: nothing was saved, the client may retry once it recovers.
            return error_response(503, "storage_unavailable", headers={"Retry-After": "30"})
        return error_response(500, "internal_error")
