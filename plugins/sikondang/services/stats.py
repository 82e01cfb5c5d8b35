"""SIKONDANG's own usage figures (downloads, CKAN API calls), counted per day for its KPIs."""
from __future__ import annotations

import logging

from ragem import toolkit

log = logging.getLogger("plugins.sikondang.stats")


def count_download(dataset) -> None:
    """Count one download of ``dataset`` (for the KPIs). Never fails the download itself."""
    return None
