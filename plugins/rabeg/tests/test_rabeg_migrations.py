"""RABEG's own revisions applied to a database that already holds data (``ragem db upgrade`` on a live city).

Each revision is run by itself with Alembic's operations on a fresh database, after the revisions
before it, so what it does to existing rows is tested apart from the schema check of
tests/test_migrations.py (which builds empty databases).
"""
from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from ragem.testing import fresh_database_url  # noqa: F401  (fixture)

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
NOW = datetime(2026, 11, 30, 3, 0)


def _revision(revision_id: str):
    [path] = MIGRATIONS.glob(f"{revision_id}_*.py")
    spec = importlib.util.spec_from_file_location(f"rabeg_revision_{revision_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(engine, revision_id: str, direction: str = "upgrade") -> None:
    """Apply one revision (or undo it) on ``engine``'s database."""
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        getattr(_revision(revision_id), direction)()


@pytest.fixture
def engine(fresh_database_url):  # noqa: F811
    engine = create_engine(fresh_database_url)
    yield engine
    engine.dispose()


def add_category(conn, code: str) -> None:
    conn.execute(text(
        "INSERT INTO rabeg_category (code, name_id, name_en, opd_code, routing_overrides, first_response_target, "
        "first_response_unit, resolution_target, resolution_unit, allows_anonymous, active, questions) "
        "VALUES (:code, :code, :code, 'DPUPR', '{}', 1, 'working_days', 5, 'working_days', false, true, '[]')"
    ), {"code": code})


def add_complaint(conn, number: str, code: str) -> None:
    conn.execute(text(
        "INSERT INTO rabeg_complaint (public_number, category_id, opd_code, state, description, show_name_publicly, "
        "created_at, first_response_due, resolution_due, escalated, answers, anonymous, source, supporters_count, "
        "reroute_count, reopen_count) SELECT :number, id, 'DPUPR', 'assigned', 'Keluhan lama.', false, :now, :now, "
        ":now, false, '{}', false, 'app', 0, 0, 0 FROM rabeg_category WHERE code = :code"
    ), {"number": number, "code": code, "now": NOW})


def test_existing_sensitive_categories_become_private_and_complaints_stay_as_filed(engine):
    run(engine, "06bece54a519")
    with engine.begin() as conn:
        for code in ("ADMINDUK", "KESEHATAN", "JALAN_RUSAK", "POHON_TUMBANG"):
            add_category(conn, code)
        add_complaint(conn, "RBG-2026-000001", "ADMINDUK")
        add_complaint(conn, "RBG-2026-000002", "JALAN_RUSAK")
    run(engine, "1143cc3ca786")
    with engine.connect() as conn:
        public = dict(conn.execute(text("SELECT code, complaints_public FROM rabeg_category")).all())
        private = dict(conn.execute(text("SELECT public_number, private FROM rabeg_complaint")).all())
    assert {code: bool(value) for code, value in public.items()} == {
        "ADMINDUK": False, "KESEHATAN": False, "JALAN_RUSAK": True, "POHON_TUMBANG": True}
    assert {number: bool(value) for number, value in private.items()} == {
        "RBG-2026-000001": False, "RBG-2026-000002": False}
    run(engine, "1143cc3ca786", "downgrade")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rabeg_complaint")).scalar() == 2


def test_idempotency_records_from_before_keep_no_fingerprint(engine):
    run(engine, "06bece54a519")
    with engine.begin() as conn:
        add_category(conn, "JALAN_RUSAK")
        add_complaint(conn, "RBG-2026-000001", "JALAN_RUSAK")
        conn.execute(text("INSERT INTO rabeg_idempotency_record (user_id, key, complaint_id, created_at) "
                          "SELECT 'u1', 'retry', id, :now FROM rabeg_complaint"), {"now": NOW})
    run(engine, "1143cc3ca786")
    run(engine, "422b856e2735")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT key, fingerprint FROM rabeg_idempotency_record")).all() == [("retry", None)]
    run(engine, "422b856e2735", "downgrade")


OPEN311_CONTACT = {"email": "warga.serang@example.org", "first_name": "Dewi", "last_name": "Lestari",
                   "phone": "+6281311122233"}


def test_an_open311_contact_from_before_is_sealed_and_still_reads_the_same(engine, app):
    """The contact an Open311 client sent before the upgrade leaves no clear trace in the row, and
    the app's model reads it back as it was; the downgrade puts the clear JSON back."""
    from sqlalchemy.orm import Session, load_only

    from plugins.rabeg.models import Complaint

    for revision_id in ("06bece54a519", "1143cc3ca786", "422b856e2735"):
        run(engine, revision_id)
    with engine.begin() as conn:
        add_category(conn, "JALAN_RUSAK")
        add_complaint(conn, "RBG-2026-000001", "JALAN_RUSAK")
        add_complaint(conn, "RBG-2026-000002", "JALAN_RUSAK")
        conn.execute(text("UPDATE rabeg_complaint SET contact = :contact WHERE public_number = 'RBG-2026-000001'"),
                     {"contact": json.dumps(OPEN311_CONTACT)})

    with app.app_context():  # the key is the app's RAGEM_DATA_KEY, as under `ragem db upgrade`
        run(engine, "b7d41c9e05f3")
        with engine.connect() as conn:
            assert "contact" not in {column["name"] for column in inspect(conn).get_columns("rabeg_complaint")}
            stored = " ".join(str(value) for row in conn.execute(text("SELECT * FROM rabeg_complaint")).all()
                              for value in row)
        for secret in ("warga.serang", "Dewi", "Lestari", "81311122233"):
            assert secret not in stored
        with Session(engine) as session:
            # Only the columns this revision knows: later revisions add others to the model.
            only = load_only(Complaint.public_number, Complaint.contact_ciphertext)
            complaints = {c.public_number: c.contact for c in session.scalars(select(Complaint).options(only))}
        assert complaints == {"RBG-2026-000001": OPEN311_CONTACT, "RBG-2026-000002": None}

        run(engine, "b7d41c9e05f3", "downgrade")
    with engine.connect() as conn:
        contacts = dict(conn.execute(text("SELECT public_number, contact FROM rabeg_complaint")).all())
    assert {number: json.loads(value) if isinstance(value, str) else value for number, value in contacts.items()} == {
        "RBG-2026-000001": OPEN311_CONTACT, "RBG-2026-000002": None}


def test_complaints_from_before_assisted_filing_keep_their_channel_and_no_complainant(engine):
    for revision_id in ("06bece54a519", "1143cc3ca786", "422b856e2735", "b7d41c9e05f3"):
        run(engine, revision_id)
    with engine.begin() as conn:
        add_category(conn, "JALAN_RUSAK")
        add_complaint(conn, "RBG-2026-000001", "JALAN_RUSAK")
    run(engine, "5e2a7c0d9f14")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT source, filed_by_id, complainant_name_ciphertext, complainant_phone_ciphertext, "
                                "complainant_phone_hash FROM rabeg_complaint")).one()
        indexes = {index["name"] for index in inspect(conn).get_indexes("rabeg_complaint")}
    assert tuple(row) == ("app", None, None, None, None)
    assert "ix_rabeg_complaint_complainant_phone_hash" in indexes
    run(engine, "5e2a7c0d9f14", "downgrade")
    with engine.connect() as conn:
        columns = {column["name"] for column in inspect(conn).get_columns("rabeg_complaint")}
        assert conn.execute(text("SELECT count(*) FROM rabeg_complaint")).scalar() == 1
    assert not columns & {"filed_by_id", "complainant_name_ciphertext", "complainant_phone_ciphertext",
                          "complainant_phone_hash"}
