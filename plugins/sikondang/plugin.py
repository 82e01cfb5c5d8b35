"""Hook implementations of the sikondang service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

SLUG = "sikondang"
VERSION = "0.1.0"


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
def ragem_blueprints():
    """The service's routes (a health probe until the service's own issue lands)."""
    return [toolkit.health_blueprint(SLUG)]
