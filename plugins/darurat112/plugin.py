"""Hook implementations of the darurat112 service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.darurat112 import access, api
from plugins.darurat112.console import pages as console_pages
from plugins.darurat112.services import data_rights, demo, kpis, open_items
from plugins.darurat112 import settings as plugin_settings
from plugins.darurat112 import models  # noqa: F401  (the tables, for create_all)

SLUG = "darurat112"
VERSION = "0.2.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the service for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG,
        name={"id": "Layanan Darurat 112", "en": "112 Emergency Service"},
        description={
            "id": "Panggilan darurat 112 dan peringatan dini untuk warga Kota Serang.",
            "en": "The 112 emergency line and public alerts for Kota Serang.",
        },
        opd="DISKOMINFO",
        version=VERSION,
        icon="siren",
        critical=True,
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse to start on a malformed ``RAGEM_DARURAT112_*`` setting (command-centre OPDs, supervisors,
    telephony accounts, prank limit and window, block duration, alerting OPDs, CAP sender)."""
    return plugin_settings.problems(settings)


@hookimpl
def ragem_permissions() -> list[toolkit.Permission]:
    """Citizens report; the command centre takes calls and dispatches; agencies handle their dispatches;
    supervisors and the telephony system read the block list."""
    return list(access.PERMISSIONS)


@hookimpl
def ragem_permission_check(user, permission, resource):
    """Command-centre rights only for the command-centre OPDs' officers; supervision and telephony for
    the accounts an admin granted them to."""
    if not permission.startswith(f"{SLUG}."):
        return None
    return access.grant(user, permission)


@hookimpl
def ragem_profile_fields():
    """The reporter's name and phone, read once when an incident is raised, to call them back."""
    purpose = {"id": "menghubungi kembali pelapor keadaan darurat", "en": "to call an emergency's reporter back"}
    return [toolkit.ProfileFieldUse("name", purpose), toolkit.ProfileFieldUse("phone", purpose)]


@hookimpl
def ragem_blueprints():
    """The service's routes: the health probe and one blueprint per resource (``api/``)."""
    return [toolkit.health_blueprint(SLUG), api.incidents.blp, api.calls.blp, api.command.blp,
            api.dispatches.blp, api.blocks.blp, api.kpis.blp, api.alerts.blp, api.staff.blp]


@hookimpl
def ragem_console_pages():
    """The command centre's live queue and an incident's page (claim, triage, marks, dispatch,
    closing) for darurat112.command; the block list (lift) for darurat112.supervise."""
    return console_pages.console_pages()


@hookimpl
def ragem_migrations() -> str:
    """This plugin's own Alembic history (version table alembic_version_darurat112)."""
    return str(Path(__file__).resolve().with_name("migrations"))


@hookimpl
def ragem_demo_data(session):
    """A few demo incidents in different states, a prank call and one active public alert (idempotent:
    only missing ones are added)."""
    demo.ensure_demo_incidents()
    demo.ensure_demo_alert()


@hookimpl
def ragem_profile_summary(user):
    """The citizen's open incidents for ``GET /api/v1/me/summary``."""
    return data_rights.summary(user)


@hookimpl
def ragem_user_export(user):
    """Every incident the citizen raised, for ``GET /api/v1/me/export``."""
    return data_rights.export(user)


@hookimpl
def ragem_user_erase(user):
    """Anonymise the citizen's incidents (an emergency record the city must keep)."""
    return data_rights.erase(user)


@hookimpl
def ragem_kpis(period):
    """The period's 112 KPIs, overall (``darurat112.incidents``, ``darurat112.on_scene_within_target``...)."""
    return kpis.kpi_values(period)


@hookimpl
def ragem_open_items(user):
    """The console dashboard's count: open incidents, for the command centre."""
    return open_items.open_incidents(user)
