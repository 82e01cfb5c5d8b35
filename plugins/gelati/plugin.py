"""Hook implementations of the gelati service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

SLUG = "gelati"
VERSION = "0.1.0"


@hookimpl
def ragem_plugin_info() -> toolkit.PluginInfo:
    """Describe the service for the catalog."""
    return toolkit.PluginInfo(
        slug=SLUG,
        name={"id": "GELATI - Pasar UMKM", "en": "GELATI - UMKM Marketplace"},
        description={
            "id": "Belanja produk UMKM Kota Serang langsung dari pelaku usaha.",
            "en": "Buy products from Kota Serang's small businesses, straight from the makers.",
        },
        opd="DISKOPUKM",
        version=VERSION,
        icon="store",
        critical=False,
    )


@hookimpl
def ragem_blueprints():
    """The service's routes (a health probe until the service's own issue lands)."""
    return [toolkit.health_blueprint(SLUG)]
