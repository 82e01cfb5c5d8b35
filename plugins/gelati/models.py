"""Tables of the GELATI marketplace. Every table name starts with `gelati_`: the plugin owns them.

Money is whole rupiah in integer columns, never floating point. Stock can never go below zero:
the database refuses it (a check constraint), and checkout takes stock with a conditional UPDATE.
A shop's street address, phone number and bank account are a household's personal data: they are
stored sealed (docs/privacy.md); the shop's name, kelurahan and products are public.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ragem import toolkit

#: What a shop sells (one main category) and what a product is.
CATEGORIES = ("food", "drink", "batik", "fashion", "craft", "agriculture", "beauty", "household", "service", "other")
#: A shop's life: applied -> verified or rejected (with a reason); verified -> suspended -> verified;
#: closed when its owner closes it or erases the account.
SHOP_STATES = ("applied", "verified", "rejected", "suspended", "closed")
#: A product's life: drafts and archived products are seen only by their shop.
PRODUCT_STATES = ("draft", "active", "archived")
#: The life of an order (see services/orders.py for who moves it where).
ORDER_STATES = ("awaiting_payment", "awaiting_confirmation", "confirmed", "ready_for_pickup", "shipped",
                "completed", "cancelled", "expired")
#: Orders still waiting for the seller's first step: they expire when left too long.
WAITING_STATES = ("awaiting_payment", "awaiting_confirmation")
#: Orders still open (neither completed, cancelled nor expired).
OPEN_STATES = ("awaiting_payment", "awaiting_confirmation", "confirmed", "ready_for_pickup", "shipped")
FULFILMENTS = ("pickup", "delivery")
MAX_PHOTOS = 8
#: The longer side of a product photo's thumbnail, in pixels.
THUMBNAIL_PX = 320


class Shop(toolkit.db.Model):
    """A UMKM's shop, opened by a citizen and verified by the UMKM office before it sells."""

    __tablename__ = "gelati_shop"
    __table_args__ = (
        Index("ix_gelati_shop_status", "status", "created_at", "id"),
        Index("ix_gelati_shop_owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The citizen who runs it; NULL once their account is erased (the shop is closed then).
    owner_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    kelurahan_code: Mapped[str] = mapped_column(String(20), nullable=False)
    kecamatan_code: Mapped[str] = mapped_column(String(20), nullable=False)
    # Often the family's home: sealed, shown to the owner, UMKM officers and pick-up buyers only.
    address_ciphertext: Mapped[str | None] = mapped_column(Text)
    address = toolkit.sealed("address")
    phone_ciphertext: Mapped[str | None] = mapped_column(Text)
    phone = toolkit.sealed("phone")
    # Business identifiers, checked for shape only (no registry is queried).
    nib: Mapped[str] = mapped_column(String(20), nullable=False)
    pirt_number: Mapped[str | None] = mapped_column(String(20))
    halal_number: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="applied")
    status_reason: Mapped[str | None] = mapped_column(String(300))
    reviewed_by: Mapped[str | None] = mapped_column(String(36))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Delivery options: pick-up at the shop, and/or delivery by the shop (fees per kecamatan).
    pickup_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    delivery_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Where buyers transfer money when they choose bank transfer (sealed: a person's account).
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account_ciphertext: Mapped[str | None] = mapped_column(Text)
    bank_account = toolkit.sealed("bank_account")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    delivery_fees: Mapped[list["DeliveryFee"]] = relationship(
        back_populates="shop", cascade="all, delete-orphan", order_by="DeliveryFee.kecamatan_code")


class DeliveryFee(toolkit.db.Model):
    """What the shop charges to deliver to one kecamatan (no row: no delivery there)."""

    __tablename__ = "gelati_delivery_fee"
    __table_args__ = (UniqueConstraint("shop_id", "kecamatan_code"), CheckConstraint("fee >= 0", name="fee_positive"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("gelati_shop.id", ondelete="CASCADE"), nullable=False)
    kecamatan_code: Mapped[str] = mapped_column(String(20), nullable=False)
    fee: Mapped[int] = mapped_column(Integer, nullable=False)

    shop: Mapped[Shop] = relationship(back_populates="delivery_fees")


class Product(toolkit.db.Model):
    """A product a shop lists. Search indexes name and description (see search_index.py)."""

    __tablename__ = "gelati_product"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("ix_gelati_product_shop", "shop_id", "status", "id"),
        Index("ix_gelati_product_listing", "status", "created_at", "id"),
        Index("ix_gelati_product_price", "status", "price", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("gelati_shop.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    # The shop's kecamatan, kept here so a search filters by it without a join.
    kecamatan_code: Mapped[str] = mapped_column(String(20), nullable=False)
    price: Mapped[int] = mapped_column(Integer, nullable=False)
    stock: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    weight_grams: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    shop: Mapped[Shop] = relationship(lazy="joined")
    photos: Mapped[list["ProductPhoto"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductPhoto.id")


class ProductPhoto(toolkit.db.Model):
    """A photo of a product, stored through toolkit.save_upload (checked, EXIF stripped), with its thumbnail."""

    __tablename__ = "gelati_product_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("gelati_product.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    file_id: Mapped[str] = mapped_column(String(36), nullable=False)
    # A JPEG of at most THUMBNAIL_PX for lists (toolkit.save_thumbnail); NULL for a photo stored
    # before thumbnails were made.
    thumbnail_file_id: Mapped[str | None] = mapped_column(String(36))
    # When the thumbnail job last failed on this photo (its bytes gone, or not an image): it is
    # tried again a day later, not every run (services/thumbnails.py).
    thumbnail_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    product: Mapped[Product] = relationship(back_populates="photos")

    def file_ids(self) -> list[str]:
        """The stored files behind this photo: the picture and its thumbnail (to delete both)."""
        return [file_id for file_id in (self.file_id, self.thumbnail_file_id) if file_id]


class CartItem(toolkit.db.Model):
    """One product in a citizen's cart, with the price the citizen saw when adding it: checkout
    refuses a cart whose prices changed since (the citizen must see the new price first)."""

    __tablename__ = "gelati_cart_item"
    __table_args__ = (UniqueConstraint("buyer_id", "product_id"),
                      CheckConstraint("quantity > 0", name="quantity_positive"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    buyer_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("gelati_product.id", ondelete="CASCADE"), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    price_seen: Mapped[int] = mapped_column(Integer, nullable=False)
    added_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    product: Mapped[Product] = relationship(lazy="joined")


class Checkout(toolkit.db.Model):
    """One checkout request (its Idempotency-Key): a retry finds it and answers its orders again."""

    __tablename__ = "gelati_checkout"
    __table_args__ = (UniqueConstraint("buyer_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # NULL once the buyer's account is erased (the orders stay, anonymised).
    buyer_id: Mapped[str | None] = mapped_column(String(36))
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    orders: Mapped[list["Order"]] = relationship(back_populates="checkout", order_by="Order.id")


class Order(toolkit.db.Model):
    """One shop's part of a checkout, with a snapshot of what was bought at what price. Sums are
    64-bit: a million items at the largest price still fit."""

    __tablename__ = "gelati_order"
    __table_args__ = (
        Index("ix_gelati_order_buyer", "buyer_id", "created_at", "id"),
        Index("ix_gelati_order_shop", "shop_id", "status", "created_at", "id"),
        Index("ix_gelati_order_expiry", "status", "expires_at"),
        Index("ix_gelati_order_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("gelati_checkout.id"), nullable=False)
    # NULL once the buyer's account is erased: the seller keeps the sale without the person.
    buyer_id: Mapped[str | None] = mapped_column(String(36))
    shop_id: Mapped[int] = mapped_column(ForeignKey("gelati_shop.id"), nullable=False)
    shop_name: Mapped[str] = mapped_column(String(120), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    fulfilment: Mapped[str] = mapped_column(String(10), nullable=False)
    delivery_kecamatan: Mapped[str | None] = mapped_column(String(20))
    payment_method: Mapped[str] = mapped_column(String(20), nullable=False)
    subtotal: Mapped[int] = mapped_column(BigInteger, nullable=False)
    delivery_fee: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    total: Mapped[int] = mapped_column(BigInteger, nullable=False)
    note: Mapped[str | None] = mapped_column(String(300))
    # Set only when the seller confirms the money arrived (a transfer, or cash at hand-over).
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(8))  # buyer, seller, system (expiry) or office (suspension)
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    items: Mapped[list["OrderItem"]] = relationship(back_populates="order", order_by="OrderItem.id",
                                                    cascade="all, delete-orphan")
    timeline: Mapped[list["OrderTimelineEntry"]] = relationship(back_populates="order", order_by="OrderTimelineEntry.id",
                                                           cascade="all, delete-orphan")


class OrderItem(toolkit.db.Model):
    """A product line of an order: the name and price as they were at checkout."""

    __tablename__ = "gelati_order_item"
    __table_args__ = (CheckConstraint("quantity > 0", name="item_quantity_positive"),
                      Index("ix_gelati_order_item_product", "product_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("gelati_order.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("gelati_product.id"), nullable=False)
    product_name: Mapped[str] = mapped_column(String(120), nullable=False)
    unit_price: Mapped[int] = mapped_column(BigInteger, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    line_total: Mapped[int] = mapped_column(BigInteger, nullable=False)

    order: Mapped[Order] = relationship(back_populates="items")
    review: Mapped["Review | None"] = relationship(back_populates="order_item", uselist=False)


class OrderTimelineEntry(toolkit.db.Model):
    """One step of an order's life, seen by its buyer and its shop."""

    __tablename__ = "gelati_timeline_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("gelati_order.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    actor: Mapped[str] = mapped_column(String(8), nullable=False)  # buyer, seller, system
    note: Mapped[str | None] = mapped_column(String(300))

    order: Mapped[Order] = relationship(back_populates="timeline")


class Review(toolkit.db.Model):
    """A buyer's review of one item of a completed order (one per item), and the shop's one reply."""

    __tablename__ = "gelati_review"
    __table_args__ = (CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
                      Index("ix_gelati_review_shop", "shop_id", "created_at", "id"),
                      Index("ix_gelati_review_product", "product_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_item_id: Mapped[int] = mapped_column(ForeignKey("gelati_order_item.id", ondelete="CASCADE"),
                                               nullable=False, unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("gelati_product.id"), nullable=False)
    shop_id: Mapped[int] = mapped_column(ForeignKey("gelati_shop.id"), nullable=False)
    # NULL once the reviewer's account is erased (the text is removed then too).
    buyer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    order_item: Mapped[OrderItem] = relationship(back_populates="review")
