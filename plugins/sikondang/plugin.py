"""Hook implementations of the sikondang service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.sikondang import MANAGE, SLUG, VERSION, api, cli
from plugins.sikondang import models  # noqa: F401  (the tables, for create_all)
from plugins.sikondang.ckan import views as ckan_views
from plugins.sikondang.console import pages as sikondang_console
from plugins.sikondang.services import data_rights, demo, imports, kpi_datasets, stats


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the service for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG,
        name={"id": "SIKONDANG - Statistik Kota", "en": "SIKONDANG - City Statistics"},
        description={
            "id": "Data dan statistik Kota Serang dalam angka.",
            "en": "Kota Serang's data and statistics in numbers.",
        },
        opd="DISKOMINFO",
        version=VERSION,
        icon="chart",
        critical=False,
    )


@hookimpl
def ragem_config_check(settings):
    """Refuse to start on a bad upload limit (RAGEM_SIKONDANG_MAX_UPLOAD_BYTES, _MAX_ROWS)."""
    return imports.MAX_UPLOAD_BYTES.problems(settings) + imports.MAX_ROWS.problems(settings)


@hookimpl
def ragem_permissions() -> list[toolkit.Permission]:
    """Reading published data needs no permission; officers manage their OPD's datasets, admins all."""
    return [
        toolkit.Permission(MANAGE, {"id": "Mengelola dataset OPD sendiri", "en": "Manage own OPD's datasets"},
                           ("officer", "admin")),
    ]


@hookimpl
def ragem_blueprints():
    """The service's routes: the health probe, one blueprint per resource (``api/``) and the CKAN
    Action API root-mounted at ``/satudata`` for harvesters."""
    return [toolkit.health_blueprint(SLUG), api.datasets.blp, api.imports.blp, api.data.blp, ckan_views.blp]


@hookimpl
def ragem_console_pages():
    """The datasets with their state, and a dataset's page to upload its table and read the
    validation report, in the staff console (sikondang.manage)."""
    return sikondang_console.console_pages()


@hookimpl
def ragem_cli_commands():
    """``ragem sikondang import DATASET FILE [--publish]``: load a table from the shell."""
    return cli.commands


@hookimpl
def ragem_demo_data(session):
    """Two BPS tables about Banten as published datasets (idempotent: existing ones are kept)."""
    demo.ensure_demo_datasets()


@hookimpl
def ragem_periodic_jobs():
    """Daily at 03:00 WIB: publish the previous month's KPIs of every service as datasets (once)."""
    return [toolkit.PeriodicJob("kpi-datasets", every_seconds=86400, func=kpi_datasets.publish_previous_month,
                                at="03:00")]


@hookimpl
def ragem_kpis(period):
    """Datasets published, updated on schedule, data updates, downloads and CKAN API calls."""
    return stats.kpi_values(period)


@hookimpl
def ragem_user_export(user):
    """The datasets an officer defined and the tables they uploaded (``GET /api/v1/me/export``)."""
    return data_rights.export(user)


@hookimpl
def ragem_user_erase(user):
    """Remove the officer's account id from datasets, revisions and imports; the statistics stay."""
    return data_rights.erase(user)


@hookimpl
def ragem_migrations() -> str:
    """This plugin's own Alembic history (version table alembic_version_sikondang)."""
    return str(Path(__file__).resolve().with_name("migrations"))
