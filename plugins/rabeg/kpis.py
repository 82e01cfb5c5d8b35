"""KPIs of the complaint channel for a period, overall and per OPD or category.

Every figure describes the complaints *received* in ``[start, end)`` (a cohort): how many, how many
were resolved since, how fast they were answered and resolved, how many met their targets, were
re-routed (a routing error) or reopened, and how reporters rated them. Counting one cohort keeps
it to one pass over the period's rows through the ``created_at`` index.

Medians: ``percentile_cont(0.5) WITHIN GROUP`` on PostgreSQL; SQLite has no such aggregate, so
there the durations are read and the medians computed in Python.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, select

from ragem import toolkit

from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.sla import status_filter

SECONDS_PER_HOUR = 3600.0
FIGURES = ("received", "resolved", "median_hours_to_first_response", "median_hours_to_resolve",
           "first_response_within_target", "resolution_within_target", "rerouted_share", "reopened_share",
           "average_rating")


def _postgres() -> bool:
    return toolkit.db.session.get_bind().dialect.name == "postgresql"


def _hours(later, earlier):
    """SQL: hours from ``earlier`` to ``later`` (PostgreSQL)."""
    # date_part, not extract: since PostgreSQL 14 extract() returns numeric, and sorting numerics for
    # the medians took twice as long as float8 over a month of a million-complaint table.
    return func.date_part("epoch", later - earlier) / SECONDS_PER_HOUR


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _aggregates(now: datetime, postgres: bool) -> list:
    """The aggregate columns of one group, in the order of ``_figures``."""
    met_first, breached_first = (status_filter("first_response", s, now) for s in ("met", "breached"))
    met_res, breached_res = (status_filter("resolution", s, now) for s in ("met", "breached"))
    columns = [
        func.count(),
        _count_if(Complaint.resolved_at.is_not(None)),
        _count_if(met_first), _count_if(or_(met_first, breached_first)),
        _count_if(met_res), _count_if(or_(met_res, breached_res)),
        _count_if(Complaint.reroute_count > 0),
        _count_if(Complaint.reopen_count > 0),
        func.avg(Complaint.rating),
    ]
    if postgres:
        columns += [
            func.percentile_cont(0.5).within_group(_hours(Complaint.first_responded_at, Complaint.created_at)),
            func.percentile_cont(0.5).within_group(_hours(Complaint.resolved_at, Complaint.created_at)),
        ]
    return columns


def _share(part, whole) -> float | None:
    return round(int(part or 0) / int(whole), 4) if whole else None


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _figures(row, medians: tuple[Any, Any]) -> dict[str, Any]:
    received, resolved, met_first, decided_first, met_res, decided_res, rerouted, reopened, rating = row[:9]
    received = int(received or 0)
    return {
        "received": received,
        "resolved": int(resolved or 0),
        "median_hours_to_first_response": _round(medians[0]),
        "median_hours_to_resolve": _round(medians[1]),
        "first_response_within_target": _share(met_first, decided_first),
        "resolution_within_target": _share(met_res, decided_res),
        "rerouted_share": _share(rerouted, received),
        "reopened_share": _share(reopened, received),
        "average_rating": _round(rating),
    }


def _python_medians(where, key) -> dict[Any, tuple[float | None, float | None]]:
    """Per group key: the medians of hours to first response and to resolution (SQLite)."""
    durations: dict[Any, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    stmt = select(key, Complaint.created_at, Complaint.first_responded_at, Complaint.resolved_at).where(*where)
    for group, created, responded, resolved in toolkit.db.session.execute(stmt):
        first, resolve = durations[group]
        if responded is not None:
            first.append((responded - created).total_seconds() / SECONDS_PER_HOUR)
        if resolved is not None:
            resolve.append((resolved - created).total_seconds() / SECONDS_PER_HOUR)
    return {group: tuple(statistics.median(v) if v else None for v in pair) for group, pair in durations.items()}


def compute(start: datetime, end: datetime, *, group_by: str | None = None, opd: str | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """The figures for complaints received in ``[start, end)``: ``{"overall": {...}, "groups": [{key, ...}]}``.

    :param group_by: ``"opd"`` or ``"category"`` for per-group figures too (groups sorted by key).
    :param opd: only this OPD's complaints (an officer's own view).
    :param now: the moment deadlines are judged at (default now): an open complaint whose deadline
        has not come yet counts in no "within target" share.
    """
    now = now or toolkit.utcnow()
    postgres = _postgres()
    where = [Complaint.created_at >= start, Complaint.created_at < end]
    if opd is not None:
        where.append(Complaint.opd_code == opd)
    session = toolkit.db.session
    overall_row = session.execute(select(*_aggregates(now, postgres)).where(*where)).one()
    if postgres:
        overall_medians = tuple(overall_row[9:11])
    else:
        overall_medians = _python_medians(where, literal(1)).get(1, (None, None))
    groups = []
    if group_by is not None:
        key = Complaint.opd_code if group_by == "opd" else Complaint.category_id
        rows = session.execute(select(key, *_aggregates(now, postgres)).where(*where).group_by(key)).all()
        medians = {} if postgres else _python_medians(where, key)
        names = dict(session.execute(select(Category.id, Category.code)).all()) if group_by == "category" else {}
        for row in rows:
            group_medians = tuple(row[10:12]) if postgres else medians.get(row[0], (None, None))
            groups.append({"key": names.get(row[0], str(row[0])), **_figures(row[1:], group_medians)})
        groups.sort(key=lambda g: g["key"])
    return {"overall": _figures(overall_row, overall_medians), "groups": groups}


def report(user: Any, *, from_: datetime, to: datetime, group_by: str | None) -> dict[str, Any]:
    """The KPI endpoint's answer: admins see every OPD; an officer only their own OPD."""
    from plugins.rabeg.access import ADMIN

    opd = None
    if not toolkit.can(user, ADMIN):
        opd = getattr(user, "opd_code", None)
        if not opd:
            raise toolkit.Forbidden(
                message={"id": "Akun Anda tidak terhubung dengan OPD.", "en": "Your account belongs to no agency."},
                details={"required_permission": ADMIN},
            )
    figures = compute(from_, to, group_by=group_by, opd=opd)
    return {"from_": from_, "to": to, "opd": opd, "group_by": group_by, **figures}


