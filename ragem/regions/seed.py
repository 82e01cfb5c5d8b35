"""Loading the regions of Kota Serang from the CSV shipped with the package."""
from __future__ import annotations

import csv
import io
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from ragem.regions.models import LEVELS, Region

CSV_NAME = "wilayah_kota_serang.csv"


def read_rows() -> list[dict[str, str | None]]:
    """The CSV rows as ``{code, bps_code, name, level, parent_code}``, parents before children.

    Source: Kepmendagri No. 300.2.2-2138 Tahun 2025 (Kemendagri codes) and BPS (city and kecamatan).
    """
    text = resources.files("ragem.regions").joinpath(CSV_NAME).read_text(encoding="utf-8")
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        level = raw["level"].strip()
        if level not in LEVELS:
            raise ValueError(f"{CSV_NAME}: unknown level {level!r} for {raw['kemendagri_code']}")
        rows.append(
            {
                "code": raw["kemendagri_code"].strip(),
                "bps_code": raw["bps_code"].strip() or None,
                "name": raw["name"].strip(),
                "level": level,
                # The city's parent is the province (36), which we do not hold: keep the FK valid.
                "parent_code": None if level == "kota" else raw["parent_code"].strip(),
            }
        )
    known = {row["code"] for row in rows}
    orphans = [row["code"] for row in rows if row["parent_code"] and row["parent_code"] not in known]
    if orphans:
        raise ValueError(f"{CSV_NAME}: parent missing for {orphans}")
    return sorted(rows, key=lambda row: LEVELS.index(row["level"]))


def seed_regions(session: Session) -> int:
    """Insert or update every region of the CSV by code (idempotent); returns how many rows changed.

    Flushes but does not commit: the caller (``seed_reference``) owns the transaction. Regions that
    left the CSV are kept, because citizens' addresses may still point at them.
    """
    rows = read_rows()
    existing = {region.code: region for region in session.scalars(select(Region))}
    changed = 0
    for level in LEVELS:
        for row in (r for r in rows if r["level"] == level):
            region = existing.get(row["code"])
            if region is None:
                session.add(Region(**row))
                changed += 1
                continue
            if any(getattr(region, key) != value for key, value in row.items()):
                for key, value in row.items():
                    setattr(region, key, value)
                changed += 1
        # One flush per level: a child's parent row must exist before the child is written
        # (PostgreSQL checks the foreign key at once).
        session.flush()
    return changed
