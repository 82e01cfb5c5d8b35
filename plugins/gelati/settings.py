"""The marketplace's settings (``RAGEM_GELATI_*``): how long an order waits, what counts as low stock."""
from __future__ import annotations

from ragem import toolkit

#: An order still awaiting payment or the seller's confirmation after this many hours expires
#: (the periodic job ``gelati.expire_orders``) and its stock returns to the shop.
ORDER_EXPIRY_HOURS = toolkit.PluginSetting(
    "GELATI_ORDER_EXPIRY_HOURS", parse=toolkit.positive_int, default=48,
    help="hours an order may wait for payment or the seller's confirmation before it expires")
#: The seller dashboard lists active products with at most this many items left.
LOW_STOCK = toolkit.PluginSetting(
    "GELATI_LOW_STOCK", parse=toolkit.positive_int, default=5,
    help="stock at or below which the seller dashboard lists a product as running low")
#: Officers of these OPDs verify, reject and suspend shops (admins always may).
UMKM_OPDS = toolkit.PluginSetting(
    "GELATI_UMKM_OPDS", parse=toolkit.text_list, default=["DISKOPUKM"],
    help="comma-separated OPD codes whose officers verify shops (the UMKM office)")

ALL = (ORDER_EXPIRY_HOURS, LOW_STOCK, UMKM_OPDS)


def problems(settings) -> list[str]:
    """Every malformed ``RAGEM_GELATI_*`` value, for ``ragem_config_check``."""
    return [problem for setting in ALL for problem in setting.problems(settings)]
