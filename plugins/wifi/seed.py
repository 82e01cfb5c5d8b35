"""The Wi-Fi service's reference data: the first version of the terms and the global policy.

Loaded by ``ragem_reference_data``: only what is missing is added, so an admin's later change to
the policy is never overwritten. Two seeders may run at once (two workers starting): the rows are
inserted with ``ON CONFLICT DO NOTHING`` against their unique keys, so the second one waits for the
first and then adds nothing, instead of adding a duplicate or failing the start.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from plugins.wifi.models import GLOBAL_POLICY_KEY, Policy, Terms

TERMS_VERSION = "2026-12"
TERMS_TEXT_ID = (
    "Wi-Fi publik Kota Serang gratis untuk warga. Dengan memakainya Anda setuju: tidak memakai jaringan "
    "untuk melanggar hukum; sesi, kuota harian dan kecepatan dibatasi agar adil bagi semua; Pemerintah "
    "Kota Serang mencatat waktu, lokasi hotspot dan jumlah data setiap sesi (bukan isi lalu lintas) "
    "untuk mengelola layanan; perangkat yang Anda daftarkan dapat masuk otomatis dan dapat Anda hapus "
    "kapan saja; akses dapat ditangguhkan bila disalahgunakan."
)
TERMS_TEXT_EN = (
    "Kota Serang's public Wi-Fi is free for citizens. By using it you agree: not to use the network to "
    "break the law; sessions, daily quotas and speed are limited to be fair to everyone; the City of "
    "Serang records the time, hotspot and amount of data of each session (never the traffic's content) "
    "to run the service; devices you register log in automatically and you may remove them at any "
    "time; access may be suspended when abused."
)
#: The global policy installed on a fresh database: 2 hours a session, 4 hours and 2 GB a day,
#: 5 Mbit/s down and 2 Mbit/s up.
DEFAULT_POLICY = {"session_seconds": 7200, "daily_seconds": 4 * 3600, "daily_bytes": 2 * 1024 ** 3,
                  "down_kbps": 5000, "up_kbps": 2000}


_INSERT_IGNORING_CONFLICTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _insert_missing(session, model, values: dict) -> None:
    dialect = session.get_bind().dialect.name
    if dialect in _INSERT_IGNORING_CONFLICTS:
        session.execute(_INSERT_IGNORING_CONFLICTS[dialect](model).values(**values).on_conflict_do_nothing())
    else:  # another database: the unique keys still refuse a duplicate, loudly
        session.execute(insert(model).values(**values))


def ensure_reference_data(session) -> None:
    """Add the first terms version and the global policy when missing (safe to race)."""
    if session.get(Terms, TERMS_VERSION) is None:
        _insert_missing(session, Terms, {"version": TERMS_VERSION, "text_id": TERMS_TEXT_ID,
                                         "text_en": TERMS_TEXT_EN, "published_at": datetime(2026, 12, 1)})
    if session.scalar(select(Policy.id).where(Policy.hotspot_id.is_(None))) is None:
        _insert_missing(session, Policy, {"hotspot_id": None, "singleton": GLOBAL_POLICY_KEY,
                                          **DEFAULT_POLICY})
