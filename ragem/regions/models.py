"""The regions of Kota Serang: the city, its kecamatan and its kelurahan."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db

LEVELS = ("kota", "kecamatan", "kelurahan")


class Region(db.Model):
    """One administrative region, keyed by its Kemendagri code (``36.73.01.1001``).

    Reference data loaded from ``wilayah_kota_serang.csv`` by ``seed_regions``; nothing in the API
    edits it. The city's own parent (province 36, Banten) is outside the table, so it is NULL.
    """

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    bps_code: Mapped[str | None] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[str] = mapped_column(String(10), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)

    __table_args__ = (
        CheckConstraint("level IN ('kota', 'kecamatan', 'kelurahan')", name="level"),
    )

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.level} {self.name}>"
