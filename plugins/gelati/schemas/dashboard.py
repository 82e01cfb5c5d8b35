"""The seller dashboard's answer (figures, not table rows)."""
from __future__ import annotations

from marshmallow import fields

from ragem import toolkit


class WaitingOrdersSchema(toolkit.BaseSchema):
    """Open orders of the shop by status."""

    awaiting_payment = fields.Integer(required=True)
    awaiting_confirmation = fields.Integer(required=True)
    confirmed = fields.Integer(required=True)
    ready_for_pickup = fields.Integer(required=True)
    shipped = fields.Integer(required=True)


class SalesSchema(toolkit.BaseSchema):
    """Completed orders and their revenue in one day (YYYY-MM-DD) or month (YYYY-MM), WIB."""

    period = fields.String(required=True)
    orders = fields.Integer(required=True)
    revenue = fields.Integer(required=True, metadata={"description": "whole rupiah"})


class BestSellerSchema(toolkit.BaseSchema):
    """A product by items sold in completed orders."""

    product_id = fields.Integer(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)
    revenue = fields.Integer(required=True)


class LowStockSchema(toolkit.BaseSchema):
    """An active product running low (RAGEM_GELATI_LOW_STOCK)."""

    product_id = fields.Integer(required=True)
    name = fields.String(required=True)
    stock = fields.Integer(required=True)


class SellerDashboardSchema(toolkit.BaseSchema):
    """What the seller should look at now."""

    waiting = fields.Nested(WaitingOrdersSchema, required=True)
    needs_action = fields.Integer(required=True, metadata={"description": "orders waiting for the seller's next step"})
    sales_per_day = fields.List(fields.Nested(SalesSchema), required=True, metadata={"description": "last 30 days"})
    sales_per_month = fields.List(fields.Nested(SalesSchema), required=True,
                                  metadata={"description": "last 12 months"})
    best_sellers = fields.List(fields.Nested(BestSellerSchema), required=True)
    low_stock = fields.List(fields.Nested(LowStockSchema), required=True)
