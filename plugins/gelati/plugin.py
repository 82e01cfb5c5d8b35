"""Hook implementations of the gelati service (registered through the `ragem.plugins` entry point)."""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

from plugins.gelati import access, api
from plugins.gelati import settings as plugin_settings
from plugins.gelati import models, search_index  # noqa: F401  (the tables and their search index)
from plugins.gelati.services import data_rights, demo, kpis, open_items, orders, thumbnails
from plugins.gelati.console import pages as gelati_console

SLUG = "gelati"
VERSION = "0.2.0"


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
def ragem_config_check(settings):
    """Refuse to start on a malformed ``RAGEM_GELATI_*`` setting (order expiry, low stock, UMKM OPDs)."""
    return plugin_settings.problems(settings)


@hookimpl
def ragem_permissions() -> list[toolkit.Permission]:
    """Everyone buys; citizens sell; the UMKM office verifies shops."""
    return list(access.PERMISSIONS)


@hookimpl
def ragem_permission_check(user, permission, resource):
    """Shop verification only for the UMKM office's officers (and admins)."""
    if not permission.startswith(f"{SLUG}."):
        return None
    return access.grant(user, permission)


@hookimpl
def ragem_profile_fields():
    """The buyer's name, phone and (for a delivery) address, read when the seller hands an order over."""
    purpose = {"id": "menyerahkan atau mengantar pesanan GELATI", "en": "to hand over or deliver a GELATI order"}
    return [toolkit.ProfileFieldUse(field, purpose) for field in ("name", "phone", "address")]


@hookimpl
def ragem_blueprints():
    """The service's routes: the health probe and one blueprint per resource (``api/``)."""
    return [toolkit.health_blueprint(SLUG), api.shops.blp, api.products.blp, api.cart.blp, api.orders.blp,
            api.reviews.blp, api.dashboard.blp, api.office.blp]


@hookimpl
def ragem_console_pages():
    """The UMKM office's shop verification in the staff console (gelati.verify)."""
    return gelati_console.console_pages()


@hookimpl
def ragem_migrations() -> str:
    """This plugin's own Alembic history (version table alembic_version_gelati)."""
    return str(Path(__file__).resolve().with_name("migrations"))


@hookimpl
def ragem_periodic_jobs():
    """Expire orders left waiting for payment or confirmation (their stock returns); give photos
    stored before thumbnails existed their thumbnail."""
    return [toolkit.PeriodicJob("expire_orders", every_seconds=600, func=orders.expire_due),
            toolkit.PeriodicJob("photo_thumbnails", every_seconds=thumbnails.EVERY_SECONDS, func=thumbnails.backfill)]


@hookimpl
def ragem_demo_data(session):
    """Two verified shops (sate bandeng and emping; batik and crafts) with products (idempotent)."""
    demo.ensure_demo_shops(session)


@hookimpl
def ragem_profile_summary(user):
    """The citizen's shop status and open orders for ``GET /api/v1/me/summary``."""
    return data_rights.summary(user)


@hookimpl
def ragem_user_export(user):
    """The citizen's shop, products, orders and reviews, for ``GET /api/v1/me/export``."""
    return data_rights.export(user)


@hookimpl
def ragem_user_erase(user):
    """Anonymise the citizen's orders and reviews; close their shop and remove its personal data."""
    return data_rights.erase(user)


@hookimpl
def ragem_kpis(period):
    """The period's marketplace KPIs (``gelati.verified_shops``, ``gelati.gmv``...)."""
    return kpis.kpi_values(period)


@hookimpl
def ragem_open_items(user):
    """The console dashboard's count: shops awaiting verification, for the UMKM office."""
    return open_items.shops_awaiting_verification(user)
