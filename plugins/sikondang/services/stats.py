"""SIKONDANG's own figures: usage counted per day (downloads, CKAN API calls) and its KPIs."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.sikondang.models import Dataset, Revision, Usage

log = logging.getLogger("plugins.sikondang.stats")

#: How long a dataset may go without new data and still count as updated on schedule.
ON_SCHEDULE = {"annual": 366 + 31, "semiannual": 183 + 31, "quarterly": 92 + 15, "monthly": 31 + 7,
               "weekly": 7 + 2, "daily": 1 + 1}


def count(kind: str) -> None:
    """Add one ``kind`` use (``download``, ``ckan_call``) to today's count, in a transaction of its own.

    Counting never fails the answer it counts: a problem is logged and the use goes uncounted.
    """
    session = toolkit.db.session
    day = toolkit.to_wib(toolkit.utcnow()).date()  # the city's day, as evaluation periods count them
    try:
        bumped = session.execute(update(Usage).where(Usage.day == day, Usage.kind == kind)
                                 .values(count=Usage.count + 1)).rowcount
        if not bumped:
            session.add(Usage(day=day, kind=kind, count=1))
        session.commit()
    except IntegrityError:  # another worker created today's row first: add to it
        session.rollback()
        session.execute(update(Usage).where(Usage.day == day, Usage.kind == kind).values(count=Usage.count + 1))
        session.commit()
    except Exception:  # noqa: BLE001 - a statistic is not worth a failed download
        session.rollback()
        log.exception("usage count failed", extra={"kind": kind})


def count_download(dataset: Dataset) -> None:
    """Count one download of a published dataset (an officer checking their draft is not the public)."""
    if dataset.state == "published":
        count("download")


def _used(kind: str, period: toolkit.Period) -> int:
    return toolkit.db.session.scalar(select(func.coalesce(func.sum(Usage.count), 0)).where(
        Usage.kind == kind, Usage.day >= period.first_day, Usage.day < period.end_day)) or 0


def kpi_values(period: toolkit.Period) -> list[toolkit.KpiValue]:
    """Datasets published, updated on schedule, downloads and API calls in ``period``."""
    session = toolkit.db.session
    published = list(session.scalars(select(Dataset).where(Dataset.state == "published",
                                                           Dataset.published_at < period.end)))
    scheduled = [d for d in published if d.frequency in ON_SCHEDULE]
    on_time = [d for d in scheduled if d.data_updated_at is not None
               and period.end - d.data_updated_at <= timedelta(days=ON_SCHEDULE[d.frequency])]
    revisions = session.scalar(select(func.count()).select_from(Revision).where(
        Revision.created_at >= period.start, Revision.created_at < period.end))
    share: Any = round(100.0 * len(on_time) / len(scheduled), 1) if scheduled else None
    return [
        toolkit.KpiValue("sikondang.datasets_published", {"id": "Dataset terbit", "en": "Datasets published"},
                         float(len(published)), unit="dataset"),
        toolkit.KpiValue("sikondang.updated_on_schedule",
                         {"id": "Dataset diperbarui sesuai jadwal", "en": "Datasets updated on schedule"},
                         share, unit="%"),
        toolkit.KpiValue("sikondang.revisions", {"id": "Pembaruan data diterima", "en": "Data updates accepted"},
                         float(revisions), unit="revisi", cumulative=True),
        toolkit.KpiValue("sikondang.downloads", {"id": "Unduhan data", "en": "Data downloads"},
                         float(_used("download", period)), unit="unduhan", cumulative=True),
        toolkit.KpiValue("sikondang.api_calls", {"id": "Panggilan API CKAN", "en": "CKAN API calls"},
                         float(_used("ckan_call", period)), unit="panggilan", cumulative=True),
    ]
