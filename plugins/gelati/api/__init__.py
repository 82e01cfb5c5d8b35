"""The marketplace's routes, one module per resource."""
from plugins.gelati.api import cart, dashboard, office, orders, products, reviews, shops  # noqa: F401
