"""Hook implementations of the rabeg service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from ragem import toolkit
from ragem.toolkit import hookimpl

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
def ragem_blueprints():
    """The service's routes (a health probe until the service's own issue lands)."""
    return [toolkit.health_blueprint(SLUG)]
