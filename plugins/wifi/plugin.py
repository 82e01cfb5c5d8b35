"""Hook implementations of the wifi service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

SLUG = "wifi"
VERSION = "0.1.0"


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
def ragem_blueprints():
    """The service's routes (a health probe until the service's own issue lands)."""
    return [toolkit.health_blueprint(SLUG)]
