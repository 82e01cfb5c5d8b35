"""SIKONDANG's routes under /api/v1/sikondang, one module per resource."""
from plugins.sikondang.api import data, datasets, imports  # noqa: F401
