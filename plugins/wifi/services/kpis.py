"""The Wi-Fi service's KPIs for a period, overall and per hotspot: unique users, sessions, hours
connected and data moved (sessions *started* in the period), and new registrations (citizens whose
first terms acceptance falls in the period). Anonymised sessions count in sessions, hours and data,
not in unique users (nobody is behind them any more)."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem import toolkit

from plugins.wifi.models import AccountingSession, Hotspot, TermsAcceptance


def _figures(period, hotspot_id: int | None = None) -> dict:
    stmt = select(func.count(), func.count(func.distinct(AccountingSession.user_id)),
                  func.coalesce(func.sum(AccountingSession.session_seconds), 0),
                  func.coalesce(func.sum(AccountingSession.input_bytes + AccountingSession.output_bytes), 0)) \
        .where(AccountingSession.started_at >= period.start, AccountingSession.started_at < period.end)
    if hotspot_id is not None:
        stmt = stmt.where(AccountingSession.hotspot_id == hotspot_id)
    sessions, users, seconds, moved = toolkit.db.session.execute(stmt).one()
    return {"sessions": int(sessions), "users": int(users), "hours": round(int(seconds) / 3600, 2),
            "gigabytes": round(int(moved) / 1024 ** 3, 3)}


def new_registrations(period) -> int:
    """Citizens whose first acceptance of the terms falls in the period."""
    first = select(TermsAcceptance.user_id, func.min(TermsAcceptance.accepted_at).label("first")) \
        .group_by(TermsAcceptance.user_id).subquery()
    return int(toolkit.db.session.scalar(select(func.count()).select_from(first).where(
        first.c.first >= period.start, first.c.first < period.end)) or 0)


def report(period) -> dict:
    """Every figure: overall and per hotspot (by id), for the admin route and the KPI hook."""
    hotspots = list(toolkit.db.session.scalars(select(Hotspot).order_by(Hotspot.id)))
    return {"overall": {**_figures(period), "new_registrations": new_registrations(period)},
            "hotspots": [{"hotspot_id": h.id, "name": h.name, **_figures(period, h.id)} for h in hotspots]}


def _values(prefix: str, label: dict, figures: dict) -> list[toolkit.KpiValue]:
    def name(id_text: str, en_text: str) -> dict:
        return {"id": f"{id_text}{label['id']}", "en": f"{en_text}{label['en']}"}
    return [
        toolkit.KpiValue(f"{prefix}.unique_users", name("Pengguna unik Wi-Fi", "Unique Wi-Fi users"),
                         figures["users"], unit="orang", cumulative=True),
        toolkit.KpiValue(f"{prefix}.sessions", name("Sesi Wi-Fi", "Wi-Fi sessions"), figures["sessions"],
                         unit="sesi", cumulative=True),
        toolkit.KpiValue(f"{prefix}.hours", name("Jam tersambung", "Hours connected"), figures["hours"],
                         unit="jam", cumulative=True),
        toolkit.KpiValue(f"{prefix}.data_gb", name("Data terpakai", "Data used"), figures["gigabytes"],
                         unit="GB", cumulative=True),
    ]


def kpi_values(period) -> list[toolkit.KpiValue]:
    """The KPI values: ``wifi.*`` overall, ``wifi.hotspot<id>.*`` per hotspot."""
    figures = report(period)
    values = _values("wifi", {"id": "", "en": ""}, figures["overall"])
    values.append(toolkit.KpiValue("wifi.new_registrations", {"id": "Pendaftaran Wi-Fi baru",
                                                              "en": "New Wi-Fi registrations"},
                                   figures["overall"]["new_registrations"], unit="orang", cumulative=True))
    for spot in figures["hotspots"]:
        label = {"id": f" ({spot['name']})", "en": f" ({spot['name']})"}
        values.extend(_values(f"wifi.hotspot{spot['hotspot_id']}", label, spot))
    return values
