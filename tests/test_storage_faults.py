"""A disk that cannot be written is answered honestly: 503 ``storage_unavailable``, nothing half-saved,
and ``/readyz`` not ready until it recovers.

The tests make the SQLite file and the upload folder unwritable for real. As root (CI) permission
bits do not stop a write, so the immutable attribute is set with ``chattr``; as another user,
``chmod`` does.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from ragem.extensions import db
from ragem.storage import StoredFile
from ragem.testing import storage_under_test

PASSWORD = "Rahasia-Kuat-123"

#: These break the local upload folder on purpose; the object store's outage is in test_storage_s3.py.
local_disk_only = pytest.mark.skipif(storage_under_test() != "local", reason="tests the local upload folder")


@contextlib.contextmanager
def unwritable(path: Path):
    """``path`` (a file, or a folder with every folder in it) refuses writes inside the block,
    whoever we run as."""
    targets = [path, *sorted(p for p in path.rglob("*") if p.is_dir())] if path.is_dir() else [path]
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.skip("running as root without chattr: cannot make a path unwritable")
        done = subprocess.run(["chattr", "+i", *map(str, targets)], capture_output=True)
        if done.returncode != 0:
            subprocess.run(["chattr", "-i", *map(str, targets)], capture_output=True)
            pytest.skip(f"chattr +i refused here: {done.stderr.decode()[:200]}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, targets)], check=True)
    else:
        modes = {target: target.stat().st_mode for target in targets}
        for target in targets:
            target.chmod(0o555 if target.is_dir() else 0o444)
        try:
            yield
        finally:
            for target, mode in modes.items():
                target.chmod(mode)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "orange").save(out, "PNG")
    return out.getvalue()


def upload(client, headers):
    return client.post("/api/v1/files", data={"file": (io.BytesIO(png()), "a.png")}, headers=headers)


def assert_storage_unavailable(response):
    assert response.status_code == 503, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert error["code"] == "storage_unavailable" and error["message"] and error["request_id"]
    assert response.headers.get("Retry-After")


def readiness(client) -> tuple[int, dict]:
    answer = client.get("/readyz")
    body = answer.get_json()
    checks = body["checks"] if answer.status_code == 200 else body["error"]["details"]["checks"]
    return answer.status_code, {name: check["status"] for name, check in checks.items()}


@local_disk_only
def test_an_unwritable_upload_folder_is_503_keeps_nothing_and_readyz_says_so(app, client, login_as):
    citizen = login_as("citizen")
    root = Path(app.extensions["ragem.storage"].root)
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(StoredFile))
    with unwritable(root):
        assert_storage_unavailable(upload(client, citizen))
        status, checks = readiness(client)
        assert status == 503 and checks["storage"] == "failed" and checks["database"] == "ok"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == rows
    # Once the folder is writable again, so is RAGEM: no restart needed.
    assert upload(client, citizen).status_code == 201
    assert readiness(client)[0] == 200


def test_an_unwritable_sqlite_file_is_503_and_readyz_says_so(app, client, login_as):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("the database here is a PostgreSQL server, not a file")
    citizen = login_as("citizen")
    phone = client.get("/api/v1/me", headers=citizen).get_json()["phone"]
    database = Path(url.removeprefix("sqlite:///"))
    with app.app_context():
        db.engine.dispose()  # connections open from now on meet the unwritable file
    with unwritable(database):
        log_in = client.post("/api/v1/auth/login", json={"identifier": phone, "password": PASSWORD})
        assert_storage_unavailable(log_in)
        assert client.get("/api/v1/services").status_code == 200  # reads still work
        status, checks = readiness(client)
        assert status == 503 and checks["database"] == "failed"
    with app.app_context():
        db.engine.dispose()
    assert client.post("/api/v1/auth/login", json={"identifier": phone, "password": PASSWORD}).status_code == 200
    assert readiness(client)[0] == 200


# --- What RAGEM creates on disk is its own user's alone ----------------------------------------------

@local_disk_only
def test_the_instance_database_uploads_and_keys_are_private(make_app, tmp_path, login_as):
    instance = tmp_path / "fresh" / "instance"
    app = make_app(INSTANCE_PATH=str(instance), DATABASE_URL=f"sqlite:///{instance / 'ragem.db'}",
                   STORAGE_DIR=None)
    citizen = login_as("citizen", target_app=app)  # issues a token: the development signing key
    assert upload(app.test_client(), citizen).status_code == 201
    modes = {path.relative_to(instance).as_posix(): path.stat().st_mode & 0o777
             for path in [instance, *instance.rglob("*")]}
    assert modes["."] == 0o700 and modes["ragem.db"] == 0o600
    assert modes["uploads"] == 0o700
    uploaded = [name for name in modes if name.startswith("uploads/") and name.endswith(".png")]
    assert uploaded and all(modes[name] == 0o600 for name in uploaded)
    assert all(modes[name] == 0o700 for name in modes if name.startswith("uploads/") and "." not in name)
    secrets = [name for name in modes if name.endswith(".dev") or name.endswith(".pem")]
    assert secrets and all(modes[name] == 0o600 for name in secrets)
    loose = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert loose == {}, loose


def test_a_write_kept_waiting_by_another_writer_is_503_database_busy_and_saves_nothing(make_app):
    """SQLite has one writer at a time. A request that waits longer than RAGEM_SQLITE_BUSY_SECONDS
    for it is told to retry (503 ``database_busy``), not "internal error", and leaves nothing."""
    import sqlite3

    from ragem.auth.models import AuthSession
    from ragem.testing import create_account

    busy_app = make_app(SQLITE_BUSY_SECONDS=0.2)
    url = busy_app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("the database here is a PostgreSQL server, which makes writers queue instead")
    client = busy_app.test_client()
    _user_id, phone, password = create_account(busy_app)
    with busy_app.app_context():
        sessions = db.session.scalar(select(func.count()).select_from(AuthSession))
    other_writer = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long import would
    try:
        answer = client.post("/api/v1/auth/login", json={"identifier": phone, "password": password},
                             headers={"Accept-Language": "en"})
        assert answer.status_code == 503, (answer.status_code, answer.get_data(as_text=True)[:300])
        error = answer.get_json()["error"]
        assert error["code"] == "database_busy" and "try again" in error["message"]
        assert answer.headers["Retry-After"] == "2"
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    with busy_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuthSession)) == sessions
    # The other writer is done: the same log-in goes through.
    assert client.post("/api/v1/auth/login", json={"identifier": phone, "password": password}).status_code == 200
