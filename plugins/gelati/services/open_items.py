"""The dashboard's count of shops awaiting verification, for the UMKM office (and admins)."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem import toolkit

from plugins.gelati.access import is_umkm_officer
from plugins.gelati.models import Shop

LABEL = {"id": "Toko menunggu verifikasi", "en": "Shops awaiting verification"}


def shops_awaiting_verification(user: toolkit.Account) -> toolkit.OpenItems | None:
    """Shops that applied and wait for the UMKM office; ``None`` for officers of other OPDs."""
    if not is_umkm_officer(user):
        return None
    count = toolkit.db.session.scalar(select(func.count()).select_from(Shop).where(Shop.status == "applied"))
    return toolkit.OpenItems(count or 0, LABEL)
