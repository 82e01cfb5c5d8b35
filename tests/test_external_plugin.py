"""An OPD's own plugin, built and installed outside this repository, works with no change to the core.

Its slug (``zzextprobe``) and the broken package's (``zzextbroken``) are names no OPD would choose,
so a developer who installed a plugin of their own still runs this module unchanged.

The package is written into a temporary folder, installed with pip into a private ``site`` folder
and put on ``sys.path``: ``importlib.metadata`` then finds its ``ragem.plugins`` entry point exactly
as it would in production. The folder leaves ``sys.path`` (and the module ``sys.modules``) when
this module's tests are done.
"""
from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ragem.testing import bearer, create_account

from throwaway import SERVICE, throwaway_services

REPO = Path(__file__).resolve().parents[1]

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "1.2.0"
dependencies = ["ragem"]

[project.entry-points."ragem.plugins"]
{entry} = "{package}.plugin"

[tool.setuptools]
packages = ["{package}"]
"""

PRICES_PLUGIN = '''\
"""Market prices of Kota Serang's public markets: an OPD's own RAGEM service."""
from marshmallow import fields

from ragem import toolkit
from ragem.toolkit import hookimpl

SLUG = "zzextprobe"


class PriceSchema(toolkit.BaseSchema):
    commodity = fields.String(required=True)
    price = fields.Integer(required=True, metadata={"description": "rupiah per kg"})


class PriceListSchema(toolkit.BaseSchema):
    items = fields.List(fields.Nested(PriceSchema), required=True)


blp = toolkit.Blueprint("zzextprobe_prices", __name__, description="Market prices")


@blp.route("/prices")
@toolkit.permission_required("zzextprobe.prices")
@blp.response(200, PriceListSchema)
def prices():
    """Today's prices (officers only while the data is being checked)."""
    return {"items": [{"commodity": "beras", "price": 13500}, {"commodity": "cabai", "price": 42000}]}


@hookimpl
def ragem_plugin_info():
    return toolkit.PluginInfo(
        slug=SLUG,
        name={"id": "Info Harga Pasar", "en": "Market Prices"},
        description={"id": "Harga bahan pokok di pasar rakyat.", "en": "Staple prices in public markets."},
        opd="DISKOMINFO",
        version="1.2.0",
        icon="basket",
    )


@hookimpl
def ragem_permissions():
    return [toolkit.Permission("zzextprobe.prices", {"id": "melihat harga", "en": "see prices"}, ("officer", "admin"))]


@hookimpl
def ragem_blueprints():
    return [blp]


@hookimpl
def ragem_profile_summary(user):
    return {"watched_markets": 2, "latest": "Pasar Rau"}
