"""Uploads in an S3-compatible object store, tested against a real one (moto's server on loopback).

The same interface as the local folder, byte for byte; an app with ``RAGEM_STORAGE_URL`` keeps
uploads there and serves them through its own signed links; a stopped store makes uploads answer
503 (nothing kept) and ``/readyz`` name the storage, until it is back.
"""
from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from ragem.config import ConfigError, load_settings
from ragem.extensions import db
from ragem.objectstore_server import ObjectStoreServer
from ragem.storage import LocalDiskStorage, StoredFile, save_upload
from ragem.storage.backends import FileNotStored, StorageKeyError
from ragem.storage.cleanup import delete_abandoned
from ragem.storage.s3 import S3Storage, parse_storage_url
from ragem.timeutil import utcnow

KEY = "ab/00000000-0000-4000-8000-0000000000ab.png"


def png(color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 12), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path, s3_server):
    """Each backend, empty: the local folder and a fresh bucket of the S3 server."""
    if request.param == "local":
        return LocalDiskStorage(tmp_path / "uploads")
    settings = s3_server.settings(s3_server.new_bucket(), prefix="kota/serang")
    bucket, prefix = parse_storage_url(settings["STORAGE_URL"])
    return S3Storage(bucket, prefix, endpoint_url=settings["S3_ENDPOINT_URL"], region=settings["S3_REGION"],
                     access_key_id=settings["S3_ACCESS_KEY_ID"], secret_access_key=settings["S3_SECRET_ACCESS_KEY"])


def test_both_backends_keep_bytes_by_key_the_same_way(backend):
    import time

    assert not backend.exists(KEY)
    with pytest.raises(FileNotStored):
        backend.open(KEY)
    backend.put(KEY, b"versi satu")
    backend.put(KEY, b"versi dua")  # replaces
    assert backend.exists(KEY) and backend.open(KEY) == b"versi dua"
    backend.check_writable(min_free_bytes=1024)
    assert list(backend.stale_keys(time.time() + 60)) == [KEY]
    assert list(backend.stale_keys(time.time() - 3600)) == []  # written just now
    for bad in ("../etc/passwd", "/abs/x.png", "AB/x.png", "ab/../../x.png"):
        with pytest.raises(StorageKeyError):
            backend.put(bad, b"x")
    backend.delete(KEY)
    backend.delete(KEY)  # twice is fine
    assert not backend.exists(KEY)


def test_the_prefix_keeps_ragem_to_its_own_objects(s3_server):
    bucket = s3_server.new_bucket()
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key="lain/ab/00000000-0000-4000-8000-0000000000ab.png", Body=b"not ours")
    client.put_object(Bucket=bucket, Key="ragem/README.txt", Body=b"not a key RAGEM makes")
    storage = S3Storage(bucket, "ragem", endpoint_url=s3_server.url, region="us-east-1",
                        access_key_id="a", secret_access_key="b")
    storage.put(KEY, b"ours")
    assert list(storage.stale_keys(float("inf"))) == [KEY]
    assert client.get_object(Bucket=bucket, Key=f"ragem/{KEY}")["Body"].read() == b"ours"


def test_an_app_with_a_storage_url_keeps_uploads_in_the_bucket_and_serves_them(make_app, s3_server, login_as):
    settings = s3_server.settings(s3_server.new_bucket())
    app = make_app(**settings)
    client = app.test_client()
    citizen = login_as("citizen", target_app=app)
    answer = client.post("/api/v1/files", data={"file": (io.BytesIO(png()), "a.png"), "purpose": "upload"},
                         headers=citizen)
    assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        key = db.session.get(StoredFile, answer.json["id"]).storage_key
    bucket, prefix = parse_storage_url(settings["STORAGE_URL"])
    stored = s3_server.client().get_object(Bucket=bucket, Key=f"{prefix}/{key}")["Body"].read()
    # The signed link is RAGEM's own: it streams the bytes from the store after checking it.
    served = app.test_client().get(answer.json["url"])
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == stored
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    tampered = app.test_client().get(answer.json["url"].replace("signature=", "signature=0"))
    assert tampered.status_code == 403


