#!/usr/bin/env python3
"""Fill a PostgreSQL database with N RABEG complaints (default 1,000,000) for the scale benchmark.

Run by hand from the repository root, never by the test suite::

    python bench/rabeg_data.py                                  # 1,000,000 into ragem_bench on 127.0.0.1
    python bench/rabeg_data.py -n 200000 --url postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench

What it does:

1. creates the database if it does not exist (a dedicated one: it refuses the test suite's ``test``);
2. builds the schema through the app's own migrations (``ragem.migrate.upgrade_all``), falling back
   to the models when the RABEG migration lags behind them (the lead regenerates it at the end), then
   loads the reference data (regions, OPDs) and the seeded categories;
3. creates the benchmark's officer (DPUPR) and admin through ``ragem.auth.accounts.create_user``;
4. replaces every complaint with N generated ones in one transaction: secondary indexes dropped,
   rows streamed with ``COPY`` (psycopg 3), indexes rebuilt, then ``VACUUM (ANALYZE)``.

The data is shaped like a city's two years of complaints: 9 categories with skewed frequencies,
the OPD routed from the category (kecamatan overrides honoured), the 67 kelurahan of Kota Serang
with points inside their kecamatan, volume growing over 24 months and filed mostly in the daytime,
old complaints mostly closed and recent ones mostly open, response and resolution times mostly
within target (deadlines from the plugin's own working calendar), a few re-routes, reopenings,
duplicates and ratings, about two timeline entries per complaint, photo rows for a third of them
(no files behind them: lists only sign their links) and reporters drawn from a pool of 200,000
account ids (no accounts behind them: only the officer and admin log in).
"""
from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `plugins.rabeg` is imported from the checkout

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench"
#: The databases the test suite uses: never filled with benchmark rows.
FORBIDDEN_DATABASES = ("test", "postgres", "template0", "template1")

# The accounts the benchmark logs in with (created through the app's own functions).
BENCH_PASSWORD = "Bench-Rahasia-123"
OFFICER_PHONE = "+6281299000001"
OFFICER_OPD = "DPUPR"  # the busiest OPD: damaged roads and flooding
ADMIN_PHONE = "+6281299000002"

REPORTER_POOL = 200_000
MONTHS = 24
CHUNK = 50_000

# Share of complaints per category code: roads and rubbish dominate, as in most cities' channels.
CATEGORY_WEIGHTS = {
    "JALAN_RUSAK": 28, "SAMPAH": 20, "PJU": 14, "BANJIR": 12, "KETERTIBAN": 8,
    "ADMINDUK": 6, "LALU_LINTAS": 5, "FASUM_WIFI": 4, "KESEHATAN": 3,
}

# Rough boxes (min_lat, max_lat, min_lon, max_lon) of Kota Serang's six kecamatan: the regions
# table holds no coordinates, and a point inside its own kecamatan is all the bbox filter needs.
KECAMATAN_BOXES = {
    "36.73.01": (-6.140, -6.095, 106.125, 106.170),  # Serang
    "36.73.02": (-6.060, -6.010, 106.140, 106.210),  # Kasemen
    "36.73.03": (-6.160, -6.100, 106.200, 106.260),  # Walantaka
    "36.73.04": (-6.220, -6.160, 106.120, 106.190),  # Curug
    "36.73.05": (-6.170, -6.120, 106.165, 106.215),  # Cipocok Jaya
    "36.73.06": (-6.150, -6.090, 106.060, 106.125),  # Taktakan
}

# Filing hour (WIB) weights: people report in the daytime and the early evening.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 8, 8, 9, 9, 8, 7, 7, 7, 6, 4, 3, 2]

# State mix by age in days: (upper bound of the age, {state: weight}).
STATE_MIX = (
    (3, {"assigned": 55, "in_progress": 30, "resolved": 8, "rejected": 5, "reopened": 2}),
    (14, {"assigned": 20, "in_progress": 35, "resolved": 25, "closed": 10, "rejected": 7, "reopened": 3}),
    (60, {"assigned": 6, "in_progress": 12, "resolved": 4, "closed": 68, "rejected": 8, "reopened": 2}),
    (math.inf, {"assigned": 1, "in_progress": 1.5, "resolved": 0.5, "closed": 88, "rejected": 8.5, "reopened": 0.5}),
)
RATINGS = ((1, 5), (2, 7), (3, 18), (4, 35), (5, 35))

