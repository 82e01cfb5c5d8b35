"""The marketplace's KPIs for an evaluation period (``ragem_kpis``)."""
from __future__ import annotations

import statistics

from sqlalchemy import func, select

from ragem import toolkit

from plugins.gelati.models import Order, Product, Shop


def _count(stmt) -> int:
    return toolkit.db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def kpi_values(period: toolkit.Period) -> list[toolkit.KpiValue]:
    """Verified and new shops, active products, orders, completed orders, gross merchandise value,
    median hours from order to completion, share of orders cancelled by sellers."""
    session = toolkit.db.session
    start, end = period.start, period.end
    verified = _count(select(Shop.id).where(Shop.status == "verified", Shop.reviewed_at < end))
    new_shops = _count(select(Shop.id).where(Shop.created_at >= start, Shop.created_at < end))
    active = _count(select(Product.id).join(Shop, Shop.id == Product.shop_id)
                    .where(Product.status == "active", Shop.status == "verified", Product.created_at < end))
    placed = _count(select(Order.id).where(Order.created_at >= start, Order.created_at < end))
    done = session.execute(select(Order.created_at, Order.completed_at, Order.total).where(
        Order.status == "completed", Order.completed_at >= start, Order.completed_at < end)).all()
    by_seller = _count(select(Order.id).where(Order.created_at >= start, Order.created_at < end,
                                              Order.cancelled_by == "seller"))
    hours = [(completed - created).total_seconds() / 3600 for created, completed, _ in done]
    return [
        toolkit.KpiValue("gelati.verified_shops", {"id": "Toko UMKM terverifikasi", "en": "Verified UMKM shops"},
                         verified, unit="toko"),
        toolkit.KpiValue("gelati.new_shops", {"id": "Pengajuan toko baru", "en": "New shop applications"},
                         new_shops, unit="toko", cumulative=True),
        toolkit.KpiValue("gelati.active_products", {"id": "Produk aktif", "en": "Active products"}, active,
                         unit="produk"),
        toolkit.KpiValue("gelati.orders", {"id": "Pesanan", "en": "Orders"}, placed, unit="pesanan", cumulative=True),
        toolkit.KpiValue("gelati.completed_orders", {"id": "Pesanan selesai", "en": "Completed orders"}, len(done),
                         unit="pesanan", cumulative=True),
        toolkit.KpiValue("gelati.gmv", {"id": "Nilai transaksi bruto (GMV)", "en": "Gross merchandise value"},
                         sum(total for _, _, total in done) if done else None, unit="rupiah", cumulative=True),
        toolkit.KpiValue("gelati.median_hours_to_completion",
                         {"id": "Median waktu pesanan sampai selesai", "en": "Median time from order to completion"},
                         round(statistics.median(hours), 1) if hours else None, unit="jam", higher_is_better=False),
        toolkit.KpiValue("gelati.seller_cancellation_share",
                         {"id": "Persentase pesanan dibatalkan penjual", "en": "Share of orders cancelled by sellers"},
                         round(100 * by_seller / placed, 1) if placed else None, unit="%", higher_is_better=False),
    ]
