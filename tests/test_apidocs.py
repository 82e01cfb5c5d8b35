"""``/api/docs`` works on an office PC with no internet: everything it loads comes from RAGEM."""
from __future__ import annotations

import re


def test_the_docs_page_loads_nothing_from_the_internet(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, re.I), "the page names an external host"
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references and all(ref.startswith("/") for ref in references), references
    assert "/openapi.yaml" in html and "validatorUrl: null" in html
    for ref in references:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.mimetype in ("text/javascript", "text/css"), (ref, asset.mimetype)
        assert len(asset.data) > 10_000, ref  # the real Swagger UI, not a stub
        assert asset.cache_control.max_age and asset.cache_control.public
    style = client.get("/api/docs/assets/swagger-ui.css").get_data(as_text=True)
    assert not re.search(r"url\(\s*['\"]?https?:", style), "the style sheet loads an external file"


def test_only_the_pages_own_files_are_served(client):
    for name in ("index.css", "LICENSE", "..%2F__init__.py", "VERSION", "swagger-ui.js.map"):
        answer = client.get(f"/api/docs/assets/{name}")
        assert answer.status_code == 404, name
        assert answer.get_json()["error"]["code"] == "not_found"
