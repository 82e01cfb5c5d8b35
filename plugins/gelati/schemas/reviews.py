"""Reviews and replies."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.gelati.schemas.fields import ID, LONG_TEXT, WholeNumber
from plugins.gelati.services import reviews


class ReviewWriteSchema(toolkit.BaseSchema):
    """``POST /orders/{id}/reviews``: one item of a completed order, 1-5 stars and text."""

    order_item_id = fields.Integer(required=True, strict=True, validate=ID)
    rating = WholeNumber(required=True, validate=validate.Range(min=1, max=5))
    text = fields.String(load_default=None, validate=LONG_TEXT)


class ReviewReplySchema(toolkit.BaseSchema):
    """``POST /my-shop/reviews/{id}/reply``: the shop's one reply."""

    reply = fields.String(required=True, validate=LONG_TEXT)


class ReviewSchema(toolkit.FromModel, toolkit.BaseSchema):
    """A review as the public sees it (no reviewer identity)."""

    computed = {"product_name": reviews.product_name}

    id = fields.Integer(required=True)
    product_id = fields.Integer(required=True)
    product_name = fields.String(required=True)
    shop_id = fields.Integer(required=True)
    rating = fields.Integer(required=True)
    text = fields.String(allow_none=True, required=True)
    reply = fields.String(allow_none=True, required=True)
    replied_at = toolkit.UtcDateTime(allow_none=True, required=True)
    created_at = toolkit.UtcDateTime(required=True)


ReviewPageSchema = toolkit.page_schema(ReviewSchema, "GelatiReviewPage")