STREETS = (
    "Jl. Ahmad Yani", "Jl. Jenderal Sudirman", "Jl. Veteran", "Jl. Diponegoro", "Jl. Maulana Hasanudin",
    "Jl. Raya Pandeglang", "Jl. Raya Cilegon", "Jl. Raya Petir", "Jl. Kitapa", "Jl. Bhayangkara",
    "Jl. Syekh Nawawi Al Bantani", "Jl. Raya Banten", "Jl. Kyai Haji Abdul Fatah Hasan", "Jl. Lingkar Selatan",
    "Jl. Trip Jamaksari", "Jl. Yusuf Martadilaga", "Jl. Tb. Suwandi", "Jl. Ciracas", "Jl. Kagungan",
)
DESCRIPTIONS = {
    "JALAN_RUSAK": ("Jalan berlubang cukup dalam di {s}, membahayakan pengendara motor terutama malam hari.",
                    "Aspal mengelupas dan retak sepanjang kurang lebih 50 meter di {s}.",
                    "Lubang besar di tengah {s} tergenang air setiap hujan, sudah ada yang jatuh."),
    "SAMPAH": ("Sampah menumpuk di pinggir {s} sudah lebih dari seminggu tidak diangkut.",
               "TPS dekat {s} penuh dan berbau, sampah meluber ke jalan.",
               "Ada pembuangan sampah liar di lahan kosong sekitar {s}."),
    "PJU": ("Lampu penerangan jalan di {s} mati sejak beberapa hari, jalan gelap gulita.",
            "Tiga tiang lampu PJU di {s} tidak menyala di malam hari.",
            "Lampu jalan di {s} berkedip dan sering padam."),
    "BANJIR": ("Saluran air di {s} tersumbat sehingga banjir setinggi betis setiap hujan deras.",
               "Gorong-gorong di {s} rusak, air meluap ke rumah warga.",
               "Drainase di sepanjang {s} dangkal dan penuh lumpur."),
    "KETERTIBAN": ("Pedagang kaki lima menutup trotoar di {s} sehingga pejalan kaki turun ke jalan.",
                   "Parkir liar di {s} menyebabkan kemacetan setiap sore.",
                   "Bangunan liar berdiri di bahu jalan {s}."),
    "ADMINDUK": ("Pengurusan KTP elektronik belum selesai lebih dari sebulan, mohon kejelasan.",
                 "Antrean akta kelahiran sangat panjang dan informasi syarat tidak jelas.",
                 "Data kartu keluarga salah setelah pindah domisili, mohon dibantu perbaikan."),
    "LALU_LINTAS": ("Lampu lalu lintas di persimpangan {s} mati dan rawan kecelakaan.",
                    "Rambu petunjuk arah di {s} roboh tertabrak kendaraan.",
                    "Marka jalan di {s} sudah pudar dan tidak terlihat di malam hari."),
    "FASUM_WIFI": ("Wi-Fi publik di taman dekat {s} tidak bisa tersambung sejak minggu lalu.",
                   "Bangku dan fasilitas taman di {s} rusak dan tidak diperbaiki.",
                   "Toilet umum di dekat {s} kotor dan airnya tidak mengalir."),
    "KESEHATAN": ("Pelayanan di puskesmas dekat {s} sangat lambat, antrean lebih dari tiga jam.",
                  "Obat yang diresepkan di puskesmas sering kosong.",
                  "Petugas puskesmas tidak ramah dan jam buka tidak sesuai papan pengumuman."),
}
FIRST_NAMES = ("Budi", "Siti", "Agus", "Dewi", "Rina", "Ahmad", "Nur", "Eka", "Dian", "Yusuf", "Fitri", "Hendra")
STATE_MESSAGES = {
    "in_progress": "Pengaduan sedang ditindaklanjuti oleh petugas di lapangan.",
    "resolved": "Perbaikan telah selesai dikerjakan. Mohon konfirmasi apakah masalah sudah teratasi.",
    "closed": "Pengaduan ditutup. Terima kasih atas laporan Anda.",
    "rejected": "Pengaduan tidak dapat ditindaklanjuti.",
    "reopened": "Pelapor menyatakan masalah belum teratasi; pengaduan dibuka kembali.",
}
ASSIGNED_MESSAGE = "Pengaduan Anda telah diterima dan langsung diteruskan ke {opd}."

