"""Reviews: a buyer rates each item of a completed order once (1-5, with text); the shop replies once."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.gelati.models import OrderItem, Review
from plugins.gelati.services import orders, shops

SLUG = "gelati"
MSG_NOT_COMPLETED = {"id": "Ulasan hanya untuk pesanan yang sudah selesai.", "en": "Only completed orders are reviewed."}
MSG_REVIEWED = {"id": "Item ini sudah Anda ulas.", "en": "You already reviewed this item."}
MSG_REPLIED = {"id": "Ulasan ini sudah dibalas.", "en": "This review already has a reply."}


def add(user: toolkit.Account, order_id: int, *, order_item_id: int, rating: int, text: str | None) -> Review:
    """The buyer reviews one item of their completed order; 409 before completion or a second time."""
    order = orders.buyer_order(user, order_id)
    item = next((i for i in order.items if i.id == order_item_id), None)
    if item is None:
        raise toolkit.NotFound(details={"order_item_id": order_item_id})
    if order.status != "completed":
        raise toolkit.Conflict("order_not_completed", MSG_NOT_COMPLETED, details={"status": order.status})
    if item.review is not None:
        raise toolkit.Conflict("already_reviewed", MSG_REVIEWED, details={"order_item_id": order_item_id})
    review = Review(order_item_id=item.id, product_id=item.product_id, shop_id=order.shop_id, buyer_id=user.id,
                    rating=rating, text=(text or "").strip() or None, created_at=toolkit.utcnow())
    session = toolkit.db.session
    session.add(review)
    try:
        session.flush()  # the unique order item decides two racing submissions
    except IntegrityError:
        session.rollback()
        raise toolkit.Conflict("already_reviewed", MSG_REVIEWED, details={"order_item_id": order_item_id}) from None
    owner = shops.load(order.shop_id).owner_id
    if owner:
        toolkit.notify(owner, kind="gelati.review.new", service=SLUG,
                       title={"id": "Ulasan baru", "en": "New review"},
                       body={"id": f"{item.product_name}: {rating}/5", "en": f"{item.product_name}: {rating}/5"},
                       data={"review_id": review.id})
    session.commit()
    return review


def reply(user: toolkit.Account, review_id: int, text: str) -> Review:
    """The shop replies to a review of its products, once (409 the second time)."""
    shop = shops.own_shop(user)
    review = toolkit.db.session.get(Review, review_id) if 0 < review_id < 2**31 else None
    if review is None or review.shop_id != shop.id:
        raise toolkit.NotFound(details={"review_id": review_id})
    if review.reply is not None:
        raise toolkit.Conflict("already_replied", MSG_REPLIED, details={"review_id": review_id})
    review.reply, review.replied_at = text.strip(), toolkit.utcnow()
    if review.buyer_id:
        toolkit.notify(review.buyer_id, kind="gelati.review.reply", service=SLUG,
                       title={"id": "Toko membalas ulasan Anda", "en": "The shop replied to your review"},
                       body={"id": shop.name, "en": shop.name}, data={"review_id": review.id})
    toolkit.db.session.commit()
    return review


def of_shop(shop_id: int, user: toolkit.Account | None, *, limit: int, cursor: str | None):
    """A shop's reviews, newest first (the shop must be visible to ``user``)."""
    shops.visible(shop_id, user)
    stmt = select(Review).where(Review.shop_id == shop_id)
    return toolkit.paginate(toolkit.db.session, stmt, [Review.created_at, Review.id], limit=limit, cursor=cursor)


def product_name(review: Review) -> str:
    """The name the product had when it was bought."""
    return toolkit.db.session.scalar(select(OrderItem.product_name).where(OrderItem.id == review.order_item_id))
