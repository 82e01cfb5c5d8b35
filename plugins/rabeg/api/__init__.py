"""RABEG's routes, one module per resource: ``api/<resource>.py`` defines the blueprint ``rabeg_<resource>``.

Views stay thin: they parse with the resource's schemas (``schemas/<resource>.py``), call a service
function and return what it returns, which the response schema dumps. The Open311 GeoReport routes
are a separate protocol with their own formats and live in ``open311/``.
"""
from __future__ import annotations

# Every resource module, so that ``api.<resource>.blp`` is at hand in plugin.py.
from plugins.rabeg.api import (  # noqa: F401
    api_keys, categories, complaints, kpis, lifecycle, photos, public, support, templates,
)