# The columns this generator writes (anything else must be nullable or have a default).
COMPLAINT_COLUMNS = (
    "id", "public_number", "reporter_id", "category_id", "opd_code", "state", "description", "lat", "lon",
    "kelurahan_code", "address", "show_name_publicly", "created_at", "first_response_due", "resolution_due",
    "first_responded_at", "resolved_at", "escalated", "first_response_risk_at", "resolution_risk_at", "updated_at",
    "closed_at", "kecamatan_code", "answers", "anonymous", "reporter_display_name", "source", "api_key_id",
    "open311_token", "contact_ciphertext", "moderated_description", "duplicate_of_id", "supporters_count",
    "reroute_count", "reopen_count", "confirmation", "confirmed_at", "rating",
)
TIMELINE_COLUMNS = ("complaint_id", "actor_id", "at", "from_state", "to_state", "kind", "public_message", "internal_note")
PHOTO_COLUMNS = ("uploader_id", "complaint_id", "timeline_entry_id", "kind", "file_id", "thumbnail_file_id",
                 "content_type", "position", "hidden", "hidden_reason", "created_at")
# Tables whose rows hang off complaints: emptied with them.
COMPLAINT_TABLES = (
    "rabeg_complaint", "rabeg_timeline_entry", "rabeg_photo", "rabeg_supporter", "rabeg_escalation",
    "rabeg_idempotency_record",
)


# -- the database ----------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """``url`` as psycopg/libpq wants it (no ``+psycopg`` driver suffix)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def check_dedicated(url: str) -> str:
    """The database name of ``url``, a PostgreSQL database other than the test suite's (else exit)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise SystemExit("the RABEG benchmark needs PostgreSQL (a postgresql+psycopg:// URL)")
    name = parsed.database or ""
    if name in FORBIDDEN_DATABASES or name.startswith(("ragem_test", "ragem_fresh")):
        raise SystemExit(f"refusing to use database {name!r}: use a dedicated one such as 'ragem_bench'")
    return name


def ensure_database(url: str) -> None:
    """Create the database of ``url`` if missing; refuse the test suite's own databases."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = check_dedicated(url)
    parsed = make_url(url)
    with psycopg.connect(libpq_url(parsed.set(database="postgres").render_as_string(hide_password=False)),
                         autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def make_app(url: str):
    """A development app on ``url`` (its instance folder in a temporary directory)."""
    from ragem.app import create_app

    instance = tempfile.mkdtemp(prefix="ragem-bench-data-")
    return create_app({"ENV": "development", "DATABASE_URL": url, "INSTANCE_PATH": instance, "SCHEDULER": False,
                       "LOG_LEVEL": "WARNING", "LOG_JSON": False})


def build_schema(app) -> str:
    """Migrate (core and plugins); fall back to the models when a migration lags behind them."""
    from ragem.database import create_all, seed_reference
    from ragem.extensions import db
    from ragem.migrate import upgrade_all

    from plugins.rabeg.seed import ensure_categories

    upgrade_all(app)
    schema = "migrations"
    with app.app_context():
        missing = []
        for table in db.metadata.sorted_tables:
            try:  # every mapped table and column must be there, or the figures measure errors
                db.session.execute(table.select().limit(0))
            except Exception:  # noqa: BLE001 - any failure means this table lags behind its model
                db.session.rollback()
                missing.append(table)
        db.session.rollback()  # end the checks' transaction: it would hold locks the DROP waits for
        if missing:
            # The lagging tables and every table referring to them are rebuilt from the models
            # (a DROP ... CASCADE would leave the referring tables without their foreign keys).
            rebuilt = set(missing)
            for table in db.metadata.sorted_tables:
                if any(fk.column.table in rebuilt for fk in table.foreign_keys):
                    rebuilt.add(table)
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    if table in rebuilt:
                        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table.name}" CASCADE')
            names = ", ".join(sorted(t.name for t in missing))
            schema = f"models for {names} (the migrations lag behind them)"
        create_all()
        # Indexes added to the models since the tables were made (create_all skips existing tables).
        for table in db.metadata.sorted_tables:
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        seed_reference()
        ensure_categories(db.session)
        db.session.commit()
    return schema


