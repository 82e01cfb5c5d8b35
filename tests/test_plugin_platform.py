"""The plugin platform: broken plugins are isolated and reported, allow/deny lists, the admin plugin
list, permissions with their default roles, vetoes and grants, and plugin CLI commands.

Throwaway plugins are plain objects with ``@hookimpl`` methods, registered with
``make_app(extra_plugins=[(name, obj)])``; an import failure and a distribution's name need a real
entry point, so some tests install a tiny distribution (a ``.dist-info`` with ``entry_points.txt``)
on ``sys.path``. No test here depends on which other plugins are installed or denied.
"""
from __future__ import annotations

import json

import click
import pluggy
import pytest
from click.testing import CliRunner
from marshmallow import fields

from ragem import toolkit
from ragem.auth.models import User
from ragem.cli import main as ragem_cli
from ragem.extensions import db
from ragem.testing import bearer, create_account
from ragem.toolkit import hookimpl

from throwaway import (
    CRITICAL_SERVICE, OTHER_SERVICE, SERVICE, SERVICE_MODULE, ThrowawayPlugin, install_distribution,
    throwaway_services,
)

SERVICES = {SERVICE, OTHER_SERVICE, CRITICAL_SERVICE}  # the throwaway services


def headers_for(app, role: str = "citizen") -> dict[str, str]:
    """Authorization headers of a fresh account with ``role``."""
    user_id, _phone, _password = create_account(app, role)
    return bearer(app, user_id)


def admin_plugins(app) -> dict[str, dict]:
    """``GET /api/v1/admin/plugins`` as an admin, keyed by entry-point name."""
    response = app.test_client().get("/api/v1/admin/plugins", headers=headers_for(app, "admin"))
    assert response.status_code == 200
    return {item["name"]: item for item in response.json["items"]}


# --- failing plugins ---------------------------------------------------------------------------

class RaisingInfo(ThrowawayPlugin):
    @hookimpl
    def ragem_plugin_info(self):
        raise RuntimeError("cannot read my own version file")


class NoInfo:
    """Implements a hook but never says who it is."""

    @hookimpl
    def ragem_blueprints(self):
        return []


class NeedsToken(ThrowawayPlugin):
    @hookimpl
    def ragem_config_check(self, settings):
        token = settings.get(f"{self.slug.upper()}_TOKEN")
        return [] if token else [f"RAGEM_{self.slug.upper()}_TOKEN is not set"]


class WrongPermission(ThrowawayPlugin):
    @hookimpl
    def ragem_permissions(self):
        return [toolkit.Permission("rabeg.close_any", {"id": "tutup laporan", "en": "close any report"}, ("officer",))]


class PingOut(toolkit.BaseSchema):
    """What the throwaway ping routes answer."""

    service = fields.String()


class ItemsOut(toolkit.BaseSchema):
    """What the throwaway item routes answer."""

    items = fields.List(fields.Dict())


def pinger(blueprint_name: str, path: str = "/ping"):
    """A blueprint answering ``GET <path>`` with the name of the blueprint."""
    blp = toolkit.Blueprint(blueprint_name, __name__)

    @blp.route(path)
    @blp.response(200, PingOut)
    def ping():
        return {"service": blueprint_name}

    return blp


class SameBlueprintName(ThrowawayPlugin):
    @hookimpl
    def ragem_blueprints(self):
        return [pinger("shared_name")]


