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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, or_, select, tuple_

from ragem import toolkit

from plugins.rabeg.models import ASSISTED_CHANNELS, Complaint
from plugins.rabeg.seed import category_codes
from plugins.rabeg.services.sla import status_filter

SECONDS_PER_HOUR = 3600.0
FIGURES = ("received", "resolved", "median_hours_to_first_response", "median_hours_to_resolve",
           "first_response_within_target", "resolution_within_target", "rerouted_share", "reopened_share",
           "average_rating")


#: The column each ``group_by`` groups on (the channel is stored as the complaint's ``source``).
GROUP_KEYS = {"opd": Complaint.opd_code, "category": Complaint.category_id, "channel": Complaint.source}


def _postgres() -> bool:
    return toolkit.db.session.get_bind().dialect.name == "postgresql"


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
        # Medians of the intervals themselves (hours are taken once per group, in Python): cheaper
        # than converting every row's interval to a number first.
        columns += [
            func.percentile_cont(0.5).within_group(Complaint.first_responded_at - Complaint.created_at),
            func.percentile_cont(0.5).within_group(Complaint.resolved_at - Complaint.created_at),
        ]
    return columns


def _share(part, whole) -> float | None:
    return round(int(part or 0) / int(whole), 4) if whole else None


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _in_hours(value) -> float | None:
    """A median interval (``timedelta`` from PostgreSQL) or hours (from Python) as hours."""
    if isinstance(value, timedelta):
        return value.total_seconds() / SECONDS_PER_HOUR
    return value


def _figures(row, medians: tuple[Any, Any]) -> dict[str, Any]:
    received, resolved, met_first, decided_first, met_res, decided_res, rerouted, reopened, rating = row[:9]
    received = int(received or 0)
    return {
        "received": received,
        "resolved": int(resolved or 0),
        "median_hours_to_first_response": _round(_in_hours(medians[0])),
        "median_hours_to_resolve": _round(_in_hours(medians[1])),
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

    :param group_by: ``"opd"``, ``"category"`` or ``"channel"`` (app, open311, in_person, phone, letter,
        social_media: how the complaints came in) for per-group figures too (groups sorted by key).
    :param opd: only this OPD's complaints (an officer's own view).
    :param now: the moment deadlines are judged at (default now): an open complaint whose deadline
        has not come yet counts in no "within target" share.
    """
    now = now or toolkit.utcnow()
    where = [Complaint.created_at >= start, Complaint.created_at < end]
    if opd is not None:
        where.append(Complaint.opd_code == opd)
    key = None if group_by is None else GROUP_KEYS[group_by]
    if _postgres():
        overall, rows = _postgres_rows(where, key, now)
    else:
        overall, rows = _sqlite_rows(where, key, now)
    groups = []
    if key is not None:
        names = category_codes() if group_by == "category" else {}
        groups = sorted(({"key": names.get(k, str(k)), **figures} for k, figures in rows), key=lambda g: g["key"])
    return {"overall": overall, "groups": groups}


def _postgres_rows(where, key, now):
    """One pass over the period: ``GROUPING SETS ((key), ())`` gives the groups and the overall row together."""
    aggregates = _aggregates(now, True)
    session = toolkit.db.session
    if key is None:
        row = session.execute(select(*aggregates).where(*where)).one()
        return _figures(row, tuple(row[9:11])), []
    stmt = (select(func.grouping(key), key, *aggregates).where(*where)
            .group_by(func.grouping_sets(key, tuple_())))
    overall, rows = None, []
    for row in session.execute(stmt):
        figures = _figures(row[2:], tuple(row[11:13]))
        if row[0]:  # grouping(key) = 1: the row of the empty set, i.e. every complaint
            overall = figures
        else:
            rows.append((row[1], figures))
    if overall is None:  # no complaint at all: PostgreSQL returns the empty set's row anyway, but be safe
        overall = _figures(session.execute(select(*aggregates).where(*where)).one(), (None, None))
    return overall, rows


def _sqlite_rows(where, key, now):
    """SQLite: the counts in SQL (overall, then per group), the medians in Python."""
    aggregates = _aggregates(now, False)
    session = toolkit.db.session
    overall_row = session.execute(select(*aggregates).where(*where)).one()
    overall = _figures(overall_row, _python_medians(where, literal(1)).get(1, (None, None)))
    if key is None:
        return overall, []
    medians = _python_medians(where, key)
    rows = [(row[0], _figures(row[1:], medians.get(row[0], (None, None))))
            for row in session.execute(select(key, *aggregates).where(*where).group_by(key))]
    return overall, rows


def report(user: toolkit.Account, *, from_: datetime, to: datetime, group_by: str | None) -> dict[str, Any]:
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


APP_SHARE = ({"id": "Pengaduan melalui aplikasi", "en": "Complaints filed through the app"}, "%")
ASSISTED = ({"id": "Pengaduan dicatat petugas atas nama warga", "en": "Complaints recorded by officers for citizens"},
            "pengaduan")


def channel_counts(start: datetime, end: datetime) -> dict[str, int]:
    """How many complaints came in by each channel in ``[start, end)``."""
    rows = toolkit.db.session.execute(
        select(Complaint.source, func.count()).where(Complaint.created_at >= start, Complaint.created_at < end)
        .group_by(Complaint.source))
    return {channel: int(count) for channel, count in rows}


def kpi_values(period) -> list:
    """The overall figures of ``period`` as ``toolkit.KpiValue`` (keys ``rabeg.*``; shares in percent),
    with the app's share of the complaints received and the number officers recorded for citizens:
    the city watches the first grow as citizens learn the app."""
    overall = compute(period.start, period.end)["overall"]
    channels = channel_counts(period.start, period.end)
    received = sum(channels.values())
    assisted = sum(count for channel, count in channels.items() if channel in ASSISTED_CHANNELS)
    values = []
    for key, (name, unit, higher_is_better, cumulative) in KPI_NAMES.items():
        value = overall[key]
        if unit == "%" and value is not None:
            value = round(value * 100, 2)
        values.append(toolkit.KpiValue(f"rabeg.{key}", name, value, unit=unit, higher_is_better=higher_is_better,
                                       cumulative=cumulative))
    values += [
        toolkit.KpiValue("rabeg.app_share", APP_SHARE[0],
                         round(channels.get("app", 0) * 100 / received, 2) if received else None,
                         unit=APP_SHARE[1], higher_is_better=True, cumulative=False),
        toolkit.KpiValue("rabeg.assisted_received", ASSISTED[0], assisted, unit=ASSISTED[1], higher_is_better=True,
                         cumulative=True),
    ]
    return values
