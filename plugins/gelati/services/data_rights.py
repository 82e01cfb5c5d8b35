"""A citizen's GELATI data: the profile summary, the export, and erasure.

Erasure keeps the sales records the shops need, without the person: the citizen's orders lose their
buyer (orders still waiting are cancelled and their stock returned, so no seller waits for a buyer
who is gone), reviews lose their author and text, the cart goes. A citizen who ran a shop has it
closed: its open orders are cancelled, its products archived and their photos deleted, and the
shop's address, phone, bank account and business identifiers removed; its name stays on past orders.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select, update

from ragem import toolkit

from plugins.gelati.models import (
    OPEN_STATES, WAITING_STATES, CartItem, Checkout, Order, Product, ProductPhoto, Review, Shop,
)
from plugins.gelati.services import orders

ERASED = "account erased"


def _shop(user: toolkit.Account) -> Shop | None:
    return toolkit.db.session.scalar(select(Shop).where(Shop.owner_id == user.id).order_by(Shop.id.desc()).limit(1))


def summary(user: toolkit.Account) -> dict | None:
    """The citizen's shop status and open orders, for ``GET /api/v1/me/summary``."""
    shop = _shop(user)
    open_orders = toolkit.db.session.scalar(
        select(func.count()).where(Order.buyer_id == user.id, Order.status.in_(OPEN_STATES))) or 0
    if shop is None and not open_orders:
        return None
    shop_section = None
    if shop is not None:
        waiting = toolkit.db.session.scalar(
            select(func.count()).where(Order.shop_id == shop.id, Order.status.in_(OPEN_STATES))) or 0
        shop_section = {"id": shop.id, "name": shop.name, "status": shop.status, "open_orders": waiting}
    return {"shop": shop_section, "open_orders": open_orders}


def _order(order: Order) -> dict:
    return {"number": order.number, "shop": order.shop_name, "status": order.status, "total": order.total,
            "payment_method": order.payment_method, "fulfilment": order.fulfilment, "created_at": order.created_at,
            "items": [{"product": i.product_name, "unit_price": i.unit_price, "quantity": i.quantity}
                      for i in order.items],
            "timeline": [{"at": t.at, "status": t.status, "actor": t.actor, "note": t.note} for t in order.timeline]}


def export(user: toolkit.Account) -> dict | None:
    """Everything GELATI holds on the citizen: their shop and products, their orders, their reviews
    (and, as a seller, their shop's orders without the buyers)."""
    session = toolkit.db.session
    bought = list(session.scalars(select(Order).where(Order.buyer_id == user.id).order_by(Order.id)))
    written = list(session.scalars(select(Review).where(Review.buyer_id == user.id).order_by(Review.id)))
    cart = list(session.scalars(select(CartItem).where(CartItem.buyer_id == user.id)))
    shop = _shop(user)
    if not (bought or written or cart or shop):
        return None
    shop_data = None
    if shop is not None:
        products = session.scalars(select(Product).where(Product.shop_id == shop.id).order_by(Product.id))
        sold = session.scalars(select(Order).where(Order.shop_id == shop.id).order_by(Order.id))
        shop_data = {
            "name": shop.name, "description": shop.description, "category": shop.category, "status": shop.status,
            "status_reason": shop.status_reason, "kelurahan_code": shop.kelurahan_code, "address": shop.address,
            "phone": shop.phone, "nib": shop.nib, "pirt_number": shop.pirt_number, "halal_number": shop.halal_number,
            "bank_name": shop.bank_name, "bank_account": shop.bank_account, "created_at": shop.created_at,
            "products": [{"name": p.name, "description": p.description, "price": p.price, "stock": p.stock,
                          "status": p.status} for p in products],
            "orders": [{"number": o.number, "status": o.status, "total": o.total, "created_at": o.created_at}
                       for o in sold],
        }
    return {
        "shop": shop_data,
        "orders": [_order(order) for order in bought],
        "reviews": [{"product_id": r.product_id, "rating": r.rating, "text": r.text, "reply": r.reply,
                     "created_at": r.created_at} for r in written],
        "cart": [{"product_id": c.product_id, "quantity": c.quantity} for c in cart],
    }


def _cancel_open(order_ids: list[int], by: str, tell: str) -> None:
    """Cancel orders inside the erasure's transaction (no commit), returning their stock."""
    session = toolkit.db.session
    now = toolkit.utcnow()
    for order in session.scalars(select(Order).where(Order.id.in_(order_ids))):
        order.status, order.cancelled_at, order.cancelled_by, order.cancel_reason = "cancelled", now, by, ERASED
        order.changed_at = now
        orders.return_stock(order)
        orders.add_timeline(order, "cancelled", by, ERASED)
        orders.notify_party(order, "cancelled", tell)


def erase(user: toolkit.Account) -> toolkit.ErasureReport | None:
    """Remove the person from GELATI inside the erasure transaction (see the module's docstring)."""
    session = toolkit.db.session
    waiting = list(session.scalars(select(Order.id).where(Order.buyer_id == user.id,
                                                          Order.status.in_(WAITING_STATES))))
    _cancel_open(waiting, "system", "seller")
    anonymised = session.execute(update(Order).where(Order.buyer_id == user.id)
                                 .values(buyer_id=None, note=None)).rowcount
    session.execute(update(Checkout).where(Checkout.buyer_id == user.id).values(buyer_id=None))
    anonymised += session.execute(update(Review).where(Review.buyer_id == user.id)
                                  .values(buyer_id=None, text=None)).rowcount
    deleted = session.execute(delete(CartItem).where(CartItem.buyer_id == user.id)).rowcount
    for shop in session.scalars(select(Shop).where(Shop.owner_id == user.id)):
        open_ids = list(session.scalars(select(Order.id).where(
            Order.shop_id == shop.id, Order.status.in_(WAITING_STATES + ("confirmed", "ready_for_pickup")))))
        _cancel_open(open_ids, "seller", "buyer")
        photos = list(session.scalars(select(ProductPhoto).join(Product).where(Product.shop_id == shop.id)))
        for photo in photos:
            for file_id in photo.file_ids():
                toolkit.delete_file(file_id)
            session.delete(photo)
        deleted += len(photos)
        session.execute(update(Product).where(Product.shop_id == shop.id).values(status="archived"))
        session.execute(delete(CartItem).where(CartItem.product_id.in_(select(Product.id).where(
            Product.shop_id == shop.id))))
        shop.status, shop.status_reason, shop.owner_id = "closed", ERASED, None
        shop.address = shop.phone = shop.bank_account = None
        shop.bank_name, shop.nib, shop.pirt_number, shop.halal_number = None, "", None, None
        shop.changed_at = toolkit.utcnow()
        anonymised += 1
    session.flush()
    if not (anonymised or deleted):
        return None
    return toolkit.ErasureReport(deleted=deleted, anonymised=anonymised,
                                 kept_reason="sales records stay with the shops, without the buyer")
