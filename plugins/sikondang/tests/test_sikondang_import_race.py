"""Two uploads of one dataset at the same time: the second waits and becomes the next revision.

Real concurrent requests, one thread each (imports run inside the request in tests). The first
upload is held inside its load, with the dataset locked, until the second has reached the lock
and PostgreSQL shows it waiting for that lock (pg_stat_activity). On SQLite any write waits for the
file's write lock (even the second request's import job), so there the second is let go as soon as
it has started and the test checks the outcome only.
"""
from __future__ import annotations

import csv
import io
import threading

from sqlalchemy import text

from ragem import toolkit
from ragem.testing import audit_entries

from plugins.sikondang.services import imports
from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV

SECOND_CSV = INTERNET_CSV.replace("57.91", "60.00").replace("66.12", "67.00") + "36.71,Kab. Tangerang,2020,80.10\n"
WAIT = 60  # seconds a thread may wait for the other before the test gives up (never reached when it works)


def _on_postgresql(app) -> bool:
    with app.app_context():
        return toolkit.db.session.get_bind().dialect.name == "postgresql"


def _second_is_waiting_for_the_lock(app) -> bool:
    with app.app_context():
        session = toolkit.db.session
        for _ in range(WAIT * 20):
            waiting = session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))
            session.rollback()
            if waiting:
                return True
            threading.Event().wait(0.05)
        return False


def test_two_uploads_racing_make_two_revisions_in_order(app, client, officer, create_dataset, upload, monkeypatch):
    create_dataset(dimensions=[
        {"key": "region_code", "label": {"id": "Wilayah", "en": "Region"}, "kind": "region",
         "values": [{"code": "36.72", "label": {"id": "Kota Cilegon", "en": "Cilegon"}},
                    {"code": "36.71", "label": {"id": "Kab. Tangerang", "en": "Tangerang"}}]},
        {"key": "year", "label": {"id": "Tahun", "en": "Year"}, "kind": "year"}])
    first_holds_lock, second_locking, release_first = threading.Event(), threading.Event(), threading.Event()
    real_load, real_lock = imports.load, imports.lock_dataset

    def held_load(dataset, checked, **kwargs):
        if len(checked.rows) == 4:  # the first upload: keep the lock until the second is waiting for it
            first_holds_lock.set()
            assert release_first.wait(WAIT)
        return real_load(dataset, checked, **kwargs)

    def announced_lock(dataset_id):
        if threading.current_thread().name == "second":
            second_locking.set()
        return real_lock(dataset_id)

    monkeypatch.setattr(imports, "load", held_load)
    monkeypatch.setattr(imports, "lock_dataset", announced_lock)
    answers = {}

    def send(name, content):
        answers[name] = upload("akses-internet", content, filename=f"{name}.csv", headers=officer)

    first = threading.Thread(target=send, args=("first", INTERNET_CSV), name="first")
    second = threading.Thread(target=send, args=("second", SECOND_CSV), name="second")
    first.start()
    assert first_holds_lock.wait(WAIT)
    second.start()
    if _on_postgresql(app):
        assert second_locking.wait(WAIT)
        assert _second_is_waiting_for_the_lock(app)
    release_first.set()
    first.join(WAIT)
    second.join(WAIT)

    jobs = {name: answer.get_json() for name, answer in answers.items()}
    assert [(jobs[n]["status"], jobs[n]["revision_number"]) for n in ("first", "second")] == [
        ("succeeded", 1), ("succeeded", 2)], jobs
    # The second counted its changes against the table the first had just loaded.
    assert jobs["second"]["report"]["changes"] == {"added": 1, "removed": 0, "changed": 2, "unchanged": 2}

    revisions = client.get(f"{DATASETS}/akses-internet/revisions", headers=officer).get_json()["items"]
    assert [(r["number"], r["filename"], r["row_count"]) for r in revisions] == [
        (2, "second.csv", 5), (1, "first.csv", 4)]
    for number, content in ((1, INTERNET_CSV), (2, SECOND_CSV)):
        stored = client.get(f"{DATASETS}/akses-internet/revisions/{number}/data.csv", headers=officer)
        assert _table(stored.get_data(as_text=True)) == _table(content)
    current = client.get(f"{DATASETS}/akses-internet/download.csv", headers=officer).get_data(as_text=True)
    assert _table(current) == _table(SECOND_CSV)
    meta = client.get(f"{DATASETS}/akses-internet", headers=officer).get_json()
    assert meta["revision_count"] == 2 and meta["row_count"] == 5
    with app.app_context():
        loaded = [e.after["revision"] for e in audit_entries(action="sikondang.dataset.import")]
    assert loaded == [1, 2]


def _table(content: str) -> set[tuple[str, str, float]]:
    """The (region, year, percent) rows of a CSV, whatever its other columns."""
    return {(r["region_code"], r["year"], float(r["percent"])) for r in csv.DictReader(io.StringIO(content))}
