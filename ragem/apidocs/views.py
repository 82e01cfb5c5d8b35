"""``/openapi.yaml`` (the contract, generated from this running app) and ``/api/docs`` (for people)."""
from __future__ import annotations

from flask import Response, current_app

from ragem.apidocs.spec import spec_yaml
from ragem.blueprint import Blueprint

blp = Blueprint("apidocs", __name__, description="The API's own documentation")

_DOCS_PAGE = """<!doctype html>
<html lang="id">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>RAGEM API</title>
  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({url: "/openapi.yaml", dom_id: "#docs"});</script>
</body>
</html>
"""


@blp.route("/openapi.yaml")
@blp.response(200, content_type="application/yaml", description="The OpenAPI 3 document")
def openapi_yaml():
    """The OpenAPI document of this server (the same text as the committed ``openapi.yaml``)."""
    cached = current_app.extensions.get("ragem.openapi_yaml")
    if cached is None:
        cached = current_app.extensions["ragem.openapi_yaml"] = spec_yaml(current_app)
    return Response(cached, mimetype="application/yaml")


@blp.route("/api/docs")
@blp.response(200, content_type="text/html", description="Interactive API documentation")
def api_docs():
    """Human-readable API documentation (Swagger UI reading ``/openapi.yaml``)."""
    return Response(_DOCS_PAGE, mimetype="text/html")
