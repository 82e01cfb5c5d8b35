"""A plugin cannot take a slug that collides with the core's routes or tables."""
from __future__ import annotations

from ragem.extensions import db
from ragem.plugins import RESERVED_SLUGS
from ragem.toolkit import PluginInfo, hookimpl

from throwaway import SERVICE, throwaway_services


class Impostor:
    """A plugin that tries to call itself ``user`` (the core owns ``user_account``, ``user_role``)."""

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug="user", name={"id": "Palsu", "en": "Fake"},
                          description={"id": "Palsu", "en": "Fake"}, opd="DISKOMINFO", version="1.0")


def test_a_reserved_slug_fails_the_plugin_and_the_platform_keeps_serving(make_app, login_as):
    app = make_app(extra_plugins=[("impostor", Impostor()), *throwaway_services()])
    client = app.test_client()
    listed = {p["name"]: p for p in client.get("/api/v1/admin/plugins", headers=login_as("admin", target_app=app)).json["items"]}
    assert listed["impostor"]["status"] == "failed"
    assert "reserved" in listed["impostor"]["reason"]
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_reserved_slugs_cover_every_core_route_and_table(app):
    route_segments = {
        rule.rule.split("/")[3]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint.split(".")[0] not in app.extensions["ragem.plugins"].blueprint_slugs
    }
    table_prefixes = {
        table.name.split("_")[0]
        for table in db.metadata.sorted_tables
        if not table.name.startswith("alembic") and "_" in table.name
        and any(m.class_.__module__.startswith("ragem.") for m in db.Model.registry.mappers if m.local_table is table)
    }
    missing = (route_segments | table_prefixes) - RESERVED_SLUGS
    assert not missing, f"add these to ragem.plugins.RESERVED_SLUGS: {sorted(missing)}"
