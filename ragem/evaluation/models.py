"""Yearly targets (Renstra) for each KPI."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.timeutil import utcnow


class KpiTarget(db.Model):
    """The target an admin set for one KPI in one year.

    For a cumulative KPI (a count) it is the whole year's figure, pro-rated when a month or a
    quarter is evaluated; for a rate or an average it applies to every period as is.
    """

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("kpi_key", "year", name="uq_kpi_target_kpi_key_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kpi_key: Mapped[str] = mapped_column(String(64), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    target: Mapped[float] = mapped_column(Float, nullable=False)
    set_by: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
