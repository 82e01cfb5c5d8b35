"""Evaluation: every KPI of a period beside its Renstra target, and the targets themselves.

KPIs come from the core (``core_kpis``) and from every started plugin's ``ragem_kpis`` hook,
switched-off services included (a paused service's numbers still count). A yearly target is
pro-rated for a cumulative KPI (a count: a month must reach 1/12 of the year) and compared as is
for a rate or an average.
"""
from __future__ import annotations

import csv
import io
import logging
import math
import re
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import select

from ragem.audit.service import record as audit
from ragem.errors import Conflict, NotFound, ValidationError
from ragem.evaluation.core_kpis import CORE_SLUG, core_kpis
from ragem.evaluation.models import KpiTarget
from ragem.evaluation.periods import MAX_YEAR, MIN_YEAR, parse_period, period_years, share_of_year
from ragem.extensions import db
from ragem.hooktypes import KpiValue, Period
from ragem.i18n import translate
from ragem.timeutil import utcnow
from ragem.transactions import committed

log = logging.getLogger("ragem.evaluation")

ON_TRACK, OFF_TRACK, NO_TARGET, NO_DATA = "on_track", "off_track", "no_target", "no_data"
STATUSES = (ON_TRACK, OFF_TRACK, NO_TARGET, NO_DATA)
KPI_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
KPI_KEY_MAX = 64

_WARNINGS = {
    "duplicate_kpi": {
        "id": "Kunci KPI dilaporkan lebih dari satu layanan; hanya laporan pertama yang dipakai.",
        "en": "A KPI key was reported by more than one service; only the first report is used.",
    },
    "kpi_hook_failed": {
        "id": "KPI layanan ini tidak dapat dihitung untuk periode ini (lihat log).",
        "en": "This service's KPIs could not be computed for this period (see the logs).",
    },
    "invalid_kpi": {
        "id": "Layanan ini melaporkan KPI yang tidak valid; KPI tersebut dilewati.",
        "en": "This service reported an invalid KPI; it was skipped.",
    },
}


def _warning(code: str, **details: Any) -> dict[str, Any]:
    log.warning("evaluation: %s", code, extra={"warning": code, **{f"kpi_{k}": v for k, v in details.items()}})
    return {"code": code, "message": translate(_WARNINGS[code]), "details": details}


# -- collecting ----------------------------------------------------------------------------------

