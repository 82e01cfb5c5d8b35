"""Reviews: buyers review completed orders' items, shops reply once, everyone reads them."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati.access import BUY, SELL
from plugins.gelati.schemas.reviews import ReviewPageSchema, ReviewReplySchema, ReviewSchema, ReviewWriteSchema
from plugins.gelati.services import reviews

blp = toolkit.Blueprint("gelati_reviews", __name__, description="GELATI: reviews")


@blp.route("/orders/<int:order_id>/reviews", methods=["POST"])
@toolkit.permission_required(BUY)
@blp.arguments(ReviewWriteSchema)
@blp.response(201, ReviewSchema)
def review_order_item(body, order_id):
    """Review one item of the caller's completed order (409 before completion, or twice)."""
    return reviews.add(toolkit.current_user(), order_id, **body)


@blp.route("/my-shop/reviews/<int:review_id>/reply", methods=["POST"])
@toolkit.permission_required(SELL)
@blp.arguments(ReviewReplySchema)
@blp.response(200, ReviewSchema)
def reply_to_review(body, review_id):
    """Reply to a review of the shop's products, once."""
    return reviews.reply(toolkit.current_user(), review_id, body["reply"])


@blp.route("/shops/<int:shop_id>/reviews")
@blp.arguments(toolkit.PageArgsSchema, location="query")
@blp.response(200, ReviewPageSchema)
def list_shop_reviews(args, shop_id):
    """A shop's reviews with its replies, newest first."""
    items, next_cursor = reviews.of_shop(shop_id, toolkit.current_user(), **args)
    return {"items": items, "next_cursor": next_cursor}
