"""The UMKM office's shop verification in the console (``/console/p/gelati/...``): the list and a
shop's page call the same service functions and schemas as the ``/office/shops`` API routes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ragem import toolkit

from plugins.gelati.access import VERIFY
from plugins.gelati.schemas.fields import ReasonSchema
from plugins.gelati.schemas.shops import OfficeShopArgsSchema, OfficeShopSchema
from plugins.gelati.services import orders, shops

FOLDER = str(Path(__file__).resolve().parent)

STATUS_NAMES = {
    "applied": {"id": "menunggu verifikasi", "en": "waiting for verification"},
    "verified": {"id": "terverifikasi", "en": "verified"},
    "rejected": {"id": "ditolak", "en": "rejected"},
    "suspended": {"id": "dibekukan", "en": "suspended"},
    "closed": {"id": "tutup", "en": "closed"},
}
#: The office's actions by the shop's status (the service refuses the others with a 409 anyway).
ACTIONS_BY_STATUS = {"applied": ("verify", "reject"), "verified": ("suspend",), "suspended": ("reinstate",)}


def shops_view(account: toolkit.Account, *, query: dict[str, Any]) -> dict[str, Any]:
    """Every shop, oldest application first; the applications waiting by default."""
    if not query.get("status"):
        query = {**query, "status": ["applied"]}
    items, next_cursor = shops.office_list(**query)
    return {"shops": OfficeShopSchema(many=True).dump(items), "next_cursor": next_cursor,
            "status": query["status"], "names": STATUS_NAMES}


def shop_view(account: toolkit.Account, *, shop_id: int) -> dict[str, Any]:
    """One shop with its verification data, as ``GET /office/shops/<id>`` answers it."""
    shop = shops.load(shop_id)
    if shop is None:
        raise toolkit.NotFound(details={"shop_id": shop_id})
    shown = OfficeShopSchema().dump(shop)
    return {"shop": shown, "names": STATUS_NAMES, "actions": ACTIONS_BY_STATUS.get(shown["status"], ())}


def _verify(account, form, *, shop_id):
    shops.review(account, shop_id, "verify")


def _reject(account, form, *, shop_id):
    shops.review(account, shop_id, "reject", form["reason"])


def _suspend(account, form, *, shop_id):
    orders.suspend_shop(account, shop_id, form["reason"])


def _reinstate(account, form, *, shop_id):
    shops.review(account, shop_id, "reinstate")


def console_pages() -> list[toolkit.ConsolePage]:
    """The list of shops (listed for the UMKM office) and a shop's page with the office's actions."""
    return [
        toolkit.ConsolePage("shops", {"id": "Verifikasi toko UMKM", "en": "UMKM shop verification"}, shops_view,
                            "shops.html", FOLDER, permission=VERIFY, query=OfficeShopArgsSchema),
        toolkit.ConsolePage("shop", {"id": "Toko UMKM", "en": "UMKM shop"}, shop_view, "shop.html", FOLDER,
                            permission=VERIFY, path="<int:shop_id>", actions=[
                                toolkit.ConsoleAction("verify", _verify, done={
                                    "id": "Toko diverifikasi; pemiliknya sudah diberi tahu.",
                                    "en": "The shop is verified; its owner was told."}),
                                toolkit.ConsoleAction("reject", _reject, ReasonSchema, done={
                                    "id": "Pengajuan ditolak; pemiliknya membaca alasannya.",
                                    "en": "The application was rejected; its owner reads the reason."}),
                                toolkit.ConsoleAction("suspend", _suspend, ReasonSchema, done={
                                    "id": "Toko dibekukan.", "en": "The shop is suspended."}),
                                toolkit.ConsoleAction("reinstate", _reinstate, done={
                                    "id": "Toko aktif kembali.", "en": "The shop sells again."}),
                            ]),
    ]
