"""An order's life after checkout, exactly these steps:

    awaiting_payment (bank transfer) --seller confirms the money arrived--> confirmed
    awaiting_confirmation (cash)     --seller confirms the order-------> confirmed
    confirmed --seller--> ready_for_pickup (pick-up orders) | shipped (delivery orders)
    ready_for_pickup | shipped --seller hands over (cash received)--> completed
    awaiting_* --buyer cancels--> cancelled
    awaiting_*, confirmed, ready_for_pickup --seller cancels with a reason--> cancelled
    awaiting_* left longer than RAGEM_GELATI_ORDER_EXPIRY_HOURS --periodic job--> expired

Each step is one conditional UPDATE (``WHERE status IN (...)``), so two requests racing (a buyer
cancelling while the seller confirms) cannot both win; the loser gets 409. A cancelled or expired
order gives its stock back. Each step adds a timeline entry and notifies the other party.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ragem import toolkit

from plugins.gelati.models import WAITING_STATES, Order, Product, OrderTimelineEntry
from plugins.gelati.services import shops

SLUG = "gelati"


@dataclass(frozen=True)
class Step:
    """One allowed move: who may make it, from which statuses, to which one."""

    actor: str
    sources: tuple[str, ...]
    target: str
    fulfilment: str | None = None  # only for orders with this fulfilment
    needs_reason: bool = False


STEPS = {
    "confirm": Step("seller", ("awaiting_confirmation",), "confirmed"),
    "confirm_payment": Step("seller", ("awaiting_payment",), "confirmed"),
    "ready": Step("seller", ("confirmed",), "ready_for_pickup", fulfilment="pickup"),
    "ship": Step("seller", ("confirmed",), "shipped", fulfilment="delivery"),
    "complete": Step("seller", ("ready_for_pickup", "shipped"), "completed"),
    "cancel_by_buyer": Step("buyer", WAITING_STATES, "cancelled"),
    "cancel_by_seller": Step("seller", WAITING_STATES + ("confirmed", "ready_for_pickup"), "cancelled",
                             needs_reason=True),
    "expire": Step("system", WAITING_STATES, "expired"),
    # The UMKM office suspended the shop: what it has not confirmed yet cannot go ahead. Orders the
    # seller already confirmed stay theirs to deliver or cancel, so no buyer is left without word.
    "cancel_by_office": Step("office", WAITING_STATES, "cancelled", needs_reason=True),
}

MSG_REFUSED = {"id": "Pesanan berstatus '{status}' tidak dapat di-{action}. Yang dapat dilakukan: {allowed}.",
               "en": "An order in status '{status}' cannot be {action}. Possible now: {allowed}."}
MSG_WRONG_FULFILMENT = {"id": "Langkah ini hanya untuk pesanan dengan pengiriman '{fulfilment}'.",
                        "en": "This step is only for orders with fulfilment '{fulfilment}'."}
MSG_CLOSED = {"id": "Pesanan ini sudah selesai atau batal: data pembeli tidak lagi dibutuhkan.",
              "en": "This order is finished or cancelled: the buyer's details are no longer needed."}

#: What the other party reads when an order reaches a status.
NOTICES = {
    "awaiting_payment": {"id": "Pesanan baru {number}, menunggu transfer pembeli.",
                         "en": "New order {number}, awaiting the buyer's transfer."},
    "awaiting_confirmation": {"id": "Pesanan baru {number} menunggu konfirmasi Anda.",
                              "en": "New order {number} awaits your confirmation."},
    "confirmed": {"id": "Pesanan {number} dikonfirmasi penjual.", "en": "Order {number} was confirmed by the seller."},
    "ready_for_pickup": {"id": "Pesanan {number} siap diambil.", "en": "Order {number} is ready for pick-up."},
    "shipped": {"id": "Pesanan {number} sedang diantar.", "en": "Order {number} is on its way."},
    "completed": {"id": "Pesanan {number} selesai. Beri ulasan?", "en": "Order {number} is complete. Leave a review?"},
    "cancelled": {"id": "Pesanan {number} dibatalkan.", "en": "Order {number} was cancelled."},
    "expired": {"id": "Pesanan {number} kedaluwarsa; stok dikembalikan.",
                "en": "Order {number} expired; its stock was returned."},
}


def allowed_actions(order: Order, actor: str) -> list[str]:
    """The steps ``actor`` (buyer or seller) may take on ``order`` now."""
    return [name for name, step in STEPS.items()
            if step.actor == actor and order.status in step.sources
            and (step.fulfilment is None or step.fulfilment == order.fulfilment)]


def add_timeline(order: Order, status: str, actor: str, note: str | None = None) -> None:
    """Add a step to the order's timeline (flushed with the caller's transaction)."""
    toolkit.db.session.add(OrderTimelineEntry(order_id=order.id, at=toolkit.utcnow(), status=status, actor=actor,
                                         note=note))


def notify_party(order: Order, status: str, to: str) -> None:
    """Tell the buyer (``to="buyer"``) or the shop's owner (``to="seller"``) about ``status``."""
    recipient = order.buyer_id if to == "buyer" else toolkit.db.session.scalar(
        select(shops.Shop.owner_id).where(shops.Shop.id == order.shop_id))
    if not recipient:
        return
    text = NOTICES[status]
    toolkit.notify(recipient, kind=f"gelati.order.{status}", service=SLUG,
                   title={"id": f"Pesanan {order.number}", "en": f"Order {order.number}"},
                   body={lang: body.format(number=order.number) for lang, body in text.items()},
                   data={"order_id": order.id, "status": status})