def test_clean_up_deletes_orphan_objects_and_keeps_files_in_use(make_app, s3_server):
    app = make_app(**s3_server.settings(s3_server.new_bucket()))
    storage = app.extensions["ragem.storage"]
    orphan = "zz/00000000-0000-4000-8000-000000000001.png"
    storage.put(orphan, b"left by a rolled-back request")
    with app.test_request_context():
        kept = save_upload(png(), owner_id=None, purpose="upload").storage_key
        db.session.commit()
        counts = delete_abandoned(now=utcnow() + timedelta(hours=48))
        assert counts == {"pending_files": 0, "orphan_bytes": 1}
    assert not storage.exists(orphan) and storage.exists(kept)


def test_a_stopped_object_store_is_503_keeps_nothing_and_readyz_names_it(make_app, login_as, caplog):
    server = ObjectStoreServer().start()
    try:
        settings = server.settings(server.new_bucket())
        app = make_app(**settings)
        client = app.test_client()
        citizen = login_as("citizen", target_app=app)
        assert client.get("/readyz").status_code == 200
        server.stop()
        with caplog.at_level(logging.INFO):
            answer = client.post("/api/v1/files", data={"file": (io.BytesIO(png()), "a.png")}, headers=citizen)
            ready = client.get("/readyz")
        assert answer.status_code == 503 and answer.json["error"]["code"] == "storage_unavailable"
        assert answer.headers["Retry-After"]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
        assert ready.status_code == 503
        details = ready.json["error"]["details"]
        assert details["failed"] == ["storage"] and details["checks"]["database"]["status"] == "ok"
        assert settings["S3_SECRET_ACCESS_KEY"] not in caplog.text + ready.get_data(as_text=True)
        # Back up (an empty store again): ready once more, with no restart of RAGEM.
        server.start()
        server.client().create_bucket(Bucket=parse_storage_url(settings["STORAGE_URL"])[0])
        assert client.get("/readyz").status_code == 200
        assert client.post("/api/v1/files", data={"file": (io.BytesIO(png()), "a.png")},
                           headers=citizen).status_code == 201
    finally:
        server.stop()


def test_a_missing_bucket_makes_readyz_fail(make_app, s3_server):
    app = make_app(**s3_server.settings("ragem-no-such-bucket"))
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["error"]["details"]["failed"] == ["storage"]


@pytest.mark.parametrize("url", ["s3://", "http://bucket/x", "s3://bucket/x?y=1", "bucket/prefix"])
def test_a_malformed_storage_url_is_refused_at_start(url):
    with pytest.raises(ConfigError, match="RAGEM_STORAGE_URL"):
        load_settings(environ={"RAGEM_STORAGE_URL": url}, dotenv_path=None)


def test_production_needs_the_object_store_credentials_set(tmp_path):
    environ = {
        "RAGEM_ENV": "production", "RAGEM_INSTANCE_PATH": str(tmp_path), "RAGEM_SECRET_KEY": "s" * 40,
        "RAGEM_DATA_KEY": "d" * 44, "RAGEM_JWT_PRIVATE_KEY": "pem", "RAGEM_STORAGE_URL": "s3://kota-serang/uploads",
        "RAGEM_S3_ACCESS_KEY_ID": "AKIAKOTASERANG", "RAGEM_SSO_ISSUER": "https://ragem.example.id",
    }
    with pytest.raises(ConfigError, match="RAGEM_S3_SECRET_ACCESS_KEY"):
        load_settings(environ=environ, dotenv_path=None)
    settings = load_settings(environ={**environ, "RAGEM_S3_SECRET_ACCESS_KEY": "rahasia-sekali"}, dotenv_path=None)
    assert settings["STORAGE_URL"] == "s3://kota-serang/uploads"


def test_the_backend_never_shows_its_secret(s3_server):
    storage = S3Storage("b", "p", endpoint_url=s3_server.url, access_key_id="AKIA", secret_access_key="rahasia-sekali")
    assert "rahasia" not in repr(storage) and "rahasia" not in str(vars(storage).get("prefix"))
    with pytest.raises(OSError) as caught:
        storage.open(KEY)  # no such bucket
    assert "rahasia" not in str(caught.value)


def test_the_suites_apps_keep_uploads_where_ragem_test_storage_says(app):
    from ragem.testing import storage_under_test

    expected = S3Storage if storage_under_test() == "s3" else LocalDiskStorage
    assert isinstance(app.extensions["ragem.storage"], expected)
