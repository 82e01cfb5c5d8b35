"""The 112 service's KPIs for a period: how incidents arrive, how many are nuisance, and how fast the
command centre and the agencies answer against the 15-minute target.

Figures are computed over the incidents *raised* in the period. Times are minutes from the moment
the incident was raised (the call taken, or the app report received). Prank, silent, duplicate and
cancelled incidents count in the channel figures and the nuisance share, never in the times: a prank
"claimed" the second it was recorded would flatter every median.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from ragem import toolkit

from plugins.darurat112.models import CHANNELS, NUISANCE_OUTCOMES, Dispatch, Incident

TARGET_MINUTES = 15
#: Outcomes left out of the times (no emergency was handled).
NOT_HANDLED = NUISANCE_OUTCOMES + ("duplicate", "cancelled")
STEPS = ("claim", "dispatch", "on_scene", "close")


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` percentile (0.5: the median) by linear interpolation; ``None`` without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 2)


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds() / 60)


def _figures(rows: list[dict]) -> dict:
    """The figures of a group of incidents (each a dict of its channel, outcome and step times)."""
    by_channel = {channel: 0 for channel in CHANNELS}
    for row in rows:
        by_channel[row["channel"]] += 1
    total = len(rows)
    nuisance = sum(1 for row in rows if row["outcome"] in NUISANCE_OUTCOMES)
    handled = [row for row in rows if row["outcome"] not in NOT_HANDLED]
    figures: dict = {"incidents": total, "by_channel": by_channel,
                     "nuisance_share": round(nuisance / total, 4) if total else None}
    for step in STEPS:
        times = [row[step] for row in handled if row[step] is not None]
        figures[f"median_minutes_to_{step}"] = percentile(times, 0.5)
        figures[f"p90_minutes_to_{step}"] = percentile(times, 0.9)
    dispatched = [row for row in handled if row["dispatched"]]
    on_time = sum(1 for row in dispatched if row["on_scene"] is not None and row["on_scene"] <= TARGET_MINUTES)
    figures["on_scene_within_target"] = round(on_time / len(dispatched), 4) if dispatched else None
    return figures


def report(*, start: datetime, end: datetime) -> dict:
    """The KPIs of the incidents raised in ``[start, end)``: overall, per agency (the incidents
    dispatched to it, with its own team's time on scene) and per type."""
    session = toolkit.db.session
    incidents = list(session.scalars(select(Incident).where(Incident.created_at >= start, Incident.created_at < end)))
    ids = [incident.id for incident in incidents]
    dispatches: dict[int, list[Dispatch]] = defaultdict(list)
    for chunk in range(0, len(ids), 1000):  # IN lists stay small on every database
        for dispatch in session.scalars(select(Dispatch).where(Dispatch.incident_id.in_(ids[chunk:chunk + 1000]))):
            dispatches[dispatch.incident_id].append(dispatch)
    overall, by_agency, by_type = [], defaultdict(list), defaultdict(list)
    for incident in incidents:
        row = {"channel": incident.channel, "outcome": incident.outcome,
               "claim": _minutes(incident.created_at, incident.claimed_at),
               "dispatch": _minutes(incident.created_at, incident.dispatched_at),
               "on_scene": _minutes(incident.created_at, incident.on_scene_at),
               "close": _minutes(incident.created_at, incident.closed_at),
               "dispatched": incident.dispatched_at is not None}
        overall.append(row)
        by_type[incident.type].append(row)
        for dispatch in dispatches.get(incident.id, ()):
            by_agency[dispatch.agency_code].append({
                **row, "dispatch": _minutes(incident.created_at, dispatch.created_at),
                "on_scene": _minutes(incident.created_at, dispatch.on_scene_at), "dispatched": True})
    return {"start": start, "end": end, "target_minutes": TARGET_MINUTES, "overall": _figures(overall),
            "agencies": [{"key": code, **_figures(rows)} for code, rows in sorted(by_agency.items())],
            "types": [{"key": type_, **_figures(rows)} for type_, rows in sorted(by_type.items())]}


def _percent(share: float | None) -> float | None:
    """A share of 0-1 (the report's) as the percentage the evaluation shows, like every service's."""
    return None if share is None else round(100 * share, 1)


def kpi_values(period: toolkit.Period) -> list[toolkit.KpiValue]:
    """The overall figures of ``period`` for the evaluation (``ragem_kpis``)."""
    figures = report(start=period.start, end=period.end)["overall"]
    values = [
        toolkit.KpiValue("darurat112.incidents", {"id": "Kejadian darurat diterima", "en": "Emergencies received"},
                         figures["incidents"], unit="kejadian", cumulative=True),
        toolkit.KpiValue("darurat112.nuisance_share", {"id": "Porsi panggilan iseng dan diam",
                                                       "en": "Share of prank and silent calls"},
                         _percent(figures["nuisance_share"]), unit="%", higher_is_better=False),
        toolkit.KpiValue("darurat112.on_scene_within_target",
                         {"id": f"Tim tiba dalam {TARGET_MINUTES} menit", "en": f"On scene within {TARGET_MINUTES} minutes"},
                         _percent(figures["on_scene_within_target"]), unit="%"),
    ]
    names = {"claim": ("diambil petugas", "claimed"), "dispatch": ("bantuan dikirim", "dispatched"),
             "on_scene": ("tim tiba", "on scene"), "close": ("ditutup", "closed")}
    for step, (name_id, name_en) in names.items():
        for stat, label in (("median", "Median"), ("p90", "P90")):
            values.append(toolkit.KpiValue(
                f"darurat112.{stat}_minutes_to_{step}",
                {"id": f"{label} menit sampai {name_id}", "en": f"{label} minutes until {name_en}"},
                figures[f"{stat}_minutes_to_{step}"], unit="menit", higher_is_better=False))
    return values