'''

BROKEN_PLUGIN = '''\
raise ImportError("ragem-plugin-zzextbroken needs the market gateway SDK, which is not installed")
'''


def write_package(root: Path, dist: str, entry: str, package: str, plugin_source: str) -> Path:
    """A plugin project folder with its own pyproject.toml and one module of hooks."""
    project = root / dist
    (project / package).mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT.format(dist=dist, entry=entry, package=package))
    (project / package / "__init__.py").write_text("")
    (project / package / "plugin.py").write_text(plugin_source)
    return project


def pip_install(project: Path, target: Path) -> None:
    """Install ``project`` without dependencies into ``target`` (offline when setuptools allows)."""
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target)]
    done = subprocess.run([*base, "--no-build-isolation", str(project)], capture_output=True, text=True)
    if done.returncode != 0:
        done = subprocess.run([*base, str(project)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Both packages installed into a private folder on ``sys.path`` for this module's tests."""
    root = tmp_path_factory.mktemp("opd-plugins")
    assert REPO not in root.parents  # really outside the repository
    site = root / "site"
    for dist, entry, package, source in (
        ("ragem-plugin-zzextprobe", "zzextprobe", "ragem_plugin_zzextprobe", PRICES_PLUGIN),
        ("ragem-plugin-zzextbroken", "zzextbroken", "ragem_plugin_zzextbroken", BROKEN_PLUGIN),
    ):
        pip_install(write_package(root, dist, entry, package, textwrap.dedent(source)), site)
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m.startswith(("ragem_plugin_zzextprobe", "ragem_plugin_zzextbroken"))]:
            del sys.modules[name]
        importlib.invalidate_caches()


@pytest.fixture
def app(make_app, installed):
    """A fresh app that discovered the installed packages through their entry points."""
    return make_app(extra_plugins=throwaway_services())


def headers_for(app, role):
    user_id, _phone, _password = create_account(app, role)
    return bearer(app, user_id)


def test_its_route_answers_under_its_slug_and_its_permission_is_enforced(app):
    client = app.test_client()
    officer = client.get("/api/v1/zzextprobe/prices", headers=headers_for(app, "officer"))
    assert officer.status_code == 200
    assert officer.json["items"][0] == {"commodity": "beras", "price": 13500}
    citizen = client.get("/api/v1/zzextprobe/prices", headers=headers_for(app, "citizen"))
    assert citizen.status_code == 403
    assert citizen.json["error"]["details"] == {"required_permission": "zzextprobe.prices"}
    assert client.get("/api/v1/zzextprobe/prices").status_code == 401


def test_the_catalog_lists_it_in_both_languages(app):
    client = app.test_client()
    listed = {item["slug"]: item for item in client.get("/api/v1/services").json["items"]}
    assert listed["zzextprobe"]["name"] == "Info Harga Pasar"
    assert listed["zzextprobe"]["version"] == "1.2.0" and listed["zzextprobe"]["icon"] == "basket"
    english = client.get("/api/v1/services", headers={"Accept-Language": "en"}).json["items"]
    assert {item["slug"]: item["name"] for item in english}["zzextprobe"] == "Market Prices"


def test_the_admin_plugin_list_names_its_distribution(app):
    response = app.test_client().get("/api/v1/admin/plugins", headers=headers_for(app, "admin"))
    listed = {item["name"]: item for item in response.json["items"]}
    assert listed["zzextprobe"]["status"] == "enabled"
    assert listed["zzextprobe"]["distribution"] == "ragem-plugin-zzextprobe"
    assert listed["zzextprobe"]["version"] == "1.2.0"
    assert listed["zzextprobe"]["hooks"] == [
        "ragem_blueprints", "ragem_permissions", "ragem_plugin_info", "ragem_profile_summary",
    ]


def test_its_profile_section_appears_in_the_summary(app):
    response = app.test_client().get("/api/v1/me/summary", headers=headers_for(app, "citizen"))
    assert response.status_code == 200
    assert response.json["sections"]["zzextprobe"] == {"watched_markets": 2, "latest": "Pasar Rau"}


def test_switching_it_off_closes_its_routes_catalog_entry_and_section(app):
    client = app.test_client()
    admin = headers_for(app, "admin")
    switched = client.patch(
        "/api/v1/admin/services/zzextprobe", json={"enabled": False, "reason": "data harga diperiksa"}, headers=admin
    )
    assert switched.status_code == 200
    closed = client.get("/api/v1/zzextprobe/prices", headers=admin)
    assert closed.status_code == 503 and closed.json["error"]["code"] == "service_unavailable"
    assert "zzextprobe" not in {item["slug"] for item in client.get("/api/v1/services").json["items"]}
    assert "zzextprobe" not in client.get("/api/v1/me/summary", headers=admin).json["sections"]
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_an_entry_point_that_fails_to_import_is_reported_and_the_rest_serves(app):
    client = app.test_client()
    listed = {
        item["name"]: item
        for item in client.get("/api/v1/admin/plugins", headers=headers_for(app, "admin")).json["items"]
    }
    assert listed["zzextbroken"]["status"] == "failed"
    assert listed["zzextbroken"]["distribution"] == "ragem-plugin-zzextbroken"
    assert "ImportError" in listed["zzextbroken"]["reason"] and "market gateway SDK" in listed["zzextbroken"]["reason"]
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    assert client.get("/api/v1/zzextprobe/prices", headers=headers_for(app, "officer")).status_code == 200
    assert "zzextbroken" not in {item["slug"] for item in client.get("/api/v1/services").json["items"]}
