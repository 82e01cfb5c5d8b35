"""The complaint categories of Kota Serang and the OPD answering for each (loaded idempotently)."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import Category

# code, Indonesian name, English name, OPD, first response (n, unit), resolution (n, unit), anonymous allowed
CATEGORIES = (
    ("JALAN_RUSAK", "Jalan rusak", "Damaged road", "DPUPR", (1, "working_days"), (10, "working_days"), True),
    ("PJU", "Lampu penerangan jalan mati", "Street light out", "DISPERKIM", (1, "working_days"), (5, "working_days"), True),
    ("SAMPAH", "Sampah menumpuk", "Uncollected rubbish", "DLH", (4, "working_hours"), (3, "working_days"), True),
    ("BANJIR", "Banjir dan drainase", "Flooding and drainage", "DPUPR", (4, "working_hours"), (5, "working_days"), True),
    ("KESEHATAN", "Layanan kesehatan", "Public health services", "DINKES", (1, "working_days"), (5, "working_days"), False),
    ("ADMINDUK", "Administrasi kependudukan", "Population administration", "DISDUKCAPIL", (1, "working_days"), (5, "working_days"), False),
    ("KETERTIBAN", "Ketertiban umum", "Public order", "SATPOLPP", (4, "working_hours"), (3, "working_days"), True),
    ("FASUM_WIFI", "Fasilitas umum dan Wi-Fi publik", "Public facilities and Wi-Fi", "DISKOMINFO", (1, "working_days"), (5, "working_days"), True),
    ("LALU_LINTAS", "Lalu lintas dan rambu", "Traffic and signs", "DISHUB", (1, "working_days"), (5, "working_days"), True),
)


def ensure_categories(session=None) -> int:
    """Add the categories that are missing (by code), never touching ones an admin changed; returns how many."""
    session = session or toolkit.db.session
    existing = set(session.scalars(select(Category.code)))
    added = 0
    for code, name_id, name_en, opd, (fr, fr_unit), (res, res_unit), anonymous in CATEGORIES:
        if code in existing:
            continue
        session.add(Category(
            code=code, name_id=name_id, name_en=name_en, opd_code=opd, routing_overrides={},
            first_response_target=fr, first_response_unit=fr_unit, resolution_target=res, resolution_unit=res_unit,
            allows_anonymous=anonymous, active=True,
        ))
        added += 1
    if added:
        session.flush()
    return added
