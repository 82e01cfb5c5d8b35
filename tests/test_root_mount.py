"""Root mounts: a plugin blueprint may ask to be served from the site root (``/open311/v2``) instead
of under ``/api/v1/<slug>``, but never at a path the core serves or another plugin already took.
A refused plugin is marked ``failed`` with the reason and mounts none of its routes."""
from __future__ import annotations

import pytest

from ragem import toolkit
from ragem.testing import bearer, create_account
from ragem.toolkit import hookimpl


class RootMounted:
    """A throwaway service with one ordinary blueprint and one asking for a root mount at ``prefix``."""

    def __init__(self, slug: str, prefix: str):
        self.slug = slug
        self.prefix = prefix

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug=self.slug, name={"id": f"Layanan {self.slug}", "en": f"The {self.slug} service"},
            description={"id": "Layanan uji.", "en": "A test service."}, opd="DISKOMINFO", version="1.0.0",
        )

    @hookimpl
    def ragem_blueprints(self):
        inner = toolkit.Blueprint(f"{self.slug}_inner", __name__)
        root = toolkit.Blueprint(f"{self.slug}_root", __name__, url_prefix=self.prefix, root_mount=True)
        slug = self.slug

        @inner.route("/ping")
        @inner.response(200)
        def ping():
            """Inner route."""
            return {"pong": slug}

        @root.route("/standard")
        @root.response(200)
        def standard():
            """Root-mounted route."""
            return {"served_by": slug}

        return [inner, root]


def _admin_plugins(app):
    user_id, _phone, _password = create_account(app, "admin")
    response = app.test_client().get("/api/v1/admin/plugins", headers=bearer(app, user_id))
    assert response.status_code == 200
    return {item["name"]: item for item in response.json["items"]}


def test_a_root_mounted_blueprint_answers_at_its_own_prefix_and_is_documented(make_app):
    from ragem.apidocs.spec import spec_dict

    app = make_app(extra_plugins=[("stdapi", RootMounted("stdapi", "/standard-api/v1"))])
    client = app.test_client()
    assert client.get("/standard-api/v1/standard").json == {"served_by": "stdapi"}
    assert client.get("/api/v1/stdapi/ping").json == {"pong": "stdapi"}
    # Not also under the plugin prefix.
    assert client.get("/api/v1/stdapi/standard-api/v1/standard").status_code == 404
    assert "/standard-api/v1/standard" in spec_dict(app)["paths"]


@pytest.mark.parametrize("prefix", [
    "/api/v2", "/api", "/healthz/x", "/readyz", "/metrics", "/.well-known/open311", "/openapi.yaml", "/docs",
    "/files/mine",
])
def test_a_root_mount_on_a_core_path_fails_the_plugin(make_app, prefix):
    app = make_app(extra_plugins=[("grabber", RootMounted("grabber", prefix))])
    record = _admin_plugins(app)["grabber"]
    assert record["status"] == "failed"
    assert "is served by the core" in record["reason"]
    client = app.test_client()
    # None of its routes were mounted, the ordinary one included, and the core still answers.
    assert client.get("/api/v1/grabber/ping").status_code == 404
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("prefix", ["", "open311", "/bad prefix", "/../etc"])
def test_a_root_mount_needs_a_clean_path(make_app, prefix):
    app = make_app(extra_plugins=[("sloppy", RootMounted("sloppy", prefix or None))])
    record = _admin_plugins(app)["sloppy"]
    assert record["status"] == "failed" and "must be a path like" in record["reason"]


def test_a_root_prefix_taken_by_another_plugin_fails_the_second(make_app):
    app = make_app(extra_plugins=[
        ("aaafirst", RootMounted("aaafirst", "/sharedstd/v1")),
        ("zzzsecond", RootMounted("zzzsecond", "/sharedstd/v2")),
    ])
    records = _admin_plugins(app)
    assert records["aaafirst"]["status"] == "enabled"
    assert records["zzzsecond"]["status"] == "failed"
    assert "already taken by the plugin 'aaafirst'" in records["zzzsecond"]["reason"]
    client = app.test_client()
    assert client.get("/sharedstd/v1/standard").json == {"served_by": "aaafirst"}
    assert client.get("/sharedstd/v2/standard").status_code == 404


def test_switching_the_service_off_closes_its_root_mounted_routes_too(make_app):
    app = make_app(extra_plugins=[("stdoff", RootMounted("stdoff", "/stdoff/v1"))])
    client = app.test_client()
    user_id, _phone, _password = create_account(app, "admin")
    admin = bearer(app, user_id)
    assert client.patch("/api/v1/admin/services/stdoff", json={"enabled": False, "reason": "uji"},
                        headers=admin).status_code == 200
    response = client.get("/stdoff/v1/standard")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "service_unavailable"
