"""Every service's KPIs, published monthly as open data: one dataset per service, ``kpi-<slug>``.

Once a day the job looks at the month before; a service's dataset that has no rows for that month
gets them (the values ``ragem_kpis`` reports for it, the core's as ``kpi-core``) as a new revision.
A service installed later by an OPD joins by itself: its first month creates its dataset.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from ragem import toolkit

from plugins.sikondang.access import find_dataset
from plugins.sikondang.models import Dataset, Dimension, Measure
from plugins.sikondang.services.imports import Checked, current_rows, load, lock_dataset

log = logging.getLogger("plugins.sikondang.kpi_datasets")

OWNER = "DISKOMINFO"  # the platform's evaluation is Diskominfo's


def dataset_name(slug: str) -> str:
    """The name of ``slug``'s KPI dataset."""
    return f"kpi-{slug}"


def _ensure_dataset(slug: str) -> Dataset:
    name = dataset_name(slug)
    dataset = find_dataset(name)
    if dataset is not None:
        return dataset
    service = "platform RAGEM" if slug == "core" else f"layanan {slug.upper()}"
    service_en = "the RAGEM platform" if slug == "core" else f"the {slug.upper()} service"
    now = toolkit.utcnow()
    dataset = Dataset(
        name=name, title_id=f"Indikator kinerja {service} per bulan", title_en=f"Monthly performance indicators of {service_en}",
        description_id=f"Nilai bulanan indikator kinerja {service}, dihitung otomatis oleh RAGEM dari datanya sendiri.",
        description_en=f"Monthly values of the performance indicators of {service_en}, computed by RAGEM from its own data.",
        opd_code=OWNER, source="RAGEM (dihitung otomatis)", unit="indikator", frequency="monthly", licence="CC-BY-4.0",
        tags=["kinerja", "kpi"], topic="kinerja-layanan", temporal_coverage="", spatial_coverage="Kota Serang",
        state="draft", created_at=now, updated_at=now,
    )
    dataset.dimensions = [
        Dimension(position=1, key="month", label_id="Bulan", label_en="Month", kind="month", values=[]),
        Dimension(position=2, key="indicator", label_id="Indikator", label_en="Indicator", kind="category", values=[]),
    ]
    dataset.measures = [Measure(position=1, key="value", label_id="Nilai", label_en="Value", unit="", decimals=2)]
    toolkit.db.session.add(dataset)
    toolkit.db.session.flush()
    return dataset


def _declare(dataset: Dataset, kpis: list[toolkit.KpiValue]) -> None:
    """Add the indicators not yet listed (a service may report a new KPI any month)."""
    indicator = dataset.dimensions[1]
    known = {value["code"] for value in indicator.values}
    added = []
    for kpi in kpis:
        if kpi.key not in known:
            unit = f" ({kpi.unit})" if kpi.unit else ""
            # Labels fit their column (120 characters) whatever a plugin names its KPI.
            added.append({"code": kpi.key, "label_id": f"{kpi.name.get('id', kpi.key)}{unit}"[:120],
                          "label_en": f"{kpi.name.get('en', kpi.key)}{unit}"[:120]})
            known.add(kpi.key)
    if added:
        indicator.values = [*indicator.values, *added]  # a new list: the JSON column sees the change


def publish_month(period: toolkit.Period) -> list[str]:
    """Publish every service's KPIs of ``period`` (a month); returns the datasets that got a revision."""
    by_slug: dict[str, list[toolkit.KpiValue]] = {}
    for slug, kpi in toolkit.collect_kpis(period):
        if kpi.value is not None:
            by_slug.setdefault(slug, []).append(kpi)
    updated = []
    for slug, kpis in sorted(by_slug.items()):
        # Locked like an upload: an officer's upload of the same dataset waits, or is waited for.
        dataset = lock_dataset(_ensure_dataset(slug).id)
        if dataset.state == "withdrawn":
            continue  # its OPD took it back on purpose: the job does not publish it again
        rows = current_rows(dataset)
        if any(month == period.key for month, _ in rows):
            continue  # this month is out already: a second run changes nothing
        _declare(dataset, kpis)
        rows.update({(period.key, kpi.key): (round(float(kpi.value), 2),) for kpi in kpis})
        load(dataset, Checked(sorted(rows.items()), {}), actor_id=None, filename=f"kpi-{period.key}")
        months = sorted({month for month, _ in rows})
        dataset.temporal_coverage = months[0] if len(months) == 1 else f"{months[0]} - {months[-1]}"
        if dataset.state != "published":
            dataset.state, dataset.published_at = "published", toolkit.utcnow()
        updated.append(dataset.name)
    toolkit.db.session.commit()
    return updated


def publish_previous_month() -> list[str]:
    """The periodic job: publish the month before today (on the city's calendar) if it is not out yet."""
    first_of_month = toolkit.to_wib(toolkit.utcnow()).replace(day=1)
    previous = first_of_month - timedelta(days=1)
    return publish_month(toolkit.parse_period(f"{previous.year}-{previous.month:02d}"))