def ensure_accounts(password_hash: str | None = None) -> dict[str, str]:
    """The benchmark's DPUPR officer and admin (created once, through the app's own function); their ids."""
    from ragem.auth.models import User
    from ragem.auth.passwords import hash_password
    from ragem.auth.accounts import create_user
    from ragem.extensions import db

    shared = password_hash or hash_password(BENCH_PASSWORD)
    wanted = {
        "officer": (OFFICER_PHONE, "Bench Petugas DPUPR", ("officer",), OFFICER_OPD),
        "admin": (ADMIN_PHONE, "Bench Admin", ("admin",), "DISKOMINFO"),
    }
    ids = {}
    for key, (phone, name, roles, opd) in wanted.items():
        user = db.session.query(User).filter_by(phone=phone).one_or_none()
        if user is None:
            user = create_user(name=name, phone=phone, password=BENCH_PASSWORD, password_hash=shared,
                               roles=roles, opd_code=opd)
        ids[key] = user.id
    db.session.commit()
    return ids


# -- the rows --------------------------------------------------------------------------------------


def _text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _line(values) -> str:
    """One row in COPY text format."""
    return "\t".join(_text(v) for v in values) + "\n"


def _weighted(rng: random.Random, table: dict):
    """A sampler over ``table`` ({choice: weight}) bound to ``rng``."""
    choices = list(table)
    cumulative, total = [], 0.0
    for choice in choices:
        total += table[choice]
        cumulative.append(total)

    def pick():
        return choices[bisect.bisect_right(cumulative, rng.random() * total)]

    return pick