@pytest.fixture
def broken_distribution(tmp_path, monkeypatch):
    """An installed distribution whose entry point's module fails to import."""
    install_distribution(tmp_path / "site", "brokenimport", "import ragem_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))  # undone after the test; invalidates import caches
    return "brokenimport"


@pytest.fixture
def installed_service(tmp_path, monkeypatch):
    """An installed distribution ``ragem-plugin-zzinstalled`` (0.9.0) with a working service."""
    install_distribution(tmp_path / "site", "zzinstalled", SERVICE_MODULE.format(slug="zzinstalled", critical=False))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return "zzinstalled"


EXPECTED_FAILURES = {
    "brokenimport": "import failed: ModuleNotFoundError",
    "raisinginfo": "cannot read my own version file",
    "noinfo": "ragem_plugin_info must return a toolkit.PluginInfo",
    "badslug": "slug 'Bad-Slug' must be",
    "noenname": "name needs both 'id' and 'en' texts",
    "needstoken": "configuration: RAGEM_NEEDSTOKEN_TOKEN is not set",
    "dupesecond": "slug 'dupe' is already used by another plugin",
    "wrongperm": "permission 'rabeg.close_any' must start with 'wrongperm.'",
    "blpsecond": "blueprint name 'shared_name' is already taken",
}


@pytest.fixture
def platform_with_broken_plugins(make_app, broken_distribution):
    """An app with the throwaway services, healthy plugins and one broken plugin per failure kind."""
    return make_app(
        extra_plugins=[
            *throwaway_services(),
            ("raisinginfo", RaisingInfo("raisinginfo")),
            ("noinfo", NoInfo()),
            ("badslug", ThrowawayPlugin("Bad-Slug")),
            ("noenname", ThrowawayPlugin("noenname", name={"id": "Tanpa nama Inggris"})),
            ("needstoken", NeedsToken("needstoken")),
            ("hastoken", NeedsToken("hastoken")),
            ("dupefirst", ThrowawayPlugin("dupe")),
            ("dupesecond", ThrowawayPlugin("dupe")),
            ("wrongperm", WrongPermission("wrongperm")),
            ("blpfirst", SameBlueprintName("blpfirst")),
            ("blpsecond", SameBlueprintName("blpsecond")),
        ],
        HASTOKEN_TOKEN="s3cret",  # plugin settings pass through to ragem_config_check
    )


def test_failing_plugins_are_listed_with_their_reason_and_the_rest_keeps_serving(platform_with_broken_plugins):
    app = platform_with_broken_plugins
    listed = admin_plugins(app)

    for name, reason in EXPECTED_FAILURES.items():
        assert listed[name]["status"] == "failed", name
        assert reason in listed[name]["reason"], (name, listed[name]["reason"])
    assert listed["brokenimport"]["distribution"] == "ragem-plugin-brokenimport"
    assert listed["brokenimport"]["version"] == "0.9.0"
    for name in SERVICES | {"hastoken", "dupefirst", "blpfirst"}:
        assert listed[name]["status"] == "enabled" and listed[name]["reason"] is None, name

    client = app.test_client()
    for slug in SERVICES:
        assert client.get(f"/api/v1/{slug}/health").status_code == 200, slug
    assert client.get("/api/v1/blpfirst/ping").json == {"service": "shared_name"}
    assert client.get("/api/v1/blpsecond/ping").status_code == 404
    # The catalog lists the healthy services and none of the failed ones (whatever else is installed).
    catalog = {item["slug"] for item in client.get("/api/v1/services").json["items"]}
    assert SERVICES | {"hastoken", "dupe", "blpfirst"} <= catalog
    assert not catalog & {"brokenimport", "raisinginfo", "noinfo", "Bad-Slug", "noenname", "needstoken",
                          "wrongperm", "blpsecond"}


def test_plugins_list_command_reports_the_same(platform_with_broken_plugins, monkeypatch):
    monkeypatch.setattr("ragem.cli.plugins.build_app", lambda read_only=False: platform_with_broken_plugins)
    runner = CliRunner()

    result = runner.invoke(ragem_cli, ["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = {item["name"]: item for item in json.loads(result.output)}
    for name, reason in EXPECTED_FAILURES.items():
        assert listed[name]["status"] == "failed" and reason in listed[name]["reason"], name
    assert listed[SERVICE]["status"] == "enabled"

    table = runner.invoke(ragem_cli, ["plugins", "list"])
    assert table.exit_code == 0, table.output
    line = next(line for line in table.output.splitlines() if line.startswith("brokenimport "))
    assert "ragem-plugin-brokenimport" in line and "failed (import failed: ModuleNotFoundError" in line
    line = next(line for line in table.output.splitlines() if line.startswith(f"{SERVICE} "))
    assert "2.3.4" in line and line.rstrip().endswith("enabled")


class MisspelledHook(ThrowawayPlugin):
    @hookimpl
    def ragem_blueprint(self):  # the spec is ragem_blueprints
        return []


def test_a_misspelled_hook_fails_start_up_loudly(make_app):
    with pytest.raises(pluggy.PluginValidationError) as failure:
        make_app(extra_plugins=[("typo", MisspelledHook("typo"))])
    assert "ragem_blueprint" in str(failure.value)


# --- allow and deny lists ---------------------------------------------------------------------

def test_deny_list_leaves_plugins_out(make_app, monkeypatch):
    monkeypatch.setenv("RAGEM_PLUGINS_DENY", f"{SERVICE}, {OTHER_SERVICE}")
    app = make_app(extra_plugins=throwaway_services())
    listed = admin_plugins(app)
    for name in (SERVICE, OTHER_SERVICE):
        assert listed[name]["status"] == "disabled"
        assert "RAGEM_PLUGINS_DENY" in listed[name]["reason"]
    assert listed[CRITICAL_SERVICE]["status"] == "enabled"
    client = app.test_client()
    catalog = {item["slug"] for item in client.get("/api/v1/services").json["items"]}
    assert CRITICAL_SERVICE in catalog and not catalog & {SERVICE, OTHER_SERVICE}
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 404
    assert client.get(f"/api/v1/{CRITICAL_SERVICE}/health").status_code == 200


def test_allow_list_loads_only_the_named_plugins(make_app, installed_service):
    app = make_app(extra_plugins=[("extra", ThrowawayPlugin("extra")), *throwaway_services()],
                   PLUGINS_ALLOW=[SERVICE, "extra"])
    listed = admin_plugins(app)
    assert {name for name, item in listed.items() if item["status"] == "enabled"} == {SERVICE, "extra"}
    # Every other plugin, installed (the built-ins, an OPD's package) or added, stays out.
    assert {OTHER_SERVICE, CRITICAL_SERVICE, installed_service} < set(listed)
    for name in set(listed) - {SERVICE, "extra"}:
        assert listed[name]["status"] == "disabled" and "RAGEM_PLUGINS_" in listed[name]["reason"], name
    client = app.test_client()
    assert {item["slug"] for item in client.get("/api/v1/services").json["items"]} == {SERVICE, "extra"}
    assert client.get(f"/api/v1/{OTHER_SERVICE}/health").status_code == 404
    assert client.get(f"/api/v1/{installed_service}/health").status_code == 404


# --- the admin plugin list --------------------------------------------------------------------

class Contributor(ThrowawayPlugin):
    @hookimpl
    def ragem_blueprints(self):
        return [pinger("contrib_api", "/items"), _prefixed(pinger("contrib_admin", "/stats"), "/admin")]


def _prefixed(blueprint, prefix):
    blueprint.url_prefix = prefix
    return blueprint


def test_admin_plugin_list_shows_version_distribution_and_hooks(make_app, installed_service):
    app = make_app(extra_plugins=[("contrib", Contributor("contrib")), *throwaway_services()])
    listed = admin_plugins(app)
    assert set(listed) >= SERVICES | {"contrib", installed_service}
    # Found through its entry point: the distribution it came from, its own version, its hooks.
    assert listed[installed_service] == {
        "name": installed_service, "slug": installed_service, "version": "1.0.0",
        "distribution": "ragem-plugin-zzinstalled", "status": "enabled", "reason": None,
        "hooks": ["ragem_blueprints", "ragem_plugin_info"], "critical": False,
    }
    assert listed[CRITICAL_SERVICE]["critical"] is True
    assert listed["contrib"] == {
        "name": "contrib", "slug": "contrib", "version": "2.3.4", "distribution": None,
        "status": "enabled", "reason": None, "hooks": ["ragem_blueprints", "ragem_plugin_info"], "critical": False,
    }


def test_blueprints_mount_under_the_slug_and_close_with_the_service(make_app):
    app = make_app(extra_plugins=[("contrib", Contributor("contrib")), *throwaway_services()])
    client = app.test_client()
    assert client.get("/api/v1/contrib/items").json == {"service": "contrib_api"}
    assert client.get("/api/v1/contrib/admin/stats").json == {"service": "contrib_admin"}
    assert client.get("/items").status_code == 404

    admin = headers_for(app, "admin")
    switched = client.patch("/api/v1/admin/services/contrib", json={"enabled": False, "reason": "pemeliharaan"}, headers=admin)
    assert switched.status_code == 200
    for path in ("/api/v1/contrib/items", "/api/v1/contrib/admin/stats"):
        closed = client.get(path)
        assert closed.status_code == 503 and closed.json["error"]["code"] == "service_unavailable"
    assert admin_plugins(app)["contrib"]["status"] == "disabled"
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_only_admins_see_the_plugin_list(make_app):
    app = make_app()
    client = app.test_client()
    for role in ("citizen", "officer"):
        response = client.get("/api/v1/admin/plugins", headers=headers_for(app, role))
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert client.get("/api/v1/admin/plugins").status_code == 401


# --- permissions ------------------------------------------------------------------------------

class Permitted(ThrowawayPlugin):
    """Declares permissions and guards its routes with them."""

    @hookimpl
    def ragem_permissions(self):
        return [
            toolkit.Permission("permx.view", {"id": "lihat data", "en": "view data"}, ("officer", "admin")),
            toolkit.Permission("permx.purge", {"id": "hapus semua", "en": "purge everything"}, ("admin",)),
        ]

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("permx_api", __name__)

        @blp.route("/items")
        @toolkit.permission_required("permx.view")
        @blp.response(200, ItemsOut)
        def items():
            return {"items": [{"id": 1}]}

        @blp.route("/items", methods=["DELETE"])
        @toolkit.permission_required("permx.purge")
        @blp.response(200, ItemsOut)
        def purge():
            return {"items": []}

        return [blp]


class Policy(ThrowawayPlugin):
    """Vetoes every purge (even an admin's) and grants viewing to users on its list."""

    def __init__(self, slug):
        super().__init__(slug)
        self.granted: set[str] = set()
        self.seen: list[tuple[str, object]] = []

    @hookimpl
    def ragem_permission_check(self, user, permission, resource):
        self.seen.append((permission, resource))
        if permission == "permx.purge":
            return False
        if permission == "permx.view" and user.id in self.granted:
            return True
        return None


def test_permissions_follow_default_roles_then_vetoes_and_grants(make_app):
    policy = Policy("policy")
    app = make_app(extra_plugins=[("permx", Permitted("permx")), ("policy", policy)])
    client = app.test_client()
    citizen, officer, admin = headers_for(app, "citizen"), headers_for(app, "officer"), headers_for(app, "admin")

    denied = client.get("/api/v1/permx/items", headers=citizen)
    assert denied.status_code == 403
    assert denied.json["error"]["details"] == {"required_permission": "permx.view"}
    assert client.get("/api/v1/permx/items", headers=officer).status_code == 200
    assert client.get("/api/v1/permx/items", headers=admin).status_code == 200
    assert client.get("/api/v1/permx/items").status_code == 401

    # A veto denies even the role the permission defaults to.
    assert client.delete("/api/v1/permx/items", headers=admin).status_code == 403

    # A grant lets in a citizen the roles leave out.
    lucky_id, _phone, _password = create_account(app, "citizen")
    policy.granted.add(lucky_id)
    assert client.get("/api/v1/permx/items", headers=bearer(app, lucky_id)).status_code == 200

    with app.app_context():
        lucky = db.session.get(User, lucky_id)
        assert toolkit.can(lucky, "permx.view", resource={"report": 7}) is True
        assert ("permx.view", {"report": 7}) in policy.seen  # the resource reaches the check
        assert toolkit.can(None, "permx.view") is False
        assert toolkit.can(lucky, "permx.unknown") is False


class GrantEverything(ThrowawayPlugin):
    @hookimpl
    def ragem_permission_check(self, user, permission, resource):
        return True


class BrokenPolicy(ThrowawayPlugin):
    @hookimpl
    def ragem_permission_check(self, user, permission, resource):
        raise RuntimeError("policy database down")


def test_denials_win_over_grants_and_a_broken_policy_fails_closed(make_app):
    app = make_app(extra_plugins=[("permx", Permitted("permx")), ("policy", Policy("policy")), ("grantall", GrantEverything("grantall"))])
    client = app.test_client()
    assert client.get("/api/v1/permx/items", headers=headers_for(app, "citizen")).status_code == 200  # granted
    assert client.delete("/api/v1/permx/items", headers=headers_for(app, "admin")).status_code == 403  # veto wins

    broken = make_app(extra_plugins=[("permx", Permitted("permx")), ("brokenpolicy", BrokenPolicy("brokenpolicy"))])
    response = broken.test_client().get("/api/v1/permx/items", headers=headers_for(broken, "officer"))
    assert response.status_code == 403


# --- CLI commands -----------------------------------------------------------------------------

class WithCommands(ThrowawayPlugin):
    @hookimpl
    def ragem_cli_commands(self):
        @click.command("count-users")
        @click.option("--role", default=None)
        def count_users(role):
            """Count accounts (runs inside the app context, so the database is there)."""
            users = toolkit.db.session.query(User).all()
            click.echo(f"{self.slug}: {sum(1 for u in users if role is None or u.has_role(role))} accounts")

        return [count_users]


def test_plugin_cli_commands_run_under_the_slug(make_app, monkeypatch):
    app = make_app(extra_plugins=[("clitool", WithCommands("clitool")), *throwaway_services()])
    create_account(app, "officer")
    create_account(app, "citizen")
    monkeypatch.setattr("ragem.cli.build_app", lambda read_only=False: app)
    runner = CliRunner()

    result = runner.invoke(ragem_cli, ["clitool", "count-users", "--role", "officer"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "clitool: 1 accounts"
    assert "count-users" in runner.invoke(ragem_cli, ["clitool", "--help"]).output
    # A service without commands has no group.
    assert runner.invoke(ragem_cli, [SERVICE, "anything"]).exit_code != 0


# Module-level, as a plugin's commands usually are: the same objects serve every invocation.
@click.group("accounts")
def accounts_group():
    """Account tools of a throwaway plugin."""


@accounts_group.command("count")
def count_accounts():
    """Count accounts in the app this invocation runs on."""
    click.echo(f"{toolkit.db.session.query(User).count()} accounts")


class WithGroup(ThrowawayPlugin):
    @hookimpl
    def ragem_cli_commands(self):
        return [accounts_group]


def test_a_plugin_command_group_runs_every_invocation_on_its_own_app(make_app, monkeypatch):
    first = make_app(extra_plugins=[("grouped", WithGroup("grouped"))])
    second = make_app(extra_plugins=[("grouped", WithGroup("grouped"))], DATABASE_URL="sqlite://")
    create_account(first, "citizen")
    runner = CliRunner()
    for app, expected in ((first, "1 accounts"), (second, "0 accounts"), (first, "1 accounts")):
        monkeypatch.setattr("ragem.cli.build_app", lambda read_only=False, app=app: app)
        result = runner.invoke(ragem_cli, ["grouped", "accounts", "count"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == expected
