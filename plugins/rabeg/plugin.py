"""Hook implementations of the rabeg service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.rabeg import api, calendar, photos, seed
from plugins.rabeg.services import assisted, autoclose, data_rights, demo, escalation, kpis, open_items, templates
from plugins.rabeg import models  # noqa: F401  (the tables, for create_all)
from plugins.rabeg.console import pages as rabeg_console
from plugins.rabeg.open311 import cli as open311_cli, views as open311_views  # Open311 GeoReport v2

SLUG = "rabeg"
VERSION = "0.1.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the service for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG,
        name={"id": "RABEG - Pengaduan Warga", "en": "RABEG - Citizen Complaints"},
        description={
            "id": "Laporkan masalah di lingkungan Anda; laporan langsung diteruskan ke OPD yang bertanggung jawab.",
            "en": "Report a problem in your area; the report goes straight to the responsible agency.",
        },
        opd="DISKOMINFO",
        version=VERSION,
        icon="megaphone",
        critical=False,
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse to start on a bad setting: the public holidays (RAGEM_RABEG_HOLIDAYS, comma-separated ISO
    dates) that the deadlines skip, and the photo size limit (RAGEM_RABEG_PHOTO_MAX_BYTES)."""
    return calendar.HOLIDAYS.problems(settings) + photos.MAX_BYTES.problems(settings)


@hookimpl
def ragem_permissions() -> list[toolkit.Permission]:
    """Citizens file, officers handle their OPD's complaints, admins (Diskominfo) see all; officers of any
    OPD and admins record complaints brought to them in person, by phone, by letter or from social media."""
    return [
        toolkit.Permission("rabeg.file", {"id": "Mengajukan pengaduan", "en": "File complaints"},
                           ("citizen", "officer", "admin")),
        toolkit.Permission("rabeg.handle", {"id": "Menangani pengaduan OPD sendiri", "en": "Handle own OPD's complaints"},
                           ("officer", "admin")),
        toolkit.Permission("rabeg.assist", {"id": "Mencatat pengaduan atas nama warga (datang langsung, telepon, surat, "
                                                  "media sosial)",
                                            "en": "Record complaints on a citizen's behalf (in person, phone, letter, "
                                                  "social media)"},
                           ("officer", "admin")),
        toolkit.Permission("rabeg.admin", {"id": "Mengelola semua pengaduan", "en": "Manage all complaints"}, ("admin",)),
    ]


@hookimpl
def ragem_blueprints():
    """The service's routes: the health probe, one blueprint per resource (``api/``) and Open311."""
    return [toolkit.health_blueprint(SLUG), api.complaints.blp, api.photos.blp, api.support.blp,
            api.categories.blp, api.lifecycle.blp, api.templates.blp, api.public.blp, api.kpis.blp,
            open311_views.blp, api.api_keys.blp]


@hookimpl
def ragem_console_pages():
    """The OPD's complaint queue and a complaint's page (respond, note, transition, duplicate,
    moderate, re-route) in the staff console, for officers and admins (rabeg.handle)."""
    return rabeg_console.console_pages()


@hookimpl
def ragem_cli_commands():
    """``ragem rabeg api-keys create NAME | list | revoke ID``: keys of Open311 clients."""
    return open311_cli.commands


@hookimpl
def ragem_migrations() -> str:
    """This plugin's own Alembic history (version table alembic_version_rabeg)."""
    return str(Path(__file__).resolve().with_name("migrations"))


@hookimpl
def ragem_reference_data(session):
    """The complaint categories of Kota Serang and the officers' response templates: only missing
    ones are added, so an admin's changes stay."""
    seed.ensure_categories(session)
    templates.ensure_templates(session)


@hookimpl
def ragem_demo_data(session):
    """A few demo complaints filed by the demo citizens (idempotent: only missing ones are added)."""
    demo.ensure_demo_complaints()


@hookimpl
def ragem_profile_fields():
    """The reporter's name, read at filing when they let it be shown on their complaint, and their
    name and phone for the officers of the assigned OPD (never for an anonymous complaint)."""
    return [
        toolkit.ProfileFieldUse("name", {
            "id": "menampilkan nama pelapor pada pengaduan (jika diizinkan) dan kepada petugas OPD yang menanganinya",
            "en": "to show the reporter's name on a complaint (when allowed) and to the officers of the OPD "
                  "handling it"}),
        toolkit.ProfileFieldUse("phone", {
            "id": "agar petugas OPD yang menangani pengaduan dapat menghubungi pelapor",
            "en": "so the officers of the OPD handling a complaint can reach its reporter"}),
    ]


@hookimpl
def ragem_profile_summary(user):
    """The citizen's open complaints for ``GET /api/v1/me/summary``."""
    return data_rights.summary(user)


@hookimpl
def ragem_user_export(user):
    """All of the citizen's complaints, for ``GET /api/v1/me/export``."""
    return data_rights.export(user)


@hookimpl
def ragem_user_erase(user):
    """Anonymise the citizen's complaints (kept as a public record)."""
    return data_rights.erase(user)


@hookimpl
def ragem_user_event(event):
    """A citizen who verified their phone gets the complaints officers recorded for that phone."""
    if event.name == "verified":
        assisted.link_recorded_complaints(event.user_id)


@hookimpl
def ragem_periodic_jobs():
    """Escalate breached deadlines every 5 minutes (exactly once per breach, however many workers),
    auto-close unconfirmed resolved complaints and delete abandoned photo uploads every hour."""
    return [
        toolkit.PeriodicJob("escalate", every_seconds=escalation.EVERY_SECONDS, func=escalation.escalate_breaches),
        # Resolved complaints the reporter left unanswered for 7 days close by themselves.
        toolkit.PeriodicJob("autoclose", every_seconds=3600, func=autoclose.autoclose_job),
        # Photos uploaded for a form the citizen then abandoned.
        toolkit.PeriodicJob("photo-cleanup", every_seconds=3600, func=photos.delete_unattached),
    ]


@hookimpl
def ragem_kpis(period):
    """The period's complaint KPIs, overall (``rabeg.received``, ``rabeg.resolution_within_target``...)."""
    return kpis.kpi_values(period)


@hookimpl
def ragem_open_items(user):
    """The console dashboard's count: open complaints of the officer's OPD (every OPD's for admins)."""
    return open_items.open_complaints(user)
