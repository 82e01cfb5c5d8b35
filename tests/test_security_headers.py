"""Security headers on every response: the API's JSON, the console's pages, the docs page, errors.

What a browser is told: never guess a type, send no referrer, run nothing on a JSON answer, load
only RAGEM's own files on a page, and (only over HTTPS) keep to HTTPS.
"""
from __future__ import annotations

import re

import pytest

HSTS = "Strict-Transport-Security"


def _policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as ``{directive: [sources]}``."""
    header = response.headers.get("Content-Security-Policy", "")
    assert header, "no Content-Security-Policy"
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/services", 200),
    ("GET", "/openapi.yaml", 200),
    ("GET", "/healthz", 200),
    ("GET", "/api/v1/no-such-thing", 404),
    ("DELETE", "/api/v1/services", 405),
    ("GET", "/api/v1/me", 401),
    ("POST", "/api/v1/auth/login", 415),  # refused at the edge, before any view
])
def test_every_answer_carries_the_headers(client, method, path, status):
    answer = client.open(path, method=method, data="x", content_type="text/plain")
    assert answer.status_code == status
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    policy = _policy(answer)
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert HSTS not in answer.headers  # plain HTTP


def test_console_pages_load_only_their_own_files_and_no_inline_script(client):
    page = client.get("/console/login")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = _policy(page)
    assert policy["default-src"] == ["'none'"]
    # The console's own script files and fetches back to RAGEM; nothing inline, nothing elsewhere.
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    html = page.get_data(as_text=True)
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)  # nothing the policy would block
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(' src="/console/static/' in attrs and not body.strip() for attrs, body in scripts)
    for ref in re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js))"', html):
        assert client.get(ref).status_code == 200


def test_html_pages_outside_the_console_still_run_no_script(client):
    page = client.get("/sso/login")
    if page.mimetype != "text/html":
        pytest.skip("no HTML page outside the console here")
    assert "script-src" not in _policy(page)


def test_the_docs_page_allows_its_own_script_by_hash_and_nothing_else(client):
    import base64
    import hashlib

    page = client.get("/api/docs")
    policy = _policy(page)
    html = page.get_data(as_text=True)
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert sorted(policy["script-src"]) == sorted(["'self'", f"'sha256-{digest}'"])
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_hsts_only_over_https_behind_the_configured_proxy(make_app):
    behind_proxy = make_app(PROXY_COUNT=1).test_client()
    over_https = behind_proxy.get("/api/v1/services", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers[HSTS].startswith("max-age=")
    assert int(over_https.headers[HSTS].split("=")[1]) >= 31536000  # a year at least
    assert HSTS not in behind_proxy.get("/api/v1/services").headers  # the proxy forwarded plain HTTP
    # Without a proxy configured, a client cannot claim HTTPS by forging the header.
    direct = make_app().test_client()
    assert HSTS not in direct.get("/api/v1/services", headers={"X-Forwarded-Proto": "https"}).headers