def _valid_value(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check(kpi: Any) -> str | None:
    """Why ``kpi`` cannot be evaluated, or ``None`` when it can."""
    if not isinstance(kpi, KpiValue):
        return f"expected toolkit.KpiValue, got {type(kpi).__name__}"
    if not isinstance(kpi.key, str) or len(kpi.key) > KPI_KEY_MAX or not KPI_KEY_PATTERN.fullmatch(kpi.key):
        return "key must look like <slug>.<name> (lowercase, digits, '_', at most 64 characters)"
    if not _valid_value(kpi.value):
        return "value must be a finite number or None"
    return None


def collect_kpis(period: Period) -> tuple[list[tuple[str, KpiValue]], list[dict[str, Any]]]:
    """Every KPI of ``period`` as ``(service slug, KpiValue)``, and the warnings met on the way.

    The core's KPIs come first, then each plugin's in slug order; a key reported twice keeps its
    first report. A plugin whose hook raises is skipped (and named in the warnings).
    """
    registry = current_app.extensions["ragem.plugins"]
    answers: list[tuple[str, Any]] = [(CORE_SLUG, core_kpis(period))]
    answered: set[str] = set()
    # Data hook: called for switched-off services too (only_available=False).
    for record, answer in registry.per_plugin("ragem_kpis", only_available=False, period=period):
        answered.add(record.slug)
        answers.append((record.slug, answer))

    warnings = [
        _warning("kpi_hook_failed", service=record.slug)
        for record in registry.services()
        if registry.impls("ragem_kpis", record) and record.slug not in answered
    ]
    kpis: list[tuple[str, KpiValue]] = []
    first_owner: dict[str, str] = {}
    for slug, answer in answers:
        try:
            reported = list(answer or [])  # a generator may raise while it runs
        except Exception:  # noqa: BLE001 - one plugin's bug must not hide the others' KPIs
            log.exception("ragem_kpis failed", extra={"plugin": slug})
            warnings.append(_warning("kpi_hook_failed", service=slug))
            continue
        for kpi in reported:
            problem = _check(kpi)
            if problem:
                warnings.append(_warning("invalid_kpi", service=slug, kpi_key=str(getattr(kpi, "key", ""))[:80], problem=problem))
                continue
            if kpi.key in first_owner:
                warnings.append(_warning("duplicate_kpi", service=slug, kpi_key=kpi.key, kept_from=first_owner[kpi.key]))
                continue
            first_owner[kpi.key] = slug
            kpis.append((slug, kpi))
    return kpis, warnings


# -- judging -------------------------------------------------------------------------------------

def period_target(yearly: float | None, kpi: KpiValue, period: Period) -> float | None:
    """The target for ``period``: a count's yearly target pro-rated, a rate's as is."""
    if yearly is None:
        return None
    return round(yearly * share_of_year(period), 4) if kpi.cumulative else yearly


def renstra_target(by_year: dict[int, float], kpi: KpiValue, period: Period) -> tuple[float | None, float | None]:
    """``(target, yearly_target)`` of a five-year Renstra period from its years' targets.

    A count must reach the sum of the five yearly targets (``None`` while a year has none); a
    rate or an average must reach the final year's, the Renstra's end point. ``yearly_target``
    is the final year's.
    """
    years = period_years(period)
    final = by_year.get(years[-1])
    if not kpi.cumulative:
        return final, final
    if any(year not in by_year for year in years):
        return None, final
    return round(sum(by_year[year] for year in years), 4), final


def status_of(value: float | None, target: float | None, higher_is_better: bool) -> str:
    """``no_data`` without a value, ``no_target`` without a target, else on or off track."""
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    reached = value >= target if higher_is_better else value <= target
    return ON_TRACK if reached else OFF_TRACK


def period_info(period: Period) -> dict[str, Any]:
    """The period as the API shows it; ``complete`` is false while the period is still running."""
    return {
        "key": period.key,
        "kind": period.kind,
        "year": period.year,
        "start": period.start,
        "end": period.end,
        "share_of_year": round(share_of_year(period), 6),
        "complete": period.end <= utcnow(),
    }


def evaluate(period: Period) -> dict[str, Any]:
    """Every KPI of ``period`` with its value, its (pro-rated, or for a Renstra period summed) target
    and its status.

    :returns: ``{"period": {...}, "items": [...], "warnings": [...]}``; names are in the request's
        language.
    """
    kpis, warnings = collect_kpis(period)
    targets: dict[str, dict[int, float]] = {}
    for row in db.session.scalars(select(KpiTarget).where(KpiTarget.year.in_(list(period_years(period))))):
        targets.setdefault(row.kpi_key, {})[row.year] = row.target
    items = []
    for slug, kpi in kpis:
        by_year = targets.get(kpi.key, {})
        if period.kind == "renstra":
            target, yearly_target = renstra_target(by_year, kpi, period)
        else:
            yearly_target = by_year.get(period.year)
            target = period_target(yearly_target, kpi, period)
        value = float(kpi.value) if kpi.value is not None else None
        items.append(
            {
                "key": kpi.key,
                "service": slug,
                "name": translate(kpi.name) if kpi.name else kpi.key,
                "unit": kpi.unit or "",
                "value": value,
                "target": target,
                "yearly_target": yearly_target,
                "status": status_of(value, target, kpi.higher_is_better),
                "higher_is_better": kpi.higher_is_better,
                "cumulative": kpi.cumulative,
            }
        )
    return {"period": period_info(period), "items": items, "warnings": warnings}


CSV_COLUMNS = (
    "period", "key", "service", "name", "unit", "value", "target", "yearly_target", "status",
    "higher_is_better", "cumulative",
)


def _cell(value: Any) -> Any:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def evaluation_csv(result: dict[str, Any]) -> str:
    """The result of ``evaluate`` as CSV (one row per KPI, header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in result["items"]:
        row = {"period": result["period"]["key"], **item}
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


# -- targets -------------------------------------------------------------------------------------

def _check_key_and_year(kpi_key: str, year: int) -> None:
    if len(kpi_key) > KPI_KEY_MAX or not KPI_KEY_PATTERN.fullmatch(kpi_key):
        raise ValidationError(details={"kpi_key": kpi_key[:80], "expected": "<slug>.<name>, lowercase"})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(details={"year": year, "expected": f"{MIN_YEAR}-{MAX_YEAR}"})


def target_dict(row: KpiTarget) -> dict[str, Any]:
    """A target as the API shows it."""
    return {
        "kpi_key": row.kpi_key,
        "year": row.year,
        "target": row.target,
        "set_by": row.set_by,
        "updated_at": row.updated_at,
    }


def list_targets(year: int) -> list[dict[str, Any]]:
    """The targets of ``year``, ordered by KPI key (one per KPI: no pagination needed)."""
    rows = db.session.scalars(select(KpiTarget).where(KpiTarget.year == year).order_by(KpiTarget.kpi_key))
    return [target_dict(row) for row in rows]


def _known_keys(year: int) -> Iterable[str]:
    kpis, _warnings = collect_kpis(parse_period(str(year)))
    return [kpi.key for _slug, kpi in kpis]


def set_target(kpi_key: str, year: int, *, target: float, reason: str, actor: Any = None) -> dict[str, Any]:
    """Create or change the yearly target of a KPI (audited with before and after).

    :raises ValidationError: malformed key or year; ``unknown_kpi`` when no service reports the key
        (a typo would otherwise sit unnoticed beside the real KPI).
    """
    _check_key_and_year(kpi_key, year)
    known = sorted(_known_keys(year))
    if kpi_key not in known:
        raise ValidationError("unknown_kpi", details={"kpi_key": kpi_key, "known": known})
    row = db.session.scalar(select(KpiTarget).where(KpiTarget.kpi_key == kpi_key, KpiTarget.year == year))
    before = {"target": row.target} if row else None
    # Another admin may create the same target a moment before us: a 409, not a 500.
    with committed(conflict=Conflict(details={"kpi_key": kpi_key, "year": year})):
        if row is None:
            row = KpiTarget(kpi_key=kpi_key, year=year)
            db.session.add(row)
        row.target = float(target)
        row.set_by = getattr(actor, "id", None)
        row.updated_at = utcnow()
        audit(
            "kpi_target.set", "kpi_target", f"{kpi_key}/{year}",
            before=before, after={"target": row.target}, reason=reason, actor=actor,
        )
    return target_dict(row)


def delete_target(kpi_key: str, year: int, *, reason: str, actor: Any = None) -> None:
    """Remove the target of a KPI for a year (audited); works for KPIs no longer reported too.

    :raises NotFound: there is no such target.
    """
    _check_key_and_year(kpi_key, year)
    row = db.session.scalar(select(KpiTarget).where(KpiTarget.kpi_key == kpi_key, KpiTarget.year == year))
    if row is None:
        raise NotFound(details={"kpi_key": kpi_key, "year": year})
    audit(
        "kpi_target.delete", "kpi_target", f"{kpi_key}/{year}",
        before={"target": row.target}, after=None, reason=reason, actor=actor,
    )
    db.session.delete(row)
    db.session.commit()
