"""KPIs the core measures itself, reported beside the services' under the pseudo-service ``core``."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem.audit.models import AuditEntry
from ragem.auth.models import User
from ragem.extensions import db
from ragem.hooktypes import KpiValue, Period

CORE_SLUG = "core"


def _count(stmt) -> int:
    return int(db.session.scalar(stmt) or 0)


def core_kpis(period: Period) -> list[KpiValue]:
    """New accounts (reach of the app) and service switch-offs (stability) in ``period``."""
    new_accounts = _count(
        select(func.count()).select_from(User).where(User.created_at >= period.start, User.created_at < period.end)
    )
    disablements = _count(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "service.disable", AuditEntry.at >= period.start, AuditEntry.at < period.end)
    )
    return [
        KpiValue(
            key="core.new_accounts",
            name={"id": "Akun warga baru", "en": "New accounts"},
            value=new_accounts,
            unit="akun",
            higher_is_better=True,
            cumulative=True,
        ),
        KpiValue(
            key="core.service_disablements",
            name={"id": "Layanan dinonaktifkan (pemeliharaan/gangguan)", "en": "Services switched off (maintenance/outage)"},
            value=disablements,
            unit="kali",
            higher_is_better=False,
            cumulative=True,
        ),
    ]
