"""Shops: public pages, the citizen's own shop (application and edits)."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati.access import SELL
from plugins.gelati.schemas.shops import (
    OwnShopSchema, ShopListArgsSchema, ShopPageSchema, ShopSchema, ShopUpdateSchema, ShopWriteSchema,
)
from plugins.gelati.services import shops

blp = toolkit.Blueprint("gelati_shops", __name__, description="GELATI: shops")


@blp.route("/shops")
@blp.arguments(ShopListArgsSchema, location="query")
@blp.response(200, ShopPageSchema)
def list_shops(args):
    """Verified shops, newest first (`?kecamatan=&category=&limit=&cursor=`); no log-in needed."""
    items, next_cursor = shops.public_list(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/shops/<int:shop_id>")
@blp.response(200, ShopSchema)
@blp.alt_response(404, response="NOT_FOUND", description="no such verified shop")
def get_shop(shop_id):
    """A shop's public page: profile, delivery options, payment methods, rating (its products:
    `GET /products?shop=`)."""
    return shops.visible(shop_id, toolkit.current_user())


@blp.route("/my-shop", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.arguments(ShopWriteSchema)
@blp.response(201, OwnShopSchema)
def apply_for_shop(body):
    """Apply to open a shop; it sells once the UMKM office verifies it (409 `shop_exists`)."""
    return shops.apply(toolkit.current_user(), **body)


@blp.route("/my-shop")
@toolkit.permission_required(SELL)
@blp.response(200, OwnShopSchema)
def get_my_shop():
    """The caller's shop with its verification status and reason (404 `no_shop`)."""
    return shops.own_shop(toolkit.current_user())


@blp.route("/my-shop", methods=["PATCH"])
@toolkit.permission_required(SELL)
@blp.arguments(ShopUpdateSchema)
@blp.response(200, OwnShopSchema)
def update_my_shop(body):
    """Edit the shop (delivery fees replace the list); a rejected application is submitted again."""
    return shops.update_own(toolkit.current_user(), **body)
