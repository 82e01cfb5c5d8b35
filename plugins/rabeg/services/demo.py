"""Demo complaints for ``ragem serve --demo``: a few filed by the demo citizens, some already in hand,
so the queue, the public list and map, Open311 and the KPIs show something on a fresh install.

Filed through the same functions as real complaints (routing, deadlines, timeline, inbox); each has
its own Idempotency-Key, so a second ``ragem demo load`` finds them and changes nothing.
"""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.services import filing, lifecycle, responses

# key, citizen, category, description, (lat, lon), kelurahan, address, what the OPD has done so far
DEMO_COMPLAINTS = (
    ("demo-rabeg-1", "citizen1", "JALAN_RUSAK", "Jalan berlubang besar di depan Pasar Rau, membahayakan pengendara motor.",
     (-6.1189, 106.1558), "36.73.01.1003", "Jl. Pasar Rau", "in_progress"),
    ("demo-rabeg-2", "citizen2", "PJU", "Tiga lampu jalan mati sejak seminggu di dekat Alun-alun Serang.",
     (-6.1207, 106.1503), "36.73.01.1001", "Jl. Alun-alun Barat", "resolved"),
    ("demo-rabeg-3", "citizen3", "SAMPAH", "Sampah menumpuk di tepi jalan dan belum diangkut tiga hari.",
     (-6.1025, 106.1761), "36.73.02.1002", "Jl. Maulana Hasanudin", None),
    ("demo-rabeg-4", "citizen1", "BANJIR", "Saluran air tersumbat, jalan tergenang setiap hujan deras.",
     (-6.1339, 106.1614), "36.73.01.1002", "Perumahan Cipare", "responded"),
    ("demo-rabeg-5", "citizen2", "KETERTIBAN", "Pedagang berjualan di trotoar sehingga pejalan kaki turun ke jalan.",
     (-6.1152, 106.1530), "36.73.01.1001", "Jl. Diponegoro", None),
)

#: Answers to the categories' questions (street lights require the light's condition).
DEMO_ANSWERS = {
    "demo-rabeg-1": {"ukuran_lubang": "besar", "membahayakan": "ya"},
    "demo-rabeg-2": {"kondisi": "mati", "jumlah_lampu": 3},
    "demo-rabeg-4": {"ketinggian_air_cm": 30},
}


def ensure_demo_complaints() -> int:
    """File the demo complaints that are missing and move the new ones along; returns how many were filed."""
    filed = 0
    for key, citizen, category, description, (lat, lon), kelurahan, address, progress in DEMO_COMPLAINTS:
        try:
            reporter = toolkit.demo_user(citizen)
        except LookupError:
            return filed  # the demo accounts come first; without them there is nobody to file
        complaint, created = filing.file_complaint(
            reporter=reporter, idempotency_key=key, category=category, description=description,
            lat=lat, lon=lon, kelurahan=kelurahan, address=address, answers=DEMO_ANSWERS.get(key),
        )
        if not created:
            continue
        filed += 1
        if progress is None:
            continue
        officer = _officer(complaint.opd_code)
        if officer is None:
            continue
        if progress == "responded":
            responses.respond(complaint.id, officer,
                              public_message="Terima kasih, tim kami akan memeriksa saluran pekan ini.")
            continue
        lifecycle.transition(complaint.id, officer, to="in_progress",
                             public_message="Laporan sudah kami terima dan petugas dijadwalkan ke lokasi.")
        if progress == "resolved":
            lifecycle.transition(complaint.id, officer, to="resolved",
                                 public_message="Lampu sudah diganti dan menyala kembali.",
                                 internal_note="Ganti 3 lampu LED 60 W, tiang 12-14.")
    return filed


def _officer(opd_code: str):
    """The demo officer of ``opd_code``, if the demo loader made one."""
    try:
        return toolkit.demo_user(f"officer-{opd_code}")
    except LookupError:
        return None
