"""Orders: the buyer's own, and the seller's shop's, each step one route."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati.access import BUY, SELL
from plugins.gelati.schemas.fields import OptionalReasonSchema, ReasonSchema
from plugins.gelati.schemas.orders import BuyerContactSchema, OrderListArgsSchema, OrderPageSchema, OrderSchema
from plugins.gelati.services import orders

blp = toolkit.Blueprint("gelati_orders", __name__, description="GELATI: orders")


@blp.route("/orders")
@toolkit.permission_required(BUY)
@blp.arguments(OrderListArgsSchema, location="query")
@blp.response(200, OrderPageSchema)
def list_my_orders(args):
    """The caller's orders, newest first (`?status=`)."""
    items, next_cursor = orders.mine(toolkit.current_user(), **args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/orders/<int:order_id>")
@toolkit.permission_required(BUY)
@blp.response(200, OrderSchema)
@blp.alt_response(404, response="NOT_FOUND", description="not the caller's order")
def get_my_order(order_id):
    """One of the caller's orders with its timeline."""
    return orders.buyer_order(toolkit.current_user(), order_id)


@blp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@toolkit.permission_required(BUY)
@blp.arguments(OptionalReasonSchema)
@blp.response(200, OrderSchema)
def cancel_my_order(body, order_id):
    """Cancel before the seller confirms (409 `invalid_transition` after); the stock returns."""
    return orders.buyer_step(toolkit.current_user(), order_id, "cancel_by_buyer", body.get("reason"))


@blp.route("/my-shop/orders")
@toolkit.permission_required(SELL)
@blp.arguments(OrderListArgsSchema, location="query")
@blp.response(200, OrderPageSchema)
def list_shop_orders(args):
    """The shop's orders, newest first (`?status=awaiting_confirmation,awaiting_payment` for what
    waits for the seller)."""
    items, next_cursor = orders.of_shop(toolkit.current_user(), **args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/my-shop/orders/<int:order_id>")
@toolkit.permission_required(SELL)
@blp.response(200, OrderSchema)
def get_shop_order(order_id):
    """One order of the shop with its timeline (no buyer details: see `/buyer`)."""
    return orders.shop_order(toolkit.current_user(), order_id)


@blp.route("/my-shop/orders/<int:order_id>/buyer")
@toolkit.permission_required(SELL)
@blp.response(200, BuyerContactSchema)
def get_order_buyer_contact(order_id):
    """The buyer's name and phone (and address for a delivery) to hand an open order over; the
    buyer sees this read in their access log."""
    return orders.buyer_contact(toolkit.current_user(), order_id)


@blp.route("/my-shop/orders/<int:order_id>/confirm", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.response(200, OrderSchema)
def confirm_shop_order(order_id):
    """Confirm a cash order (409 unless awaiting_confirmation)."""
    return orders.seller_step(toolkit.current_user(), order_id, "confirm")


@blp.route("/my-shop/orders/<int:order_id>/confirm-payment", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.response(200, OrderSchema)
def confirm_shop_order_payment(order_id):
    """Confirm that the buyer's transfer arrived: the order is paid and confirmed (409 unless
    awaiting_payment). Only the seller can say money arrived."""
    return orders.seller_step(toolkit.current_user(), order_id, "confirm_payment")


@blp.route("/my-shop/orders/<int:order_id>/ready", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.response(200, OrderSchema)
def mark_shop_order_ready(order_id):
    """Mark a confirmed pick-up order ready for pick-up."""
    return orders.seller_step(toolkit.current_user(), order_id, "ready")


@blp.route("/my-shop/orders/<int:order_id>/ship", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.response(200, OrderSchema)
def ship_shop_order(order_id):
    """Mark a confirmed delivery order shipped."""
    return orders.seller_step(toolkit.current_user(), order_id, "ship")


@blp.route("/my-shop/orders/<int:order_id>/complete", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.response(200, OrderSchema)
def complete_shop_order(order_id):
    """Hand the order over: completed (a cash order counts as paid now, as the seller confirms)."""
    return orders.seller_step(toolkit.current_user(), order_id, "complete")


@blp.route("/my-shop/orders/<int:order_id>/cancel", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.arguments(ReasonSchema)
@blp.response(200, OrderSchema)
def cancel_shop_order(body, order_id):
    """Cancel with a reason the buyer reads (not once shipped); the stock returns."""
    return orders.seller_step(toolkit.current_user(), order_id, "cancel_by_seller", body["reason"])
