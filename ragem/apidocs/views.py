"""``/openapi.yaml`` (the contract, generated from this running app) and ``/api/docs`` (for people)."""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import flask_swagger_ui
from flask import Response, current_app

from ragem.apidocs.spec import spec_yaml
from ragem.blueprint import Blueprint
from ragem.errors import NotFound

blp = Blueprint("apidocs", __name__, description="The API's own documentation")

#: Swagger UI's files, from the flask-swagger-ui package: the docs page needs no internet.
SWAGGER_UI_DIR = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
#: The only files the page loads; nothing else in that folder is served.
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}
ASSET_MAX_AGE = 24 * 3600

_DOCS_PAGE = """<!doctype html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>RAGEM API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    // validatorUrl null: Swagger UI would otherwise send the contract to validator.swagger.io.
    SwaggerUIBundle({url: "/openapi.yaml", dom_id: "#docs", validatorUrl: null, deepLinking: true});
  </script>
</body>
</html>
"""

#: The page's one inline script, allowed by its hash: no other inline script can run on the page.
_INLINE_SCRIPT = re.search(r"<script>(.*?)</script>", _DOCS_PAGE, re.S).group(1)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_INLINE_SCRIPT.encode()).digest()).decode()
#: Swagger UI draws with inline styles and data: images, and fetches the contract (and "Try it
#: out" calls) from this origin only.
DOCS_POLICY = (
    f"default-src 'none'; script-src 'self' 'sha256-{_SCRIPT_HASH}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@blp.route("/openapi.yaml")
@blp.response(200, content_type="application/yaml", description="The OpenAPI 3 document")
def get_openapi_document():
    """The OpenAPI document of this server (the same text as the committed ``openapi.yaml``)."""
    cached = current_app.extensions.get("ragem.openapi_yaml")
    if cached is None:
        cached = current_app.extensions["ragem.openapi_yaml"] = spec_yaml(current_app)
    return Response(cached, mimetype="application/yaml")


@blp.route("/api/docs")
@blp.response(200, content_type="text/html", description="Interactive API documentation")
def get_api_docs():
    """Human-readable API documentation (Swagger UI reading ``/openapi.yaml``)."""
    return Response(_DOCS_PAGE, mimetype="text/html", headers={"Content-Security-Policy": DOCS_POLICY})


@blp.route("/api/docs/assets/<string:name>")
@blp.response(200, content_type="text/javascript", description="A file of Swagger UI (its script or style sheet)")
@blp.alt_response(404, description="Not one of the documentation page's files")
def get_api_docs_asset(name: str):
    """Swagger UI's script and style sheet, served by RAGEM itself (no CDN, works offline)."""
    if name not in ASSETS:
        raise NotFound(details={"asset": name[:80]})
    cache = current_app.extensions.setdefault("ragem.apidocs_assets", {})
    if name not in cache:
        cache[name] = (SWAGGER_UI_DIR / name).read_bytes()
    response = Response(cache[name], mimetype=ASSETS[name])
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    return response