class Generator:
    """Complaint and timeline rows, reproducible from ``seed``."""

    def __init__(self, *, n: int, seed: int, now: datetime, categories: list, kelurahan: dict, opd_names: dict,
                 first_id: int, extra_complaint: dict, extra_timeline: dict, extra_photo: dict):
        from plugins.rabeg.calendar import add_working_time
        from plugins.rabeg.services.sla import risk_moment

        self.add_working_time, self.risk_moment = add_working_time, risk_moment
        self.rng = rng = random.Random(seed)
        self.n, self.now, self.first_id = n, now, first_id
        self.extra_complaint, self.extra_timeline, self.extra_photo = extra_complaint, extra_timeline, extra_photo
        self.categories = {c.code: c for c in categories}
        self.opd_names = opd_names
        self.pick_category = _weighted(rng, {code: CATEGORY_WEIGHTS.get(code, 1) for code in self.categories})
        # Some kelurahan report far more than others (denser, busier roads): a lognormal weight each.
        self.kelurahan = kelurahan  # {kelurahan code: (kecamatan code, name)}
        self.pick_kelurahan = _weighted(rng, {code: rng.lognormvariate(0, 0.6) for code in sorted(kelurahan)})
        self.pick_hour = _weighted(rng, dict(enumerate(HOUR_WEIGHTS)))
        self.pick_state = [(limit, _weighted(rng, mix)) for limit, mix in STATE_MIX]
        self.pick_rating = _weighted(rng, dict(RATINGS))
        self.reporters = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(REPORTER_POOL)]
        self.officers = {opd: [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(8)]
                         for opd in {c.opd_code for c in categories} | {o for c in categories
                                                                       for o in (c.routing_overrides or {}).values()}}
        self.start = now - timedelta(days=round(MONTHS * 30.44))
        self.span = (now - self.start).total_seconds()
        self.timeline_rows = self.photo_rows = 0

    def created_moments(self) -> list[datetime]:
        """N filing moments over the period, volume growing from 0.6x to 1.4x, mostly in the daytime (WIB)."""
        rng, days = self.rng, self.span / 86400
        local_midnight = (self.start + timedelta(hours=7)).replace(hour=0, minute=0, second=0, microsecond=0)
        moments = []
        for _ in range(self.n):
            # Inverse CDF of a density rising linearly from 0.6 to 1.4 over the period.
            t = (-0.6 + math.sqrt(0.36 + 1.6 * rng.random())) / 0.8
            day = int(t * days)
            local = local_midnight + timedelta(days=day, hours=self.pick_hour(), seconds=rng.random() * 3600)
            moment = local - timedelta(hours=7)
            if moment >= self.now:
                moment = self.now - timedelta(seconds=rng.random() * 3600)
            moments.append(moment.replace(microsecond=0))
        moments.sort()  # ids follow filing order, as in the app
        return moments

    def _later(self, start: datetime, due: datetime, on_time_share: float, late_mean_days: float) -> datetime:
        """A completion moment after ``start``: before ``due`` with ``on_time_share``, else some days late."""
        rng = self.rng
        if rng.random() < on_time_share:
            return start + (due - start) * (0.05 + 0.9 * rng.random())
        return due + timedelta(days=rng.expovariate(1 / late_mean_days), seconds=60)

    def rows(self, index: int, created: datetime):
        """The complaint row (in COMPLAINT_COLUMNS order), its timeline rows and its photo rows."""
        rng, now = self.rng, self.now
        cid = self.first_id + index
        category = self.categories[self.pick_category()]
        kel = self.pick_kelurahan()
        kecamatan, kel_name = self.kelurahan[kel]
        opd = (category.routing_overrides or {}).get(kecamatan) or category.opd_code
        first_due = self.add_working_time(created, category.first_response_target, category.first_response_unit)
        resolution_due = self.add_working_time(created, category.resolution_target, category.resolution_unit)
        age_days = (now - created).total_seconds() / 86400
        state = next(pick for limit, pick in self.pick_state if age_days < limit)()

        first_responded = resolved = closed = confirmed_at = confirmation = rating = None
        reopen_count = 0
        last = created
        if state != "assigned":
            first_responded = min(self._later(created, first_due, 0.8, 2), now - timedelta(seconds=rng.random() * 600))
            first_responded = max(first_responded, created + timedelta(seconds=30))
            last = first_responded
        if state in ("resolved", "closed", "reopened"):
            resolved = self._later(first_responded, max(resolution_due, first_responded + timedelta(hours=1)), 0.7, 5)
            resolved = max(min(resolved, now - timedelta(seconds=rng.random() * 600)), first_responded)
            last = resolved
        if state == "closed":
            if rng.random() < 0.35 or resolved + timedelta(days=7) > now:
                confirmation, rating = "fixed", self.pick_rating()
                closed = confirmed_at = min(resolved + timedelta(days=rng.random() * 6.5), now)
            else:
                closed = resolved + timedelta(days=7)  # the reporter never answered: closed by itself
            last = closed
            reopen_count = 1 if rng.random() < 0.02 else 0
        elif state == "rejected":
            closed = first_responded
        elif state == "reopened":
            confirmation, confirmed_at = "not_fixed", min(resolved + timedelta(days=rng.random() * 3), now)
            last, reopen_count = confirmed_at, 1
            resolved = None  # back to the OPD: resolved again later, with a fresh deadline
            resolution_due = self.add_working_time(confirmed_at, category.resolution_target, category.resolution_unit)
        escalated = (first_responded or now) > first_due or (resolved or closed or now) > resolution_due

        anonymous = category.allows_anonymous and rng.random() < 0.06
        show_name = not anonymous and rng.random() < 0.3
        street = rng.choice(STREETS)
        description = rng.choice(DESCRIPTIONS.get(category.code, DESCRIPTIONS["JALAN_RUSAK"])).format(s=street)
        located = rng.random() < 0.9
        lat = lon = None
        if located:
            min_lat, max_lat, min_lon, max_lon = KECAMATAN_BOXES.get(kecamatan, KECAMATAN_BOXES["36.73.01"])
            lat = round(rng.uniform(min_lat, max_lat), 6)
            lon = round(rng.uniform(min_lon, max_lon), 6)
        duplicate_of = None
        if state == "rejected" and cid > self.first_id + 10 and rng.random() < 0.3:
            duplicate_of = rng.randint(max(self.first_id, cid - 2000), cid - 1)
        supporters = 0 if rng.random() < 0.85 else int(rng.expovariate(0.4)) + 1
        reporter = self.reporters[int(REPORTER_POOL * rng.random() ** 2)]  # a few reporters file a lot
        values = {
            "id": cid, "public_number": f"RBG-{created.year}-{cid:06d}", "reporter_id": reporter,
            "category_id": category.id, "opd_code": opd, "state": state, "description": description,
            "lat": lat, "lon": lon, "kelurahan_code": kel,
            "address": f"{street} No. {rng.randint(1, 250)}, {kel_name}" if rng.random() < 0.85 else None,
            "show_name_publicly": show_name, "created_at": created, "first_response_due": first_due,
            "resolution_due": resolution_due, "first_responded_at": first_responded, "resolved_at": resolved,
            "escalated": escalated, "first_response_risk_at": self.risk_moment(created, first_due),
            "resolution_risk_at": self.risk_moment(confirmed_at if state == "reopened" else created, resolution_due),
            "updated_at": last, "closed_at": closed, "kecamatan_code": kecamatan, "answers": {},
            "anonymous": anonymous,
            "reporter_display_name": f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}." if show_name else None,
            "source": "open311" if rng.random() < 0.04 else "app", "api_key_id": None, "open311_token": None,
            "contact_ciphertext": None,
            "moderated_description": "[disunting moderator] " + description if rng.random() < 0.003 else None,
            "duplicate_of_id": duplicate_of, "supporters_count": supporters,
            "reroute_count": 1 if rng.random() < 0.03 else 0, "reopen_count": reopen_count,
            "confirmation": confirmation, "confirmed_at": confirmed_at, "rating": rating,
        }
        complaint = [values[c] for c in COMPLAINT_COLUMNS] + list(self.extra_complaint.values())

        officer = rng.choice(self.officers[opd])
        assigned_message = ASSIGNED_MESSAGE.format(opd=self.opd_names.get(opd, opd))
        timeline = [(cid, None, created, "submitted", "assigned", "transition", assigned_message,
                     f"routed to {opd} (category default)")]
        if state != "assigned":
            before = "in_progress" if state in ("resolved", "closed", "reopened") else "assigned"
            note = "Duplikat" if duplicate_of else None
            timeline.append((cid, officer, last, before, state, "transition", STATE_MESSAGES[state], note))
        if rng.random() < 0.05:
            timeline.append((cid, officer, last, state, state, "note", None, "Sudah dicek petugas lapangan."))
        extra = list(self.extra_timeline.values())
        self.timeline_rows += len(timeline)
        # A third of the reports come with photos (no file behind them: lists only sign their links).
        photos = []
        if rng.random() < 0.35:
            for position in range(1 + int(rng.random() ** 2 * 3)):
                hidden = rng.random() < 0.01
                photos.append([reporter, cid, None, "report", str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                               str(uuid.UUID(int=rng.getrandbits(128), version=4)), "image/jpeg", position, hidden,
                               "wajah orang terlihat" if hidden else None, created,
                               *self.extra_photo.values()])
        self.photo_rows += len(photos)
        return complaint, [list(row) + extra for row in timeline], photos


