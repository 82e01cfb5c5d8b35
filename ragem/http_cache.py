"""Conditional GET for services: ETag and Last-Modified validators, and the 304 answer.

A view computes what its answer depends on (a row's id and ``updated_at``, a page's items), calls
``conditional_get`` and either returns the 304 it got or its body with the headers it got. The
ETag also covers the path, the query string, the language of the answer and, when the request is
logged in, the account: one caller's validator never matches another's answer.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask import Response, request

from ragem.auth.guards import current_user
from ragem.i18n import language

PRIVATE = "private, no-cache"


@dataclass
class Conditional:
    """What ``conditional_get`` decided: the validator headers for a 200, and the 304 to send
    instead when the client's copy is current (``None`` otherwise)."""

    etag: str
    headers: dict[str, str] = field(default_factory=dict)
    not_modified: Response | None = None


def _http_date(moment: datetime) -> datetime:
    """``moment`` (naive UTC, as stored) as an aware UTC datetime without microseconds: HTTP dates
    have whole seconds, so a stored time compares equal to the date the client sends back."""
    aware = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return aware.replace(microsecond=0)


def conditional_get(*validators: Any, last_modified: datetime | None = None,
                    cache_control: str = PRIVATE) -> Conditional:
    """Validators for a GET answer and the 304 when the client already holds it.

    :param validators: what the answer depends on (JSON-serialisable or ``str()``-able values).
    :param last_modified: when the answer last changed (naive UTC); sent as ``Last-Modified`` and
        compared with ``If-Modified-Since`` when the request has no ``If-None-Match`` (which wins,
        as RFC 9110 says). Leave it out when an answer can change without it moving (a list an
        item can leave).
    :param cache_control: the ``Cache-Control`` of the answer (``private, no-cache`` by default:
        kept by the client only, revalidated each time); ``public, max-age=300`` lets proxies keep
        an answer that is the same for everyone.
    :returns: a ``Conditional``: return ``.not_modified`` when it is set, else the body with ``.headers``.
    """
    user = current_user()
    seed = json.dumps([list(validators), request.path, sorted(request.args.items(multi=True)), language(),
                       getattr(user, "id", None)], default=str, sort_keys=True)
    etag = hashlib.sha256(seed.encode()).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": cache_control}
    modified = _http_date(last_modified) if last_modified is not None else None
    if modified is not None:
        headers["Last-Modified"] = modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    current = False
    if request.if_none_match:
        current = request.if_none_match.contains(etag)
    elif modified is not None and request.if_modified_since is not None:
        current = modified <= request.if_modified_since.astimezone(timezone.utc)
    return Conditional(etag, headers, Response(status=304, headers=headers) if current else None)
