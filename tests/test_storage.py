"""File storage: uploads judged by their bytes, cleaned of metadata, served only to who may see them."""
from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from ragem import toolkit
from ragem.errors import ApiError
from ragem.extensions import db
from ragem.storage import LocalDiskStorage, StoredFile, save_upload, signed_url
from ragem.storage.backends import StorageKeyError
from ragem.storage.service import _signature
from ragem.testing import png_claiming, storage_under_test

#: Tests of the local folder itself; the object store has its own in test_storage_s3.py.
local_disk_only = pytest.mark.skipif(storage_under_test() != "local", reason="tests the local upload folder")

UUID_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f-]{36}\.(jpg|png|webp|pdf|csv|txt)$")
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(fmt: str = "PNG", size=(24, 16), color="red", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def noisy_png(side: int) -> bytes:
    """A PNG that does not compress (random pixels), so its size is predictable."""
    import os

    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, headers, data: bytes, filename="photo.jpg", content_type=None, **form):
    part = (io.BytesIO(data), filename, content_type) if content_type else (io.BytesIO(data), filename)
    return client.post("/api/v1/files", data={"file": part, **form}, headers=headers)


def stored_names(app) -> set[str]:
    storage = app.extensions["ragem.storage"]
    if not isinstance(storage, LocalDiskStorage):  # an object store: every object it lists
        return set(storage.stale_keys(float("inf")))
    root = Path(storage.root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def row_count(app) -> int:
    with app.app_context():
        return db.session.query(StoredFile).count()


# -- content type by the bytes ----------------------------------------------------------------

def test_a_png_named_pdf_is_stored_as_png_under_a_generated_name(app, client, login_as):
    citizen = login_as("citizen")
    png = image_bytes("PNG")
    response = upload(client, citizen, png, filename="../../laporan.pdf", content_type="application/pdf")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["content_type"] == "image/png"
    assert body["purpose"] == "upload" and body["created_at"].endswith("Z")

    with app.app_context():
        row = db.session.get(StoredFile, body["id"])
        assert UUID_KEY.match(row.storage_key) and row.storage_key.endswith(f"{body['id']}.png")
        assert "laporan" not in row.storage_key
        assert row.owner_id == citizen["X-Test-User-Id"] and row.size == body["size"]
    assert not any("laporan" in name or ".." in name for name in stored_names(app))

    served = client.get(f"/api/v1/files/{body['id']}", headers=citizen)
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data.startswith(b"\x89PNG")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Disposition" not in served.headers  # images open inline


def test_a_text_file_named_jpg_is_refused_and_nothing_is_kept(app, client, login_as):
    citizen = login_as("citizen")
    before = stored_names(app)
    cases = [
        (b"<html><script>alert(1)</script></html>", "foto.jpg", "image/jpeg", "text/plain"),
        (b"\x00\x01\x02binary junk\xff\xfe", "foto.png", "image/png", None),
        (b"MZ\x90\x00 an executable", "dokumen.pdf", "application/pdf", None),
    ]
    for data, name, claimed, detected in cases:
        response = upload(client, citizen, data, filename=name, content_type=claimed)
        assert response.status_code == 415, name
        error = response.json["error"]
        assert error["code"] == "unsupported_file_type"
        assert error["details"]["detected"] == detected
        assert "image/jpeg" in error["details"]["allowed"]
    english = upload(client, {**citizen, "Accept-Language": "en"}, b"hello", filename="a.jpg")
    assert english.json["error"]["message"] == "This type of file is not accepted."
    assert row_count(app) == 0 and stored_names(app) == before


def test_a_png_is_refused_where_only_pdf_is_accepted(app):
    with app.test_request_context():
        with pytest.raises(ApiError) as refused:
            save_upload(image_bytes("PNG"), owner_id=None, purpose="rabeg.report", allowed={"application/pdf"})
        assert refused.value.status == 415 and refused.value.details["detected"] == "image/png"

        pdf = save_upload(MINIMAL_PDF, owner_id=None, purpose="rabeg.report", allowed={"application/pdf"})
        assert pdf.content_type == "application/pdf" and pdf.storage_key.endswith(".pdf")


def test_pdf_is_served_as_an_attachment_and_a_cut_off_pdf_is_refused(client, login_as):
    citizen = login_as("citizen")
    response = upload(client, citizen, MINIMAL_PDF, filename="surat.png", content_type="image/png")
    assert response.status_code == 201 and response.json["content_type"] == "application/pdf"
    served = client.get(f"/api/v1/files/{response.json['id']}", headers=citizen)
    assert served.mimetype == "application/pdf" and served.data == MINIMAL_PDF
    assert served.headers["Content-Disposition"] == f'attachment; filename="{response.json["id"]}.pdf"'
    assert served.headers["X-Content-Type-Options"] == "nosniff"

    cut = upload(client, citizen, MINIMAL_PDF[:60], filename="surat.pdf")
    assert cut.status_code == 422 and cut.json["error"]["code"] == "invalid_file"


def test_csv_imports_are_recognised_when_the_caller_accepts_them(app):
    with app.test_request_context():
        comma = save_upload(b"kecamatan,jumlah\nSerang,12\nCipocok Jaya,7\n", owner_id=None,
                            purpose="sikondang.import", allowed={"text/csv"})
        semicolon = save_upload("kelurahan;penduduk\nCimuncang;9.812\n".encode(), owner_id=None,
                                purpose="sikondang.import", allowed={"text/csv"})
        assert comma.content_type == semicolon.content_type == "text/csv"
        assert comma.storage_key.endswith(".csv")
        with pytest.raises(ApiError) as prose:
            save_upload(b"just a sentence, not a table.\nand another line\n", owner_id=None,
                        purpose="sikondang.import", allowed={"text/csv"})
        assert prose.value.details["detected"] == "text/plain"
        # Photos-and-PDF endpoints never take text, even when it parses as CSV.
        with pytest.raises(ApiError) as default:
            save_upload(b"a,b\n1,2\n", owner_id=None, purpose="upload")
        assert default.value.status == 415


# -- size --------------------------------------------------------------------------------------

def test_the_size_limit_comes_from_settings_and_can_be_tightened_per_call(make_app, login_as):
    app = make_app(UPLOAD_MAX_BYTES=4000)
    client = app.test_client()
    citizen = login_as("citizen", target_app=app)
    big = noisy_png(64)  # ~12 kB of incompressible pixels
    assert len(big) > 4000
    response = upload(client, citizen, big, filename="besar.png")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "file_too_large"
    assert response.json["error"]["details"]["max_bytes"] == 4000
    assert row_count(app) == 0

    small = image_bytes("PNG")
    assert upload(client, citizen, small).status_code == 201
    with app.test_request_context():
        with pytest.raises(ApiError) as tight:
            save_upload(small, owner_id=None, purpose="upload", max_bytes=len(small) - 1)
        assert tight.value.status == 413 and tight.value.details["max_bytes"] == len(small) - 1
        roomy = save_upload(big, owner_id=None, purpose="upload", max_bytes=len(big))
        assert roomy.content_type == "image/png"


def test_an_empty_file_is_invalid(client, login_as):
    response = upload(client, login_as("citizen"), b"", filename="kosong.jpg")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_file"
    assert response.json["error"]["details"]["reason"] == "empty"


# -- metadata ----------------------------------------------------------------------------------

def photo_with_gps(fmt: str) -> bytes:
    """A 40x20 photo, left half red and right half blue, with GPS, camera make and orientation 6
    (the camera was turned: viewers rotate it 90 degrees clockwise to 20x40, red on top)."""
    image = Image.new("RGB", (40, 20), "blue")
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x010F] = "KameraBocor"  # Make
    exif[0x0112] = 6  # Orientation
    exif[0x8825] = {1: "S", 2: (6.0, 7.0, 12.0), 3: "E", 4: (106.0, 9.0, 0.0)}  # GPS: Kota Serang
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    data = buffer.getvalue()
    reread = Image.open(io.BytesIO(data)).getexif()
    assert reread.get_ifd(0x8825) and reread[0x010F] == "KameraBocor"  # the fixture really has GPS
    return data


