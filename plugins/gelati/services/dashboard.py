"""The seller's dashboard: orders waiting for action, sales per day and month, best sellers, low stock.

Days and months are the city's (WIB, UTC+7): a sale at 23:30 WIB counts for that day, not the next.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from ragem import toolkit

from plugins.gelati import settings
from plugins.gelati.models import OPEN_STATES, Order, OrderItem, Product
from plugins.gelati.services import shops

WIB = timedelta(hours=7)
DAYS, MONTHS, BEST = 30, 12, 5


def dashboard(user: toolkit.Account) -> dict:
    """What the seller should look at now, for their own shop."""
    shop = shops.own_shop(user)
    session = toolkit.db.session
    waiting = dict(session.execute(
        select(Order.status, func.count()).where(Order.shop_id == shop.id, Order.status.in_(OPEN_STATES))
        .group_by(Order.status)).all())
    now = toolkit.utcnow()
    since = now - timedelta(days=400)
    completed = session.execute(select(Order.completed_at, Order.total).where(
        Order.shop_id == shop.id, Order.status == "completed", Order.completed_at >= since)).all()
    per_day, per_month = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    first_day = (now + WIB).date() - timedelta(days=DAYS - 1)
    for at, total in completed:
        local = (at + WIB).date()
        if local >= first_day:
            per_day[local.isoformat()][0] += 1
            per_day[local.isoformat()][1] += total
        per_month[local.strftime("%Y-%m")][0] += 1
        per_month[local.strftime("%Y-%m")][1] += total
    best = session.execute(
        select(OrderItem.product_id, func.max(OrderItem.product_name), func.sum(OrderItem.quantity),
               func.sum(OrderItem.line_total))
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.shop_id == shop.id, Order.status == "completed")
        .group_by(OrderItem.product_id).order_by(func.sum(OrderItem.quantity).desc(), OrderItem.product_id)
        .limit(BEST)).all()
    low = session.scalars(select(Product).where(
        Product.shop_id == shop.id, Product.status == "active", Product.stock <= settings.LOW_STOCK.value())
        .order_by(Product.stock, Product.id)).all()
    return {
        "waiting": {status: waiting.get(status, 0) for status in OPEN_STATES},
        "needs_action": waiting.get("awaiting_payment", 0) + waiting.get("awaiting_confirmation", 0)
        + waiting.get("confirmed", 0),
        "sales_per_day": [{"period": day, "orders": n, "revenue": revenue}
                          for day, (n, revenue) in sorted(per_day.items())],
        "sales_per_month": [{"period": month, "orders": n, "revenue": revenue}
                            for month, (n, revenue) in sorted(per_month.items())][-MONTHS:],
        "best_sellers": [{"product_id": pid, "name": name, "quantity": int(qty), "revenue": int(revenue)}
                         for pid, name, qty, revenue in best],
        "low_stock": [{"product_id": p.id, "name": p.name, "stock": p.stock} for p in low],
    }
