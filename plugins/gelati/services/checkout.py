"""Checkout: the cart becomes one order per shop, with stock taken atomically.

Everything happens in one transaction: the Idempotency-Key record, a conditional UPDATE per product
(``stock = stock - n WHERE stock >= n AND price = <price the buyer saw> AND status = 'active'``),
the orders with their snapshot of names and prices, and emptying the cart. When 200 buyers race
for the last 10 items, the database lets exactly 10 updates through; the others see no row
updated, roll back everything and get 409 ``out_of_stock``. Products are taken in id order so
two carts sharing products never wait on each other in a circle.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import delete, update

from ragem import toolkit

from plugins.gelati import payments, settings
from plugins.gelati.models import CartItem, Checkout, Order, OrderItem, Product, Shop
from plugins.gelati.services import cart, orders, products, shops

MSG_EMPTY = {"id": "Keranjang kosong.", "en": "The cart is empty."}
MSG_STALE = {"id": "Isi keranjang berubah sejak Anda menambahkannya (harga, stok, atau produk tidak dijual lagi). "
                   "Periksa keranjang lalu ulangi.",
             "en": "The cart changed since you filled it (a price, the stock, or a product no longer on sale). "
                   "Check the cart and try again."}
MSG_TOTAL = {"id": "Total berbeda dengan yang Anda lihat: {total}. Periksa keranjang lalu ulangi.",
             "en": "The total differs from the one you saw: {total}. Check the cart and try again."}
MSG_KEY_REUSED = {"id": "Idempotency-Key ini sudah dipakai untuk checkout dengan isi lain. Pakai kunci baru.",
                  "en": "This Idempotency-Key was already used for another checkout. Use a new key."}
MSG_PAYMENT = {"id": "Toko '{shop}' tidak menerima cara bayar ini.", "en": "Shop '{shop}' does not accept this payment method."}
MSG_FULFILMENT = {"id": "Toko '{shop}' tidak menyediakan cara ini ({fulfilment}).",
                  "en": "Shop '{shop}' does not offer this ({fulfilment})."}
MSG_NO_DELIVERY_THERE = {"id": "Toko '{shop}' tidak mengantar ke kecamatan ini.",
                         "en": "Shop '{shop}' does not deliver to this kecamatan."}
MSG_KECAMATAN_NEEDED = {"id": "Kecamatan tujuan wajib untuk pengantaran.",
                        "en": "The delivery kecamatan is required for delivery."}


def _fmt(message: dict, **values) -> dict:
    return {lang: text.format(**values) for lang, text in message.items()}


#: Checkouts by Idempotency-Key: a retry answers the orders of the first checkout with its key.
CHECKOUT_KEYS = toolkit.IdempotencyKeys(Checkout, owner="buyer_id", answer=lambda record: list(record.orders),
                                        message=MSG_KEY_REUSED, reused="already used for another checkout")


def _check_shop(shop: Shop, payment_method: str, fulfilment: str, delivery_kecamatan: str | None) -> int:
    """The delivery fee ``shop`` charges for this checkout; 422 when it does not offer what was chosen."""
    if payment_method not in payments.offered_by(shop):
        raise toolkit.ValidationError("payment_method_not_offered", _fmt(MSG_PAYMENT, shop=shop.name),
                                      details={"shop_id": shop.id, "payment_method": payment_method})
    if fulfilment == "pickup":
        if not shop.pickup_enabled:
            raise toolkit.ValidationError("fulfilment_not_offered",
                                          _fmt(MSG_FULFILMENT, shop=shop.name, fulfilment=fulfilment),
                                          details={"shop_id": shop.id, "fulfilment": fulfilment})
        return 0
    if not shop.delivery_enabled:
        raise toolkit.ValidationError("fulfilment_not_offered", _fmt(MSG_FULFILMENT, shop=shop.name, fulfilment=fulfilment),
                                      details={"shop_id": shop.id, "fulfilment": fulfilment})
    fee = next((f.fee for f in shop.delivery_fees if f.kecamatan_code == delivery_kecamatan), None)
    if fee is None:
        raise toolkit.ValidationError("no_delivery_there", _fmt(MSG_NO_DELIVERY_THERE, shop=shop.name),
                                      details={"shop_id": shop.id, "delivery_kecamatan": delivery_kecamatan})
    return fee


def _take_stock(item: CartItem) -> None:
    """Take ``item.quantity`` from its product, only if that many are left at the price the buyer saw;
    409 ``out_of_stock`` or ``cart_stale`` otherwise (the caller's transaction is rolled back)."""
    session = toolkit.db.session
    taken = session.execute(
        update(Product)
        .where(Product.id == item.product_id, Product.stock >= item.quantity, Product.price == item.price_seen,
               Product.status == "active")
        .values(stock=Product.stock - item.quantity)
        .execution_options(synchronize_session=False)).rowcount
    if taken == 1:
        return
    session.rollback()
    product = products.load(item.product_id)
    if product is not None and product.status == "active" and product.price == item.price_seen:
        raise cart.out_of_stock(product)
    raise toolkit.Conflict("cart_stale", MSG_STALE, details={"items": [{"product_id": item.product_id,
                                                                         "problem": "changed"}]})


def checkout(user: toolkit.Account, *, idempotency_key: str, payment_method: str, fulfilment: str,
             delivery_kecamatan: str | None = None, note: str | None = None,
             expected_total: int | None = None) -> tuple[list[Order], bool]:
    """Turn the buyer's cart into one order per shop: ``(orders, True)``, committed. A retry with the
    same key and body answers the same orders: ``(orders, False)``; the same key with another body
    is 422 ``idempotency_key_reused``.

    Refused with nothing changed: an empty cart (422 ``cart_empty``), a cart whose prices or products
    changed since it was filled (409 ``cart_stale``, each item's problem in ``details``), a total
    that is not ``expected_total`` (409 ``total_changed``), a shop that does not offer the payment or
    delivery chosen (422), stock that ran out (409 ``out_of_stock``).
    """
    request = {"payment_method": payment_method, "fulfilment": fulfilment, "delivery_kecamatan": delivery_kecamatan,
               "note": (note or "").strip() or None, "expected_total": expected_total}
    return CHECKOUT_KEYS.once(user.id, idempotency_key, request,
                              lambda print_: _place_orders(user, idempotency_key, print_, **request))


def _place_orders(user: toolkit.Account, key: str, print_: str, *, payment_method: str, fulfilment: str,
                  delivery_kecamatan: str | None, note: str | None, expected_total: int | None) -> list[Order]:
    """The work of a first checkout under ``key`` (see ``checkout``); committed."""
    if fulfilment == "delivery":
        if not delivery_kecamatan:
            raise toolkit.ValidationError("delivery_kecamatan_required", MSG_KECAMATAN_NEEDED,
                                          details={"delivery_kecamatan": "required for delivery"})
        shops.check_kecamatan(delivery_kecamatan, "delivery_kecamatan")
    else:
        delivery_kecamatan = None
    method = payments.get(payment_method)
    lines = cart.items(user)
    if not lines:
        raise toolkit.ValidationError("cart_empty", MSG_EMPTY)
    stale = [{"product_id": item.product_id, "problem": problem} for item in lines
             if (problem := cart.problem(item)) in ("unavailable", "price_changed")]
    if stale:
        raise toolkit.Conflict("cart_stale", MSG_STALE, details={"items": stale})
    by_shop: dict[int, list[CartItem]] = defaultdict(list)
    for item in lines:
        by_shop[item.product.shop_id].append(item)
    fees = {shop_id: _check_shop(items[0].product.shop, payment_method, fulfilment, delivery_kecamatan)
            for shop_id, items in by_shop.items()}
    total = sum(item.price_seen * item.quantity for item in lines) + sum(fees.values())
    if expected_total is not None and expected_total != total:
        raise toolkit.Conflict("total_changed", _fmt(MSG_TOTAL, total=total), details={"total": total})

    session = toolkit.db.session
    now = toolkit.utcnow()
    record = Checkout(buyer_id=user.id, key=key, fingerprint=print_, created_at=now)
    CHECKOUT_KEYS.claim(record)
    for item in sorted(lines, key=lambda line: line.product_id):
        _take_stock(item)
    expires_at = now + timedelta(hours=settings.ORDER_EXPIRY_HOURS.value())
    created = []
    for shop_id, items in sorted(by_shop.items()):
        shop = items[0].product.shop
        subtotal = sum(item.price_seen * item.quantity for item in items)
        order = Order(number=f"tmp-{record.id}-{shop_id}", checkout=record, buyer_id=user.id, shop_id=shop_id,
                      shop_name=shop.name, status=method.first_status, fulfilment=fulfilment,
                      delivery_kecamatan=delivery_kecamatan, payment_method=payment_method, subtotal=subtotal,
                      delivery_fee=fees[shop_id], total=subtotal + fees[shop_id], note=note, expires_at=expires_at,
                      created_at=now, changed_at=now)
        order.items = [OrderItem(product_id=item.product_id, product_name=item.product.name,
                                 unit_price=item.price_seen, quantity=item.quantity,
                                 line_total=item.price_seen * item.quantity) for item in items]
        session.add(order)
        session.flush()
        order.number = f"GLT-{now.year}-{order.id:06d}"
        orders.add_timeline(order, order.status, "buyer")
        orders.notify_party(order, order.status, "seller")
        toolkit.audit("gelati.order.create", "gelati_order", str(order.id),
                      after={"total": order.total, "items": len(items), "payment_method": payment_method}, actor=user)
        created.append(order)
    session.execute(delete(CartItem).where(CartItem.buyer_id == user.id))
    session.commit()
    return created
