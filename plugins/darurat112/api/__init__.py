"""The 112 service's routes, one module per resource: ``api/<resource>.py`` defines ``darurat112_<resource>``.

Views only parse (``schemas/<resource>.py``), call a service function and return what it returns.
Public alerts (CAP 1.2) are a second protocol with their own ``alerts`` modules (api, schemas, services).
"""
from __future__ import annotations

from plugins.darurat112.api import alerts, blocks, calls, command, dispatches, incidents, kpis, staff  # noqa: F401
