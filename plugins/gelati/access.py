"""Who may do what in the marketplace.

- buyers (``gelati.buy``, every account): a cart, checkout, their own orders and reviews;
- sellers (``gelati.sell``, citizens): apply for one shop, then run it; a seller sees only their
  shop's orders, and the buyer's contact only through ``toolkit.read_profile`` (logged);
- the UMKM office (``gelati.verify``): officers of ``RAGEM_GELATI_UMKM_OPDS`` (DISKOPUKM by
  default) and admins see every shop with its verification data, and verify, reject or suspend.
"""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati import settings

BUY, SELL, VERIFY = "gelati.buy", "gelati.sell", "gelati.verify"

PERMISSIONS = (
    toolkit.Permission(BUY, {"id": "Berbelanja di GELATI", "en": "Shop on GELATI"}, ("citizen", "officer", "admin")),
    toolkit.Permission(SELL, {"id": "Membuka dan mengelola toko UMKM", "en": "Open and run a UMKM shop"},
                       ("citizen",)),
    # Officers of other OPDs are refused by ``grant``: only the UMKM office's.
    toolkit.Permission(VERIFY, {"id": "Memverifikasi toko UMKM", "en": "Verify UMKM shops"}, ("officer", "admin")),
)


def grant(user: toolkit.Account, permission: str) -> bool | None:
    """The ``ragem_permission_check`` answer: verification only for the UMKM office's officers and
    admins; ``None`` (the role defaults) elsewhere."""
    if permission == VERIFY and not user.has_role("admin"):
        return None if user.opd_code in settings.UMKM_OPDS.value() else False
    return None


def is_umkm_officer(user: toolkit.Account | None) -> bool:
    """Whether ``user`` works for the UMKM office (or is an admin)."""
    return user is not None and user.id is not None and toolkit.can(user, VERIFY)