# -- loading ---------------------------------------------------------------------------------------


def _extra_columns(table, written: tuple[str, ...]) -> dict:
    """Columns added to ``table`` since this generator was written: their Python defaults.

    Other helpers extend the models while the benchmark is built; a new nullable column is left NULL,
    a new NOT NULL one gets its scalar default, and anything else stops the run with a clear message.
    """
    extra = {}
    for column in table.columns:
        if column.name in written or column.name == "id":
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            extra[column.name] = default.arg
        elif default is not None and getattr(default, "is_callable", False) and column.name.endswith("_at"):
            extra[column.name] = None if column.nullable else datetime(2026, 1, 1)
        elif column.server_default is not None or column.nullable:
            continue
        else:
            raise SystemExit(f"{table.name}.{column.name} is NOT NULL without a default: teach bench/rabeg_data.py its value")
    return extra


def load(url: str, n: int, seed: int) -> dict:
    """Replace every complaint in ``url`` with ``n`` generated ones; returns counts and timings."""
    import psycopg
    from ragem.extensions import db
    from ragem.regions.models import Region
    from sqlalchemy import select

    from plugins.rabeg.models import Category, Complaint, Photo, TimelineEntry

    app = make_app(url)
    started = time.perf_counter()
    schema = build_schema(app)
    with app.app_context():
        accounts = ensure_accounts()
        categories = list(db.session.scalars(select(Category).where(Category.active.is_(True))))
        for c in categories:
            db.session.expunge(c)
        kelurahan = {r.code: (r.parent_code, r.name)
                     for r in db.session.scalars(select(Region).where(Region.level == "kelurahan"))}
        from ragem.opds.models import Opd

        opd_names = {o.code: o.name_id for o in db.session.scalars(select(Opd))}
        extra_complaint = _extra_columns(Complaint.__table__, COMPLAINT_COLUMNS)
        extra_timeline = _extra_columns(TimelineEntry.__table__, TIMELINE_COLUMNS)
        extra_photo = _extra_columns(Photo.__table__, PHOTO_COLUMNS)
        db.session.remove()
        db.engine.dispose()
    print(f"schema from the {schema}; {len(categories)} categories, {len(kelurahan)} kelurahan; accounts {accounts}",
          flush=True)
    if len(kelurahan) < 60:
        raise SystemExit("the regions table lacks Kota Serang's kelurahan: reference data missing")

    now = datetime.utcnow().replace(microsecond=0)
    with app.app_context():
        from plugins.rabeg.calendar import app_holidays

        app_holidays()  # parsed once per app; the generator runs inside this app's context below
    complaint_cols = ", ".join(f'"{c}"' for c in (*COMPLAINT_COLUMNS, *extra_complaint))
    timeline_cols = ", ".join(f'"{c}"' for c in (*TIMELINE_COLUMNS, *extra_timeline))
    photo_cols = ", ".join(f'"{c}"' for c in (*PHOTO_COLUMNS, *extra_photo))
    timings = {}
    with app.app_context(), psycopg.connect(libpq_url(url)) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        tables = [t for t in COMPLAINT_TABLES if conn.execute("SELECT to_regclass(%s)", (t,)).fetchone()[0]]
        conn.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
        # Indexes are rebuilt once after the load (faster than updating them row by row); the
        # definitions come from the catalog, so indexes other helpers add are kept as they are.
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename IN ('rabeg_complaint', 'rabeg_timeline_entry', 'rabeg_photo') AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        generator = Generator(
            n=n, seed=seed, now=now, categories=categories, kelurahan=kelurahan, opd_names=opd_names, first_id=1,
            extra_complaint=extra_complaint, extra_timeline=extra_timeline, extra_photo=extra_photo,
        )
        moments = generator.created_moments()
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for chunk_start in range(0, n, CHUNK):
                complaints, timeline, photos = [], [], []
                for index in range(chunk_start, min(n, chunk_start + CHUNK)):
                    row, entries, pictures = generator.rows(index, moments[index])
                    complaints.append(_line(row))
                    timeline.extend(_line(e) for e in entries)
                    photos.extend(_line(p) for p in pictures)
                with cur.copy(f"COPY rabeg_complaint ({complaint_cols}) FROM STDIN") as copy:
                    copy.write("".join(complaints))
                with cur.copy(f"COPY rabeg_timeline_entry ({timeline_cols}) FROM STDIN") as copy:
                    copy.write("".join(timeline))
                with cur.copy(f"COPY rabeg_photo ({photo_cols}) FROM STDIN") as copy:
                    copy.write("".join(photos))
                done = min(n, chunk_start + CHUNK)
                print(f"  {done:,} complaints ({time.perf_counter() - t0:.0f} s)", flush=True)
        timings["copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for name, definition in indexes:
            conn.execute(definition)
        conn.execute("SELECT setval(pg_get_serial_sequence('rabeg_complaint', 'id'), (SELECT max(id) FROM rabeg_complaint))")
        for table in ("rabeg_timeline_entry", "rabeg_photo"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        timings["indexes_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.autocommit = True
        # As autovacuum leaves a table in steady state: statistics, and the visibility map that lets
        # index-only scans skip the heap.
        conn.execute("VACUUM (ANALYZE) rabeg_complaint, rabeg_timeline_entry, rabeg_photo")
        conn.execute("ANALYZE")
        timings["analyze_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - started
    return {"complaints": n, "timeline_entries": generator.timeline_rows, "photos": generator.photo_rows,
            "indexes_rebuilt": [i[0] for i in indexes],
            "now": now.isoformat(), **timings}


def main(argv: list[str] | None = None) -> int:
    """Create the database if needed, fill it and print what was loaded."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"SQLAlchemy URL of the database to fill (default {DEFAULT_URL})")
    parser.add_argument("-n", "--complaints", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=4, help="random seed (the same seed gives the same rows)")
    args = parser.parse_args(argv)
    ensure_database(args.url)
    result = load(args.url, args.complaints, args.seed)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
