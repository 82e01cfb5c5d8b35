"""The marketplace's routes, one module per resource."""
from plugins.gelati.api import cart, office, orders, products, shops  # noqa: F401
