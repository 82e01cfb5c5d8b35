"""A citizen's cart: products with quantities and the price the citizen saw when adding them."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from ragem import toolkit

from plugins.gelati.models import CartItem, Product
from plugins.gelati.services import products

MSG_UNAVAILABLE = {"id": "Produk ini tidak dijual saat ini (toko dibekukan, produk diarsipkan, atau belum aktif).",
                   "en": "This product is not on sale now (its shop is suspended, or it is archived or not active)."}
MSG_OUT_OF_STOCK = {"id": "Stok tidak cukup: tersisa {stock}.", "en": "Not enough stock: {stock} left."}
MAX_LINES = 50
MSG_CART_FULL = {"id": f"Keranjang paling banyak berisi {MAX_LINES} produk.",
                 "en": f"A cart holds at most {MAX_LINES} products."}
MSG_OWN_PRODUCT = {"id": "Anda tidak dapat membeli produk toko sendiri.", "en": "You cannot buy from your own shop."}


def out_of_stock(product: Product) -> toolkit.ApiError:
    """The 409 ``out_of_stock`` answer for ``product``, saying how many are left."""
    return toolkit.Conflict("out_of_stock", {lang: text.format(stock=product.stock)
                                             for lang, text in MSG_OUT_OF_STOCK.items()},
                            details={"product_id": product.id, "stock": product.stock})


def items(user: toolkit.Account) -> list[CartItem]:
    """The citizen's cart, by product."""
    return list(toolkit.db.session.scalars(
        select(CartItem).where(CartItem.buyer_id == user.id).order_by(CartItem.product_id)))


def set_item(user: toolkit.Account, product_id: int, quantity: int) -> list[CartItem]:
    """Put ``quantity`` of a product in the cart (replacing the quantity there), at today's price.
    409 ``product_unavailable`` for a product not on sale, ``out_of_stock`` above the stock."""
    product = products.load(product_id)
    if product is None:
        raise toolkit.NotFound(details={"product_id": product_id})
    if not products.is_public(product):
        raise toolkit.Conflict("product_unavailable", MSG_UNAVAILABLE, details={"product_id": product_id})
    if product.shop.owner_id == user.id:
        raise toolkit.Conflict("own_product", MSG_OWN_PRODUCT, details={"product_id": product_id})
    if quantity > product.stock:
        raise out_of_stock(product)
    session = toolkit.db.session
    item = session.scalar(select(CartItem).where(CartItem.buyer_id == user.id, CartItem.product_id == product_id))
    if item is None:
        lines = session.scalar(select(func.count()).where(CartItem.buyer_id == user.id))
        if lines >= MAX_LINES:
            raise toolkit.Conflict("cart_full", MSG_CART_FULL, details={"max": MAX_LINES})
        session.add(CartItem(buyer_id=user.id, product_id=product_id, quantity=quantity, price_seen=product.price,
                             added_at=toolkit.utcnow()))
    else:
        item.quantity, item.price_seen = quantity, product.price
    session.commit()
    return items(user)


def remove_item(user: toolkit.Account, product_id: int) -> list[CartItem]:
    """Take a product out of the cart (nothing happens when it was not there)."""
    toolkit.db.session.execute(delete(CartItem).where(CartItem.buyer_id == user.id, CartItem.product_id == product_id))
    toolkit.db.session.commit()
    return items(user)


def problem(item: CartItem) -> str | None:
    """What stops ``item`` from being bought as it is: ``unavailable``, ``price_changed``,
    ``out_of_stock``, or ``None``."""
    if not products.is_public(item.product):
        return "unavailable"
    if item.product.price != item.price_seen:
        return "price_changed"
    if item.quantity > item.product.stock:
        return "out_of_stock"
    return None
