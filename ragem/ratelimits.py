"""Which requests the default rate limit applies to.

The default per-client limit (``RAGEM_RATE_LIMIT``) guards writes: POST, PUT, PATCH and DELETE.
Reads (GET, HEAD, OPTIONS) skip it unless ``RAGEM_RATE_LIMIT_READS`` is on, because resolving and
counting limits was the largest single cost of a cached read (about a third of serving the
catalog) while reads change nothing and are cheap; a read that is expensive or sensitive (the
personal-data export) sets its own ``@limiter.limit``, and those still count.

Routes marked ``@limiter.exempt`` (exempt from every limit, none of their own: the FreeRADIUS
endpoints) skip flask-limiter's per-request check altogether (``skip_exempt_routes``).
"""
from __future__ import annotations

from flask import current_app, request
from flask_limiter import ExemptionScope
from flask_limiter.util import get_qualified_name

from ragem.extensions import limiter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: What ``@limiter.exempt`` without flags exempts a route from: every limit flask-limiter knows.
FULLY_EXEMPT = ExemptionScope.APPLICATION | ExemptionScope.DEFAULT | ExemptionScope.META


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


def _fully_exempt(endpoint: str | None) -> bool:
    """Whether ``endpoint`` is exempt from every limit and has none of its own (kept per app:
    routes and their exemptions do not change once the app is built)."""
    known = current_app.extensions.setdefault("ragem.fully_exempt_endpoints", {})
    exempt = known.get(endpoint)
    if exempt is None:
        manager = limiter.limit_manager
        scope = manager.exemption_scope(current_app, endpoint, request.blueprint)
        exempt = known[endpoint] = bool(
            endpoint and scope & FULLY_EXEMPT == FULLY_EXEMPT and not _has_own_limit(endpoint)
            and not manager.has_hints(endpoint)
        )
    return exempt


def skip_exempt_routes(app) -> None:
    """Run flask-limiter's per-request check only for routes that can be limited.

    flask-limiter resolves and evaluates the limits of a route marked ``@limiter.exempt`` on every
    request only to find none: on the FreeRADIUS endpoints (exempt: one address speaks for every
    hotspot) that was the largest single hook of the request. Call after ``limiter.init_app``.
    """
    hooks = app.before_request_funcs.setdefault(None, [])
    # Not found (a future flask-limiter renames its hook): every route keeps the full check.
    for position, hook in enumerate(hooks):
        if getattr(hook, "__func__", None) is type(limiter)._check_request_limit and hook.__self__ is limiter:
            check = hook

            def check_unless_exempt():
                if not _fully_exempt(request.endpoint):
                    check()

            hooks[position] = check_unless_exempt
            return
