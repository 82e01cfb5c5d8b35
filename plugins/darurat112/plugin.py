"""Hook implementations of the darurat112 service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

SLUG = "darurat112"
VERSION = "0.1.0"


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
def ragem_blueprints():
    """The service's routes (a health probe until the service's own issue lands)."""
    return [toolkit.health_blueprint(SLUG)]
