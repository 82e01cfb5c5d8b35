"""OPDs (perangkat daerah) and the vertical agencies RAGEM routes work to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.timeutil import utcnow

#: dinas (office), badan (agency), satuan (unit, e.g. Satpol PP), vertical (a national body
#: working in the city, e.g. the police).
KINDS = ("dinas", "badan", "satuan", "vertical")


class Opd(db.Model):
    """An OPD or agency, keyed by a short uppercase code (``DISKOMINFO``).

    Officers, services and complaints refer to the code, so rows are deactivated, never deleted,
    and the code never changes.
    """

    __tablename__ = "opd"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('dinas', 'badan', 'satuan', 'vertical')", name="kind"),
    )

    @property
    def names(self) -> dict[str, str]:
        """The name as an ``{"id": ..., "en": ...}`` dict, ready for ``translate``."""
        return {"id": self.name_id, "en": self.name_en}

    def __repr__(self) -> str:
        return f"<Opd {self.code}>"