def return_stock(order: Order) -> None:
    """Give the order's items back to their products' stock."""
    for item in order.items:
        toolkit.db.session.execute(
            update(Product).where(Product.id == item.product_id).values(stock=Product.stock + item.quantity))


def transition(order: Order, action: str, actor: toolkit.Account | None, *, reason: str | None = None) -> Order:
    """Move ``order`` by ``action`` (a key of ``STEPS``); the caller checked that ``actor`` is the
    step's party. 409 ``invalid_transition`` (naming what is possible) when the status does not
    allow it, also when another request moved the order first. Committed."""
    step = STEPS[action]
    if step.fulfilment is not None and order.fulfilment != step.fulfilment:
        raise toolkit.Conflict("invalid_transition", {lang: text.format(fulfilment=step.fulfilment)
                                                      for lang, text in MSG_WRONG_FULFILMENT.items()},
                               details={"status": order.status, "action": action, "fulfilment": order.fulfilment})
    now = toolkit.utcnow()
    values = {"status": step.target, "changed_at": now}
    if step.target == "confirmed":
        values["confirmed_at"] = now
        if action == "confirm_payment":
            values["paid_at"] = now  # the seller says the transfer arrived
    elif step.target == "completed":
        values["completed_at"] = now
        if order.paid_at is None:
            values["paid_at"] = now  # cash handed over, as the seller confirms by completing
    elif step.target in ("cancelled", "expired"):
        values.update(cancelled_at=now, cancelled_by=step.actor, cancel_reason=reason)
    session = toolkit.db.session
    moved = session.execute(
        update(Order).where(Order.id == order.id, Order.status.in_(step.sources)).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        session.rollback()
        session.refresh(order)
        allowed = allowed_actions(order, step.actor) or ["-"]
        raise toolkit.Conflict("invalid_transition",
                               {lang: text.format(status=order.status, action=action, allowed=", ".join(allowed))
                                for lang, text in MSG_REFUSED.items()},
                               details={"status": order.status, "action": action, "allowed": allowed})
    if step.target in ("cancelled", "expired"):
        return_stock(order)
    add_timeline(order, step.target, step.actor, reason)
    notify_party(order, step.target, "seller" if step.actor == "buyer" else "buyer")
    if step.actor in ("system", "office"):
        notify_party(order, step.target, "seller")
    toolkit.audit(f"gelati.order.{action}", "gelati_order", str(order.id),
                  after={"status": step.target, "reason": reason}, actor=actor)
    session.commit()
    session.refresh(order)
    return order


def load(order_id: int) -> Order | None:
    """The order with ``order_id`` or ``None``."""
    return toolkit.db.session.get(Order, order_id) if 0 < order_id < 2**31 else None


def buyer_order(user: toolkit.Account, order_id: int) -> Order:
    """One of the buyer's own orders; 404 for any other (others must not learn it exists)."""
    order = load(order_id)
    if order is None or order.buyer_id is None or order.buyer_id != user.id:
        raise toolkit.NotFound(details={"order_id": order_id})
    return order


def shop_order(user: toolkit.Account, order_id: int) -> Order:
    """One order of the seller's own shop; 404 for any other."""
    shop = shops.own_shop(user)
    order = load(order_id)
    if order is None or order.shop_id != shop.id:
        raise toolkit.NotFound(details={"order_id": order_id})
    return order


def buyer_step(user: toolkit.Account, order_id: int, action: str, reason: str | None = None) -> Order:
    """The buyer cancels their order (before the seller confirms it)."""
    return transition(buyer_order(user, order_id), action, user, reason=reason)


def seller_step(user: toolkit.Account, order_id: int, action: str, reason: str | None = None) -> Order:
    """The seller moves an order of their shop one step."""
    return transition(shop_order(user, order_id), action, user, reason=reason)


def mine(user: toolkit.Account, *, status: list[str] | None, limit: int, cursor: str | None):
    """The buyer's orders, newest first."""
    stmt = select(Order).where(Order.buyer_id == user.id)
    if status:
        stmt = stmt.where(Order.status.in_(status))
    return toolkit.paginate(toolkit.db.session, stmt, [Order.created_at, Order.id], limit=limit, cursor=cursor)


def of_shop(user: toolkit.Account, *, status: list[str] | None, limit: int, cursor: str | None):
    """The seller's shop's orders, newest first."""
    shop = shops.own_shop(user)
    stmt = select(Order).where(Order.shop_id == shop.id)
    if status:
        stmt = stmt.where(Order.status.in_(status))
    return toolkit.paginate(toolkit.db.session, stmt, [Order.created_at, Order.id], limit=limit, cursor=cursor)


def buyer_contact(user: toolkit.Account, order_id: int) -> dict:
    """What the seller needs to hand an open order over: the buyer's name and phone, and for a
    delivery the address, read through ``toolkit.read_profile_by_id`` so the buyer sees the read in
    their access log. 409 ``order_closed`` once the order is finished; ``None`` values when the
    buyer's account was erased."""
    order = shop_order(user, order_id)
    if order.status not in ("awaiting_payment", "awaiting_confirmation", "confirmed", "ready_for_pickup", "shipped"):
        raise toolkit.Conflict("order_closed", MSG_CLOSED, details={"status": order.status})
    fields = ["name", "phone"] + (["address"] if order.fulfilment == "delivery" else [])
    profile = toolkit.read_profile_by_id(SLUG, order.buyer_id, fields, f"hand over order {order.number}") or {}
    return {"order_id": order.id, "name": profile.get("name"), "phone": profile.get("phone"),
            "address": profile.get("address") if order.fulfilment == "delivery" else None,
            "delivery_kecamatan": order.delivery_kecamatan}


def cancel_waiting_of_suspended_shop(officer: toolkit.Account, shop_id: int, reason: str) -> int:
    """Cancel the orders of a just-suspended shop that still wait for payment or confirmation, with
    the office's reason, returning their stock and telling both parties; returns how many."""
    waiting = list(toolkit.db.session.scalars(
        select(Order.id).where(Order.shop_id == shop_id, Order.status.in_(WAITING_STATES)).order_by(Order.id)))
    cancelled = 0
    for order_id in waiting:
        try:
            transition(load(order_id), "cancel_by_office", officer, reason=reason)
            cancelled += 1
        except toolkit.ApiError:
            continue  # its buyer cancelled it, or the seller confirmed it, meanwhile
    return cancelled


def suspend_shop(officer: toolkit.Account, shop_id: int, reason: str) -> shops.Shop:
    """The UMKM office suspends a shop (audited, the owner told), then cancels its unconfirmed orders."""
    shop = shops.review(officer, shop_id, "suspend", reason)
    cancel_waiting_of_suspended_shop(officer, shop.id, reason)
    toolkit.db.session.refresh(shop)
    return shop


def expire_due(now=None) -> int:
    """Expire every order left waiting past its ``expires_at`` (the periodic job); returns how many."""
    now = now or toolkit.utcnow()
    due = list(toolkit.db.session.scalars(
        select(Order.id).where(Order.status.in_(WAITING_STATES), Order.expires_at <= now).order_by(Order.id)))
    expired = 0
    for order_id in due:
        order = load(order_id)
        try:
            transition(order, "expire", None)
            expired += 1
        except toolkit.ApiError:
            continue  # moved by its buyer or seller meanwhile
    return expired