KPI_NAMES = {
    "received": ({"id": "Pengaduan diterima", "en": "Complaints received"}, "pengaduan", True, True),
    "resolved": ({"id": "Pengaduan diselesaikan", "en": "Complaints resolved"}, "pengaduan", True, True),
    "median_hours_to_first_response": ({"id": "Median waktu tanggapan pertama", "en": "Median time to first response"},
                                       "jam", False, False),
    "median_hours_to_resolve": ({"id": "Median waktu penyelesaian", "en": "Median time to resolve"}, "jam", False,
                                False),
    "first_response_within_target": ({"id": "Tanggapan pertama tepat waktu", "en": "First response within target"},
                                     "%", True, False),
    "resolution_within_target": ({"id": "Penyelesaian tepat waktu", "en": "Resolved within target"}, "%", True, False),
    "rerouted_share": ({"id": "Pengaduan dialihkan (salah rute)", "en": "Re-routed complaints (routing errors)"},
                       "%", False, False),
    "reopened_share": ({"id": "Pengaduan dibuka kembali", "en": "Reopened complaints"}, "%", False, False),
    "average_rating": ({"id": "Rata-rata penilaian warga", "en": "Average citizen rating"}, "1-5", True, False),
}


def kpi_values(period) -> list:
    """The overall figures of ``period`` as ``toolkit.KpiValue`` (keys ``rabeg.*``; shares in percent)."""
    overall = compute(period.start, period.end)["overall"]
    values = []
    for key, (name, unit, higher_is_better, cumulative) in KPI_NAMES.items():
        value = overall[key]
        if unit == "%" and value is not None:
            value = round(value * 100, 2)
        values.append(toolkit.KpiValue(f"rabeg.{key}", name, value, unit=unit, higher_is_better=higher_is_better,
                                       cumulative=cumulative))
    return values
