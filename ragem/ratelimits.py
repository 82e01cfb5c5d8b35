"""Which requests the default rate limit applies to.

The default per-client limit (``RAGEM_RATE_LIMIT``) guards writes: POST, PUT, PATCH and DELETE.
Reads (GET, HEAD, OPTIONS) skip it unless ``RAGEM_RATE_LIMIT_READS`` is on, because resolving and
counting limits was the largest single cost of a cached read (about a third of serving the
catalog) while reads change nothing and are cheap; a read that is expensive or sensitive (the
personal-data export) sets its own ``@limiter.limit``, and those still count.
"""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_qualified_name

from ragem.extensions import limiter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _has_own_limit(endpoint: str | None) -> bool:
    """Whether the endpoint's view carries an explicit ``@limiter.limit``."""
    view = current_app.view_functions.get(endpoint or "")
    if view is None:
        return False
    name = get_qualified_name(view)
    # flask-limiter keeps the qualified names of decorated views here; a test (exports stay
    # limited) fails loudly if a future version renames it.
    return name in getattr(limiter, "_marked_for_limiting", ())


@limiter.request_filter
def reads_skip_the_default_limit() -> bool:
    """True (skip every limit check) for a read whose route sets no limit of its own."""
    if request.method not in SAFE_METHODS:
        return False
    if current_app.config["RAGEM"].get("RATE_LIMIT_READS"):
        return False
    return not _has_own_limit(request.endpoint)
