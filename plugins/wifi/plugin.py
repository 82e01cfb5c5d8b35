"""Hook implementations of the wifi service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.wifi import access, api, seed
from plugins.wifi import models  # noqa: F401  (the tables, for create_all)
from plugins.wifi import settings as plugin_settings
from plugins.wifi.console import pages as wifi_console
from plugins.wifi.services import data_rights, demo, kpis, silence

SLUG = "wifi"
VERSION = "0.2.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the service for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG,
        name={"id": "Wi-Fi Publik Taman Digital", "en": "Taman Digital Public Wi-Fi"},
        description={
            "id": "Daftar dan masuk ke Wi-Fi gratis di taman dan ruang publik Kota Serang.",
            "en": "Register for and log in to free Wi-Fi in Kota Serang's parks and public spaces.",
        },
        opd="DISKOMINFO",
        version=VERSION,
        icon="wifi",
        critical=False,
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse a malformed ``RAGEM_WIFI_*`` setting, and production without the FreeRADIUS secret."""
    return plugin_settings.problems(settings)


@hookimpl
def ragem_permissions() -> list[toolkit.Permission]:
    """Citizens use the Wi-Fi; admins manage hotspots, policies and suspensions."""
    return list(access.PERMISSIONS)


@hookimpl
def ragem_blueprints():
    """The health probe, the public hotspot list and captive-portal API, the citizen's routes, the
    admins' and the FreeRADIUS endpoints."""
    return [toolkit.health_blueprint(SLUG), api.hotspots.blp, api.citizen.blp, api.admin.blp, api.radius.blp,
            api.captive.blp]


@hookimpl
def ragem_console_pages():
    """The hotspots with their silence state and status, and the suspensions, in the staff console
    (wifi.manage: admins)."""
    return wifi_console.console_pages()


@hookimpl
def ragem_migrations() -> str:
    """This plugin's own Alembic history (version table alembic_version_wifi)."""
    return str(Path(__file__).resolve().with_name("migrations"))


@hookimpl
def ragem_reference_data(session):
    """The first terms version and the global policy (only when missing)."""
    seed.ensure_reference_data(session)


@hookimpl
def ragem_demo_data(session):
    """A few hotspots, the Taman Digital at the alun-alun among them (idempotent)."""
    demo.ensure_demo_hotspots(session)


@hookimpl
def ragem_periodic_jobs():
    """Every 15 minutes: flag hotspots that went silent and tell the command centre."""
    return [toolkit.PeriodicJob("silent-hotspots", every_seconds=900, func=silence.check_silent_hotspots)]


@hookimpl
def ragem_profile_summary(user):
    """The citizen's devices and today's usage for ``GET /api/v1/me/summary``."""
    return data_rights.summary(user)


@hookimpl
def ragem_user_export(user):
    """Registrations, devices and sessions, for ``GET /api/v1/me/export``."""
    return data_rights.export(user)


@hookimpl
def ragem_user_erase(user):
    """Delete devices and credentials; anonymise sessions."""
    return data_rights.erase(user)


@hookimpl
def ragem_kpis(period):
    """The period's Wi-Fi KPIs, overall and per hotspot."""
    return kpis.kpi_values(period)
