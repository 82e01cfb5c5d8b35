"""The seller's dashboard."""
from __future__ import annotations

from ragem import toolkit

from plugins.gelati.access import SELL
from plugins.gelati.schemas.dashboard import SellerDashboardSchema
from plugins.gelati.services import dashboard

blp = toolkit.Blueprint("gelati_dashboard", __name__, description="GELATI: the seller dashboard")


@blp.route("/my-shop/dashboard")
@toolkit.permission_required(SELL)
@blp.response(200, SellerDashboardSchema)
def get_seller_dashboard():
    """Orders waiting for action, sales per day and month (WIB), best sellers, low stock."""
    return dashboard.dashboard(toolkit.current_user())
