"""The UMKM office (DISKOPUKM): every shop with its verification data; verify, reject, suspend."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati.access import VERIFY
from plugins.gelati.schemas.fields import ReasonSchema
from plugins.gelati.schemas.shops import OfficeShopArgsSchema, OfficeShopPageSchema, OfficeShopSchema
from plugins.gelati.services import orders, shops

blp = toolkit.Blueprint("gelati_office", __name__, description="GELATI: the UMKM office's shop verification")


@blp.route("/office/shops")
@toolkit.permission_required(VERIFY)
@blp.arguments(OfficeShopArgsSchema, location="query")
@blp.response(200, OfficeShopPageSchema)
def list_shops_for_office(args):
    """Every shop with its identifiers, oldest application first (`?status=applied`)."""
    items, next_cursor = shops.office_list(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/office/shops/<int:shop_id>")
@toolkit.permission_required(VERIFY)
@blp.response(200, OfficeShopSchema)
def get_shop_for_office(shop_id):
    """One shop with its verification data."""
    shop = shops.load(shop_id)
    if shop is None:
        raise toolkit.NotFound(details={"shop_id": shop_id})
    return shop


@blp.route("/office/shops/<int:shop_id>/verify", methods=["POST"])
@toolkit.permission_required(VERIFY)
@blp.response(200, OfficeShopSchema)
def verify_shop(shop_id):
    """Verify an application: the shop sells from now on (409 unless `applied`)."""
    return shops.review(toolkit.current_user(), shop_id, "verify")


@blp.route("/office/shops/<int:shop_id>/reject", methods=["POST"])
@toolkit.permission_required(VERIFY)
@blp.arguments(ReasonSchema)
@blp.response(200, OfficeShopSchema)
def reject_shop(body, shop_id):
    """Reject an application with a reason the applicant reads (409 unless `applied`)."""
    return shops.review(toolkit.current_user(), shop_id, "reject", body["reason"])


@blp.route("/office/shops/<int:shop_id>/suspend", methods=["POST"])
@toolkit.permission_required(VERIFY)
@blp.arguments(ReasonSchema)
@blp.response(200, OfficeShopSchema)
def suspend_shop(body, shop_id):
    """Suspend a verified shop (audited, with a reason): its products leave the marketplace, and its
    orders still waiting for payment or confirmation are cancelled with the reason (stock returned,
    buyer and seller told); orders the seller already confirmed stay theirs to deliver."""
    return orders.suspend_shop(toolkit.current_user(), shop_id, body["reason"])


@blp.route("/office/shops/<int:shop_id>/reinstate", methods=["POST"])
@toolkit.permission_required(VERIFY)
@blp.response(200, OfficeShopSchema)
def reinstate_shop(shop_id):
    """Lift a suspension: the shop sells again."""
    return shops.review(toolkit.current_user(), shop_id, "reinstate")
