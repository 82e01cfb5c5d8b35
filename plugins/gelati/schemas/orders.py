"""Cart, checkout and orders."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.gelati import payments
from plugins.gelati.models import FULFILMENTS, ORDER_STATES
from plugins.gelati.schemas.fields import REGION_CODE, SHORT_TEXT, WholeNumber, quantity
from plugins.gelati.services import cart, orders, shops


class CartItemWriteSchema(toolkit.BaseSchema):
    """``PUT /cart/items/{product_id}``: how many (the price is the shop's, never the client's)."""

    quantity = quantity(required=True)


class CartLineSchema(toolkit.FromModel, toolkit.BaseSchema):
    """One product in the cart, with today's price beside the one the buyer saw."""

    computed = {
        "name": lambda item: item.product.name,
        "shop_id": lambda item: item.product.shop_id,
        "shop_name": lambda item: item.product.shop.name,
        "price": lambda item: item.product.price,
        "stock": lambda item: item.product.stock,
        "line_total": lambda item: item.price_seen * item.quantity,
        "problem": cart.problem,
    }

    product_id = fields.Integer(required=True)
    name = fields.String(required=True)
    shop_id = fields.Integer(required=True)
    shop_name = fields.String(required=True)
    quantity = fields.Integer(required=True)
    price_seen = fields.Integer(required=True, metadata={"description": "the price when added (what checkout charges)"})
    price = fields.Integer(required=True, metadata={"description": "today's price"})
    stock = fields.Integer(required=True)
    line_total = fields.Integer(required=True)
    problem = fields.String(allow_none=True, required=True,
                            metadata={"description": "unavailable, price_changed (put the item again to accept the "
                                                     "new price), out_of_stock, or null"})


class CartSchema(toolkit.BaseSchema):
    """The buyer's cart (delivery fees are added at checkout)."""

    items = fields.List(fields.Nested(CartLineSchema), required=True)
    total = fields.Integer(required=True, metadata={"description": "sum of the lines, whole rupiah"})


class CheckoutSchema(toolkit.BaseSchema):
    """``POST /checkout``: how to pay and receive; the items and prices come from the cart."""

    payment_method = fields.String(required=True, validate=validate.OneOf(payments.codes()),
                                   metadata={"description": "cod (cash) or bank_transfer (confirmed by the seller); "
                                                            "there is no payment gateway"})
    fulfilment = fields.String(required=True, validate=validate.OneOf(FULFILMENTS))
    delivery_kecamatan = fields.String(load_default=None, validate=REGION_CODE,
                                       metadata={"description": "required for delivery: where to (kecamatan code)"})
    note = fields.String(load_default=None, validate=SHORT_TEXT)
    expected_total = WholeNumber(load_default=None, validate=validate.Range(min=0, max=10**16), metadata={
        "description": "the total the buyer saw in whole rupiah (items and delivery); a different total is 409 "
                       "total_changed"})


class OrderItemSchema(toolkit.FromModel, toolkit.BaseSchema):
    """A line of an order: name and price as they were at checkout."""

    computed = {"reviewed": lambda item: item.review is not None}

    id = fields.Integer(required=True)
    product_id = fields.Integer(required=True)
    product_name = fields.String(required=True)
    unit_price = fields.Integer(required=True)
    quantity = fields.Integer(required=True)
    line_total = fields.Integer(required=True)
    reviewed = fields.Boolean(required=True)


class TimelineSchema(toolkit.FromModel, toolkit.BaseSchema):
    """A step of the order's life."""

    at = toolkit.UtcDateTime(required=True)
    status = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": "buyer, seller or system"})
    note = fields.String(allow_none=True, required=True)


class TransferToSchema(toolkit.BaseSchema):
    """Where to transfer the money (bank-transfer orders awaiting payment)."""

    bank_name = fields.String(allow_none=True, required=True)
    bank_account = fields.String(allow_none=True, required=True)


def _transfer_to(order):
    if order.payment_method != "bank_transfer" or order.status != "awaiting_payment":
        return None
    shop = shops.load(order.shop_id)
    return {"bank_name": shop.bank_name, "bank_account": shop.bank_account} if shop else None


def _pickup_address(order):
    if order.fulfilment != "pickup" or order.status in ("cancelled", "expired", "completed"):
        return None
    shop = shops.load(order.shop_id)
    return shop.address if shop else None


class OrderSchema(toolkit.FromModel, toolkit.BaseSchema):
    """An order as its buyer and its shop see it."""

    computed = {
        "paid": lambda order: order.paid_at is not None,
        "buyer_actions": lambda order: orders.allowed_actions(order, "buyer"),
        "seller_actions": lambda order: orders.allowed_actions(order, "seller"),
        "transfer_to": _transfer_to,
        "pickup_address": _pickup_address,
    }

    id = fields.Integer(required=True)
    number = fields.String(required=True)
    shop_id = fields.Integer(required=True)
    shop_name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ORDER_STATES))
    fulfilment = fields.String(required=True)
    delivery_kecamatan = fields.String(allow_none=True, required=True)
    payment_method = fields.String(required=True)
    paid = fields.Boolean(required=True, metadata={"description": "true only once the seller confirmed the money"})
    subtotal = fields.Integer(required=True)
    delivery_fee = fields.Integer(required=True)
    total = fields.Integer(required=True)
    note = fields.String(allow_none=True, required=True)
    items = fields.List(fields.Nested(OrderItemSchema), required=True)
    timeline = fields.List(fields.Nested(TimelineSchema), required=True)
    buyer_actions = fields.List(fields.String(), required=True)
    seller_actions = fields.List(fields.String(), required=True)
    transfer_to = fields.Nested(TransferToSchema, allow_none=True, required=True)
    pickup_address = fields.String(allow_none=True, required=True)
    expires_at = toolkit.UtcDateTime(allow_none=True, required=True)
    paid_at = toolkit.UtcDateTime(allow_none=True, required=True)
    cancelled_by = fields.String(allow_none=True, required=True)
    cancel_reason = fields.String(allow_none=True, required=True)
    created_at = toolkit.UtcDateTime(required=True)
    changed_at = toolkit.UtcDateTime(required=True)



class CheckoutResultSchema(toolkit.BaseSchema):
    """The orders a checkout created (one per shop)."""

    orders = fields.List(fields.Nested(OrderSchema), required=True)


class OrderListArgsSchema(toolkit.PageArgsSchema):
    """Order lists: optionally by status."""

    status = toolkit.CommaSeparated(ORDER_STATES, load_default=None)


class BuyerContactSchema(toolkit.BaseSchema):
    """What the seller needs to hand over an order (read from the buyer's profile; logged)."""

    order_id = fields.Integer(required=True)
    name = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True, metadata={"description": "delivery orders only"})
    delivery_kecamatan = fields.String(allow_none=True, required=True)


class PaymentMethodSchema(toolkit.BaseSchema):
    """A way to pay."""

    code = fields.String(required=True)
    name = fields.String(required=True)


class PaymentMethodsSchema(toolkit.BaseSchema):
    """The ways to pay, and the plain statement that there is no payment gateway."""

    gateway = fields.Boolean(required=True, metadata={"description": "always false: no payment gateway yet"})
    notice = fields.String(required=True)
    methods = fields.List(fields.Nested(PaymentMethodSchema), required=True)


OrderPageSchema = toolkit.page_schema(OrderSchema, "GelatiOrderPage")
