"""The buyer's cart and checkout."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati import payments
from plugins.gelati.access import BUY
from plugins.gelati.schemas.fields import IdempotencyHeaderSchema
from plugins.gelati.schemas.orders import (
    CartItemWriteSchema, CartSchema, CheckoutResultSchema, CheckoutSchema, PaymentMethodsSchema,
)
from plugins.gelati.services import cart, checkout

blp = toolkit.Blueprint("gelati_cart", __name__, description="GELATI: cart and checkout")


def _cart(items):
    return {"items": items, "total": sum(item.price_seen * item.quantity for item in items)}


@blp.route("/cart")
@toolkit.permission_required(BUY)
@blp.response(200, CartSchema)
def get_cart():
    """The caller's cart; each line says if it can be bought as it is (`problem`)."""
    return _cart(cart.items(toolkit.current_user()))


@blp.route("/cart/items/<int:product_id>", methods=["PUT"])
@toolkit.permission_required(BUY)
@blp.arguments(CartItemWriteSchema)
@blp.response(200, CartSchema)
def set_cart_item(body, product_id):
    """Put a quantity of a product in the cart at today's price (409 `out_of_stock`,
    `product_unavailable`); putting it again accepts a changed price."""
    return _cart(cart.set_item(toolkit.current_user(), product_id, body["quantity"]))


@blp.route("/cart/items/<int:product_id>", methods=["DELETE"])
@toolkit.permission_required(BUY)
@blp.response(200, CartSchema)
def remove_cart_item(product_id):
    """Take a product out of the cart."""
    return _cart(cart.remove_item(toolkit.current_user(), product_id))


@blp.route("/checkout", methods=["POST"])
@toolkit.permission_required(BUY)
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(CheckoutSchema)
@blp.response(201, CheckoutResultSchema)
@blp.alt_response(200, schema=CheckoutResultSchema, description="a retry with a known Idempotency-Key")
def checkout_cart(headers, body):
    """Turn the cart into one order per shop, stock reserved at once. `Idempotency-Key` is
    required: a retry answers the same orders. 409 `out_of_stock`, `cart_stale`, `total_changed`;
    422 `cart_empty`. No payment happens here: see `GET /payment-methods`."""
    created_orders, created = checkout.checkout(toolkit.current_user(), idempotency_key=headers["idempotency_key"],
                                                **body)
    return {"orders": created_orders}, 201 if created else 200


@blp.route("/payment-methods")
@blp.response(200, PaymentMethodsSchema)
def list_payment_methods():
    """How buyers pay. There is no payment gateway: cash to the seller, or a bank transfer the seller
    confirms; an order is paid only once the seller says so."""
    return {"gateway": False, "notice": toolkit.translate(payments.NO_GATEWAY),
            "methods": [{"code": m.code, "name": toolkit.translate(m.name)} for m in payments.all_methods()]}
