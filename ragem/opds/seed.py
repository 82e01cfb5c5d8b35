"""The OPDs and agencies of Kota Serang that RAGEM starts with."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ragem.opds.models import Opd

# (code, Indonesian name, English name, kind). Names follow the city's nomenclature of
# perangkat daerah; DISKOPUKM is the UMKM office (the GELATI plugin names it as its owner).
OPDS: tuple[tuple[str, str, str, str], ...] = (
    ("DISKOMINFO", "Dinas Komunikasi, Informatika, Statistik dan Persandian",
     "Office of Communication, Informatics, Statistics and Cryptography", "dinas"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang",
     "Office of Public Works and Spatial Planning", "dinas"),
    ("DINKES", "Dinas Kesehatan", "Health Office", "dinas"),
    ("DLH", "Dinas Lingkungan Hidup", "Environment Office", "dinas"),
    ("DISHUB", "Dinas Perhubungan", "Transportation Office", "dinas"),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman",
     "Office of Housing and Residential Areas", "dinas"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil",
     "Office of Population and Civil Registration", "dinas"),
    ("DINSOS", "Dinas Sosial", "Social Affairs Office", "dinas"),
    ("DISKOPUKM", "Dinas Koperasi, Usaha Mikro, Kecil dan Menengah, Perindustrian dan Perdagangan",
     "Office of Cooperatives, Micro, Small and Medium Enterprises, Industry and Trade", "dinas"),
    ("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "Fire and Rescue Office", "dinas"),
    ("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan", "Office of Education and Culture", "dinas"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "Civil Service Police Unit", "satuan"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "Regional Disaster Management Agency", "badan"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "Regional Development Planning Agency", "badan"),
    ("POLRESTA", "Kepolisian Resor Kota Serang Kota (Polresta Serang Kota)",
     "Serang City Police (Polresta Serang Kota)", "vertical"),
)


def seed_opds(session: Session) -> int:
    """Insert the OPDs that are missing (idempotent); returns how many were added.

    Existing rows are left alone, so an admin's renames or deactivations survive every restart.
    Flushes but does not commit: the caller owns the transaction.
    """
    existing = set(session.scalars(select(Opd.code)))
    added = 0
    for code, name_id, name_en, kind in OPDS:
        if code not in existing:
            session.add(Opd(code=code, name_id=name_id, name_en=name_en, kind=kind, active=True))
            added += 1
    session.flush()
    return added
