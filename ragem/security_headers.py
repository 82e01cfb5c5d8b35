"""Security headers on every response.

- ``X-Content-Type-Options: nosniff``: a browser never guesses a type (an uploaded file served as
  ``text/plain`` is not run as a script).
- ``Referrer-Policy: no-referrer``: links out of the console leak no path (which may hold an id).
- ``Content-Security-Policy``: HTML pages load only RAGEM's own style sheets, images and forms,
  no script unless a page declares its own policy (the API docs page does, naming its one inline
  script by hash). The console's pages may also run RAGEM's own script files (``script-src
  'self'``, never inline) that fetch from RAGEM itself (``connect-src 'self'``): its live regions,
  such as the 112 queue refreshing from the change feed. Every other response gets ``default-src 'none'`` so a JSON or file answer opened
  in a browser runs nothing, and no page may be framed (clickjacking).
- ``Strict-Transport-Security`` only on a request that came over HTTPS: served by gunicorn with TLS,
  or behind ``RAGEM_PROXY_COUNT`` proxies that say ``X-Forwarded-Proto: https``. Sent over plain
  HTTP a browser ignores it, and in development it would pin ``localhost`` to HTTPS.

A view may set any of these headers itself; what it set is kept.
"""
from __future__ import annotations

from flask import Flask, request

#: The policy of server-rendered pages (the console): own files only, no script at all.
HTML_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
#: The console's pages: the same, plus RAGEM's own script files (no inline script) fetching from RAGEM.
CONSOLE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: The policy of everything else (JSON, YAML, files): nothing runs, nothing frames it.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
#: Two years, the preload list's minimum; subdomains are left to the city's own HTTPS policy.
HSTS = "max-age=63072000"

_FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def install(app: Flask) -> None:
    """Add the headers to every response, refusals and errors included."""

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        for name, value in _FIXED.items():
            headers.setdefault(name, value)
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = _policy(response.mimetype)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def _policy(mimetype: str) -> str:
    """The policy for a response of ``mimetype`` to this request."""
    if mimetype != "text/html":
        return OTHER_POLICY
    return CONSOLE_POLICY if request.blueprint == "console" else HTML_POLICY
