"""The complaint categories of Kota Serang and the OPD answering for each (loaded idempotently)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

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

#: Categories whose complaints are about a person's own health or population records: never in the
#: public list, the map or Open311 GET (``Category.complaints_public`` off; admins may change it).
PRIVATE_CATEGORIES = frozenset({"KESEHATAN", "ADMINDUK"})



def _choices(*pairs):
    return [{"key": key, "name": {"id": name_id, "en": name_en}} for key, name_id, name_en in pairs]


# Extra questions (Open311 attributes) of a few categories: what the OPD needs to send the right crew.
QUESTIONS = {
    "JALAN_RUSAK": [
        # Not required: JALAN_RUSAK is the category most clients (and tests) file without answers.
        {"code": "ukuran_lubang", "datatype": "singlevaluelist", "required": False, "order": 1,
         "description": {"id": "Seberapa besar kerusakannya?", "en": "How large is the damage?"},
         "values": _choices(("kecil", "Kecil (kurang dari 30 cm)", "Small (under 30 cm)"),
                            ("sedang", "Sedang (30-100 cm)", "Medium (30-100 cm)"),
                            ("besar", "Besar (lebih dari 1 m)", "Large (over 1 m)"))},
        {"code": "membahayakan", "datatype": "singlevaluelist", "required": False, "order": 2,
         "description": {"id": "Apakah membahayakan pengendara?", "en": "Is it dangerous for road users?"},
         "values": _choices(("ya", "Ya", "Yes"), ("tidak", "Tidak", "No"))},
    ],
    "BANJIR": [
        {"code": "ketinggian_air_cm", "datatype": "number", "required": False, "order": 1,
         "description": {"id": "Ketinggian air (cm)", "en": "Water depth (cm)"}},
        {"code": "mulai", "datatype": "datetime", "required": False, "order": 2,
         "description": {"id": "Sejak kapan air menggenang?", "en": "Since when has the water stood?"}},
    ],
    "PJU": [
        {"code": "kondisi", "datatype": "singlevaluelist", "required": True, "order": 1,
         "description": {"id": "Bagaimana kondisi lampunya?", "en": "What is wrong with the light?"},
         "values": _choices(("mati", "Mati total", "Completely out"), ("berkedip", "Berkedip", "Flickering"),
                            ("menyala_siang", "Menyala di siang hari", "On during the day"))},
        {"code": "jumlah_lampu", "datatype": "number", "required": False, "order": 2,
         "description": {"id": "Berapa lampu yang mati?", "en": "How many lights are out?"}},
        {"code": "nomor_tiang", "datatype": "string", "required": False, "order": 3,
         "description": {"id": "Nomor tiang (jika terlihat)", "en": "Pole number (if visible)"}},
    ],
}


def ensure_categories(session=None) -> int:
    """Add the categories that are missing (by code), never touching ones an admin changed; returns how many."""
    session = session or toolkit.db.session
    existing = set(session.scalars(select(Category.code)))
    rows = [
        dict(code=code, name_id=name_id, name_en=name_en, opd_code=opd, routing_overrides={},
             first_response_target=fr, first_response_unit=fr_unit, resolution_target=res, resolution_unit=res_unit,
             allows_anonymous=anonymous, complaints_public=code not in PRIVATE_CATEGORIES, active=True,
             questions=QUESTIONS.get(code, []))
        for code, name_id, name_en, opd, (fr, fr_unit), (res, res_unit), anonymous in CATEGORIES if code not in existing
    ]
    if not rows:
        return 0
    # The first requests on a fresh database seed at the same moment (several workers): a code
    # another one inserted meanwhile is skipped, not a unique-key error (a 500 losing the filing).
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    result = session.execute(dialect.insert(Category).values(rows).on_conflict_do_nothing(index_elements=["code"]))
    return max(result.rowcount, 0)


def category_codes() -> dict[int, str]:
    """Every category's code by id, to name the category of each row in a list with one query."""
    return dict(toolkit.db.session.execute(select(Category.id, Category.code)).all())
