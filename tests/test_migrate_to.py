"""``ragem migrate-to``: an embedded installation (SQLite and a local folder) moves onto another
database (PostgreSQL when the suite runs on it) and an S3-compatible object store, losing nothing."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import create_engine, func, inspect, select

from ragem.app import create_app
from ragem.auth.accounts import create_user
from ragem.cli.serve import prepare_database
from ragem.extensions import db
from ragem.storage import StoredFile, save_upload
from ragem.testing import bearer, invoke_cli, load_demo

PASSWORD = "Pindah-Rumah-123"


def counts(url: str, tables) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: connection.scalar(select(func.count()).select_from(table)) for table in tables}
    finally:
        engine.dispose()


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, "JPEG")
    return out.getvalue()


def test_an_embedded_install_moves_onto_a_database_and_object_store_with_nothing_lost(
        tmp_path, fresh_database_url, s3_server):
    instance = tmp_path / "instance"
    source_url = f"sqlite:///{tmp_path / 'ragem.db'}"
    embedded = {"ENV": "development", "DATABASE_URL": source_url, "INSTANCE_PATH": str(instance),
                "LOG_LEVEL": "WARNING", "LOG_JSON": False, "SCHEDULER": False, "JOBS_INLINE": True,
                "REDIS_URL": None, "STORAGE_URL": None, "PASSWORD_HASHING": "test-cheapest"}
    source = create_app(embedded)
    prepare_database(source, demo=False)
    with source.test_request_context():
        load_demo()  # rows in every service's tables: times, flags, JSON, sealed personal data
        user = create_user(name="Warga Pindahan", phone="+6281277770001", password=PASSWORD, roles=("citizen",))
        stored = save_upload(photo(), owner_id=user.id, purpose="upload")
        db.session.commit()
        user_id, file_id, key = user.id, stored.id, stored.storage_key
        # The tables this install has (a plugin denied here keeps its models loaded, not its tables).
        present = set(inspect(db.engine).get_table_names())
        tables = [table for table in db.metadata.sorted_tables if table.name in present]
    original = source.extensions["ragem.storage"].open(key)
    before = counts(source_url, tables)

    target_storage = s3_server.settings(s3_server.new_bucket(), prefix="serang")
    env = {"RAGEM_DATABASE_URL": source_url, "RAGEM_INSTANCE_PATH": str(instance), "RAGEM_LOG_LEVEL": "WARNING",
           "RAGEM_STORAGE_URL": "", "RAGEM_REDIS_URL": "",
           **{f"RAGEM_{name}": value for name, value in target_storage.items() if name != "STORAGE_URL"}}
    moved = invoke_cli(None, ["migrate-to", "--database-url", fresh_database_url,
                              "--storage-url", target_storage["STORAGE_URL"]], env=env)
    assert moved.exit_code == 0, moved.output
    assert "done:" in moved.output and target_storage["S3_SECRET_ACCESS_KEY"] not in moved.output

    # Every table holds as many rows as before, and the photo is byte for byte the same in the bucket.
    assert counts(fresh_database_url, tables) == before
    assert sum(before.values()) > 50 and before["stored_file"] >= 1
    target = create_app({**embedded, **target_storage, "DATABASE_URL": fresh_database_url})
    assert target.extensions["ragem.storage"].open(key) == original

    # The moved installation works: the citizen logs in, sees the photo, and new rows get new ids.
    client = target.test_client()
    login = client.post("/api/v1/auth/login", json={"identifier": "+6281277770001", "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    served = client.get(f"/api/v1/files/{file_id}", headers={"Authorization": f"Bearer {login.json['access_token']}"})
    assert served.status_code == 200 and served.data == original
    upload = client.post("/api/v1/files", headers=bearer(target, user_id),
                         data={"file": (io.BytesIO(photo()), "baru.jpg"), "purpose": "upload"})
    assert upload.status_code == 201, upload.get_json()
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == before["stored_file"] + 1
        db.session.remove()
        db.engine.dispose()

    # A second run finds the target holding data and changes nothing.
    again = invoke_cli(None, ["migrate-to", "--database-url", fresh_database_url,
                              "--storage-url", target_storage["STORAGE_URL"]], env=env)
    assert again.exit_code == 1 and "already holds data" in again.output and "Traceback" not in again.output
    with source.app_context():
        db.engine.dispose()