@pytest.mark.parametrize("fmt,content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_gps_and_camera_metadata_are_removed_and_orientation_survives(client, login_as, fmt, content_type):
    citizen = login_as("citizen")
    original = photo_with_gps(fmt)
    response = upload(client, citizen, original, filename=f"IMG_0001.{fmt.lower()}")
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == content_type
    served = client.get(f"/api/v1/files/{response.json['id']}", headers=citizen).data

    assert b"KameraBocor" not in served
    image = Image.open(io.BytesIO(served))
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x8825 not in exif
    assert 0x010F not in exif and 0x0112 not in exif
    assert "exif" not in image.info and "xmp" not in image.info
    # Rotated upright: 20 wide, 40 high, red on top.
    assert image.size == (20, 40)
    top, bottom = image.convert("RGB").getpixel((10, 8)), image.convert("RGB").getpixel((10, 32))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


# -- broken and hostile images -----------------------------------------------------------------

def test_decompression_bombs_and_corrupt_images_are_422_not_500(app, client, login_as):
    citizen = login_as("citizen")
    jpeg = image_bytes("JPEG", size=(64, 64))
    cases = {
        "truncated jpeg": (jpeg[: len(jpeg) // 2], "corrupt_image"),
        "jpeg magic then garbage": (b"\xff\xd8\xff\xe0" + b"\x13" * 300, "corrupt_image"),
        "png with a broken chunk": (image_bytes("PNG")[:40] + b"\x00" * 40, "corrupt_image"),
    }
    for label, (data, reason) in cases.items():
        response = upload(client, citizen, data, filename="foto.jpg")
        assert response.status_code == 422, label
        assert response.json["error"]["code"] == "invalid_file", label
        assert response.json["error"]["details"]["reason"] == reason, label
    assert row_count(app) == 0


def test_images_over_the_pixel_limit_are_413_before_they_are_decoded(app, client, login_as):
    """A small file may declare a huge canvas: a 9400 x 9400 PNG of a few hundred KB decodes to
    gigabytes and seconds of work. It is refused from its header (RAGEM_UPLOAD_MAX_PIXELS)."""
    citizen = login_as("citizen")
    files_before = stored_names(app)
    canvas = io.BytesIO()
    Image.new("1", (9400, 9400)).save(canvas, "PNG")  # a real, valid, highly compressible image
    cases = {
        "a real 9400 x 9400 png": (canvas.getvalue(), 9400 * 9400),
        "bomb far past the pixel limit": (png_claiming(50_000, 50_000), None),  # Pillow stops it at once
        "bomb just past the pixel limit": (png_claiming(6_400, 6_400), 6_400 * 6_400),
    }
    for label, (data, pixels) in cases.items():
        response = upload(client, citizen, data, filename="foto.png")
        assert response.status_code == 413, (label, response.json)
        error = response.json["error"]
        assert error["code"] == "image_too_large", label
        assert error["details"] == {"max_pixels": 40_000_000, **({"pixels": pixels} if pixels else {})}, label
    assert row_count(app) == 0 and stored_names(app) == files_before


def test_the_pixel_limit_is_a_setting(make_app, login_as):
    app = make_app(UPLOAD_MAX_PIXELS=100 * 100)
    citizen = login_as("citizen", target_app=app)
    client = app.test_client()
    assert upload(client, citizen, image_bytes("PNG", size=(100, 100))).status_code == 201
    refused = upload(client, citizen, image_bytes("PNG", size=(101, 100)))
    assert refused.status_code == 413 and refused.json["error"]["details"]["max_pixels"] == 10_000


# -- how much one account may upload --------------------------------------------------------------

def test_an_account_may_upload_so_many_files_a_day_then_429_and_others_are_not_affected(make_app, login_as):
    app = make_app(UPLOAD_QUOTA_FILES=3)
    client = app.test_client()
    busy, other = login_as("citizen", target_app=app), login_as("citizen", target_app=app)
    for colour in ("red", "green", "blue"):
        assert upload(client, busy, image_bytes("PNG", color=colour)).status_code == 201
    refused = upload(client, busy, image_bytes("PNG", color="white"))
    assert refused.status_code == 429, refused.json
    assert refused.json["error"]["code"] == "upload_quota_exceeded"
    assert refused.json["error"]["details"]["max_files"] == 3 and refused.json["error"]["details"]["files"] == 3
    # It says when to come back: when the first of the three leaves the 24-hour window.
    wait = int(refused.headers["Retry-After"])
    assert 24 * 3600 - 120 <= wait <= 24 * 3600 and refused.json["error"]["details"]["retry_after"] == wait
    assert row_count(app) == 3
    assert upload(client, other, image_bytes("PNG")).status_code == 201
    # A day later the old uploads no longer count.
    with app.app_context():
        for row in db.session.scalars(select(StoredFile)):
            row.created_at -= timedelta(hours=25)
        db.session.commit()
    assert upload(client, busy, image_bytes("PNG", color="white")).status_code == 201


def test_an_account_may_upload_so_many_bytes_a_day(make_app, login_as):
    picture = noisy_png(64)
    app = make_app(UPLOAD_QUOTA_BYTES=len(picture) * 2 + len(picture) // 2)
    client = app.test_client()
    citizen = login_as("citizen", target_app=app)
    assert upload(client, citizen, picture).status_code == 201
    assert upload(client, citizen, noisy_png(64)).status_code == 201
    refused = upload(client, citizen, noisy_png(64))
    assert refused.status_code == 429 and refused.json["error"]["code"] == "upload_quota_exceeded"
    assert row_count(app) == 2


# -- who may read a file -----------------------------------------------------------------------

def test_only_the_owner_and_admins_read_a_file_without_a_signed_link(client, login_as):
    owner = login_as("citizen")
    file_id = upload(client, owner, image_bytes("JPEG")).json["id"]
    url = f"/api/v1/files/{file_id}"

    assert client.get(url, headers=owner).status_code == 200
    assert client.get(url, headers=login_as("admin")).status_code == 200
    other = client.get(url, headers=login_as("citizen"))
    assert other.status_code == 404 and other.json["error"]["code"] == "not_found"
    assert client.get(url, headers=login_as("officer")).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"
    assert client.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_signed_link_opens_the_file_to_anyone_until_it_expires(app, client, login_as):
    owner = login_as("citizen")
    uploaded = upload(client, owner, image_bytes("PNG")).json
    file_id = uploaded["id"]
    assert client.get(uploaded["url"]).status_code == 200  # the link returned by the upload

    with app.test_request_context():
        link = toolkit.signed_url(file_id, ttl_seconds=60)
        expired_at = int(time.time()) - 5
        expired = f"/api/v1/files/{file_id}?expires={expired_at}&signature={_signature(file_id, expired_at)}"
    served = client.get(link)
    assert served.status_code == 200 and served.data.startswith(b"\x89PNG")

    refused = client.get(expired)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "link_expired"


def test_a_tampered_signed_link_is_refused(app, client, login_as):
    owner = login_as("citizen")
    first = upload(client, owner, image_bytes("PNG")).json["id"]
    second = upload(client, owner, image_bytes("PNG", color="green")).json["id"]
    with app.test_request_context():
        link = signed_url(first, ttl_seconds=60)
    path, query = link.split("?")
    params = dict(pair.split("=") for pair in query.split("&"))
    flipped = params["signature"][:-1] + ("0" if params["signature"][-1] != "0" else "1")
    attempts = [
        f"{path}?expires={params['expires']}&signature={flipped}",
        f"{path}?expires={int(params['expires']) + 3600}&signature={params['signature']}",  # extended
        f"/api/v1/files/{second}?{query}",  # another file, same signature
        f"{path}?expires={params['expires']}",  # signature missing
        f"{path}?signature={params['signature']}",  # expiry missing
        f"{path}?expires={params['expires']}&signature=",
        f"{path}?expires={params['expires']}&signature=%C3%BC",  # not ASCII: not ours either
    ]
    for attempt in attempts:
        response = client.get(attempt)
        assert response.status_code == 403, attempt
        assert response.json["error"]["code"] == "invalid_signature", attempt
    assert client.get(f"{path}?expires=soon&signature=x").status_code == 422


def test_ids_that_are_not_uuids_never_reach_the_disk(app, client, login_as):
    admin = login_as("admin")
    secret = Path(app.instance_path) / "secret_key.dev"
    attempts = [
        "/api/v1/files/..%2F..%2Fsecret_key.dev",
        "/api/v1/files/..%2f..%2f..%2fetc%2fpasswd",
        "/api/v1/files/%2e%2e",
        "/api/v1/files/..",
        "/api/v1/files/secret_key.dev",
        "/api/v1/files/00000000-0000-0000-0000-000000000000",
        "/api/v1/files/ABCDEF00-0000-4000-8000-000000000000",  # not the canonical form we issue
        "/api/v1/files/" + "a" * 300,
    ]
    for attempt in attempts:
        response = client.get(attempt, headers=admin)
        assert response.status_code == 404, attempt
        assert response.json["error"]["code"] == "not_found", attempt
    assert secret.exists()  # the probe targets a real file; none of the attempts served it

    disk = LocalDiskStorage(app.instance_path)
    for key in ("../secret_key.dev", "/etc/passwd", "ab/../../secret_key.dev", "ab/x.png/../../y.png", ""):
        with pytest.raises(StorageKeyError):
            disk.open(key)
        with pytest.raises(StorageKeyError):
            disk.put(key, b"x")


# -- the upload endpoint's input ---------------------------------------------------------------

def test_upload_needs_a_login_and_a_real_file_part(app, client, login_as):
    anonymous = upload(client, {}, image_bytes("PNG"))
    assert anonymous.status_code == 401

    citizen = login_as("citizen")
    missing = client.post("/api/v1/files", data={"purpose": "upload", "other": (io.BytesIO(b"x"), "x.png")},
                          headers=citizen)
    assert missing.status_code == 422 and missing.json["error"]["code"] == "validation_error"
    assert "file" in missing.json["error"]["details"]["fields"]["multipart"]

    text_field = client.post("/api/v1/files", data={"file": "not a file", "x": (io.BytesIO(b"x"), "x.png")},
                             headers=citizen)
    assert text_field.status_code == 422
    assert "file" in text_field.json["error"]["details"]["fields"]["multipart"]

    bad_purpose = upload(client, citizen, image_bytes("PNG"), purpose="../../etc")
    assert bad_purpose.status_code == 422
    assert "purpose" in bad_purpose.json["error"]["details"]["fields"]["multipart"]
    unknown = upload(client, citizen, image_bytes("PNG"), owner_id="someone-else")
    assert unknown.status_code == 422
    json_body = client.post("/api/v1/files", json={"file": "aGVsbG8="}, headers=citizen)
    assert json_body.status_code == 422
    assert row_count(app) == 0

    accepted = upload(client, citizen, image_bytes("WEBP"), purpose="gelati.product")
    assert accepted.status_code == 201 and accepted.json["purpose"] == "gelati.product"


# -- the storage interface ---------------------------------------------------------------------

@local_disk_only
def test_local_disk_storage_round_trip_under_the_configured_folder(make_app, tmp_path):
    app = make_app(STORAGE_DIR=str(tmp_path / "berkas"))
    with app.test_request_context():
        storage = toolkit.storage()
        assert isinstance(storage, LocalDiskStorage)
        assert storage.root == (tmp_path / "berkas").resolve()
        row = save_upload(image_bytes("PNG"), owner_id=None, purpose="upload")
        db.session.commit()
        assert (tmp_path / "berkas" / row.storage_key).is_file()
        assert storage.exists(row.storage_key)
        assert storage.open(row.storage_key).startswith(b"\x89PNG")

        key = "ab/abcdef.txt"
        storage.put(key, b"isi")
        assert storage.open(key) == b"isi" and storage.exists(key)
        storage.delete(key)
        storage.delete(key)  # twice is fine
        assert not storage.exists(key)

        assert toolkit.delete_file(row.id) is True
        db.session.commit()
        assert not storage.exists(row.storage_key)
        assert db.session.get(StoredFile, row.id) is None
        assert toolkit.delete_file(row.id) is False


@local_disk_only
def test_default_storage_is_under_the_instance_folder(app):
    assert Path(app.extensions["ragem.storage"].root) == Path(app.instance_path).resolve() / "uploads"


def test_signed_links_stay_the_same_within_a_minute_and_live_at_least_their_ttl(app, client, login_as, monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    owner = login_as("citizen")
    file_id = upload(client, owner, image_bytes("PNG")).json["id"]
    clock = {"now": 1_800_000_005.0}  # 5 s into a minute
    monkeypatch.setattr(time, "time", lambda: clock["now"])

    def expiry(link):
        return int(parse_qs(urlsplit(link).query)["expires"][0])

    with app.test_request_context():
        first = signed_url(file_id, ttl_seconds=300)
        clock["now"] += 40  # the same list fetched again 40 s later
        again = signed_url(file_id, ttl_seconds=300)
        clock["now"] += 30  # now in the next minute
        later = signed_url(file_id, ttl_seconds=300)
        short = signed_url(file_id, ttl_seconds=10)
    assert first == again  # the app's image cache sees one URL
    assert expiry(first) % 60 == 0 and 1_800_000_005 + 300 <= expiry(first) < 1_800_000_005 + 360
    assert expiry(later) == expiry(first) + 60
    assert clock["now"] + 10 <= expiry(short) <= clock["now"] + 20  # a short link is not stretched to a minute


# -- what nobody claims is cleaned up ---------------------------------------------------------------

def _age(app, file_id, hours):
    with app.app_context():
        row = db.session.get(StoredFile, file_id)
        row.created_at -= timedelta(hours=hours)
        db.session.commit()


def test_an_upload_no_service_claims_is_deleted_after_a_day_and_a_claimed_one_stays(app, client, login_as):
    from ragem.testing import periodic_jobs, run_due_jobs

    citizen = login_as("citizen")
    abandoned = upload(client, citizen, image_bytes("PNG", color="red")).json["id"]
    claimed = upload(client, citizen, image_bytes("PNG", color="green")).json["id"]
    recent = upload(client, citizen, image_bytes("PNG", color="blue")).json["id"]
    with app.app_context():
        assert toolkit.attach_file(claimed, owner_id=citizen["X-Test-User-Id"]) is not None
        db.session.commit()
    for file_id in (abandoned, claimed):
        _age(app, file_id, 25)
    with app.app_context():
        assert periodic_jobs()["core.files-cleanup"].every_seconds == 3600
        key = db.session.get(StoredFile, abandoned).storage_key
        assert "core.files-cleanup" in run_due_jobs()
        assert db.session.get(StoredFile, abandoned) is None
        assert not app.extensions["ragem.storage"].exists(key)
        assert db.session.get(StoredFile, claimed) is not None and db.session.get(StoredFile, recent) is not None
    assert client.get(f"/api/v1/files/{claimed}", headers=citizen).status_code == 200
    assert client.get(f"/api/v1/files/{abandoned}", headers=citizen).status_code == 404


def test_only_the_owner_can_attach_a_file(app, client, login_as):
    owner, other = login_as("citizen"), login_as("citizen")
    file_id = upload(client, owner, image_bytes("PNG")).json["id"]
    with app.app_context():
        assert toolkit.attach_file(file_id, owner_id=other["X-Test-User-Id"]) is None
        assert toolkit.attach_file("../../etc/passwd", owner_id=owner["X-Test-User-Id"]) is None
        assert db.session.get(StoredFile, file_id).attached_at is None
        first = toolkit.attach_file(file_id, owner_id=owner["X-Test-User-Id"]).attached_at
        assert first is not None
        assert toolkit.attach_file(file_id, owner_id=owner["X-Test-User-Id"]).attached_at == first


def test_files_a_service_saves_itself_are_attached_at_once(app, login_as):
    citizen = login_as("citizen")
    with app.test_request_context():
        row = toolkit.save_upload(image_bytes("PNG"), owner_id=citizen["X-Test-User-Id"], purpose="zz.probe")
        db.session.commit()
        assert row.attached_at is not None


@local_disk_only
def test_bytes_no_record_names_are_deleted_once_old_and_fresh_ones_are_left(app):
    import os

    from ragem.storage.cleanup import delete_abandoned

    storage = app.extensions["ragem.storage"]
    old_key, fresh_key = "zz/00000000-0000-4000-8000-000000000001.png", "zz/00000000-0000-4000-8000-000000000002.png"
    storage.put(old_key, b"left by a rolled-back request")
    storage.put(fresh_key, b"an upload still in flight")
    half_written = storage.root / "zz" / ".upload-abc123"
    half_written.write_bytes(b"cut off")
    two_days_ago = time.time() - 48 * 3600
    for path in (storage.root / old_key, half_written):
        os.utime(path, (two_days_ago, two_days_ago))
    with app.app_context():
        assert delete_abandoned()["orphan_bytes"] == 1
    assert not storage.exists(old_key) and storage.exists(fresh_key) and not half_written.exists()
    storage.delete(fresh_key)
