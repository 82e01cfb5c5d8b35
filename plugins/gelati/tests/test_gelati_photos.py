"""Product photos: checked by their bytes, at most eight, only the shop's own products, each with a
thumbnail that goes with it."""
import io
import logging
from datetime import timedelta

from PIL import Image
from sqlalchemy import text

from ragem import toolkit
from ragem.testing import png_claiming

from plugins.gelati.models import THUMBNAIL_PX

from .conftest import BASE


def jpeg() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "JPEG")
    return picture.getvalue()


def upload(client, headers, product_id, data: bytes, name="foto.jpg"):
    return client.post(f"{BASE}/my-shop/products/{product_id}/photos", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_up_to_eight_photos_checked_by_their_bytes(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    product = add_product(seller)
    picture = jpeg()
    ids = []
    for _ in range(8):
        answer = upload(client, seller, product["id"], picture)
        assert answer.status_code == 201, answer.get_json()
        ids.append(answer.get_json()["id"])
    ninth = upload(client, seller, product["id"], picture)
    assert ninth.status_code == 409 and ninth.get_json()["error"]["code"] == "too_many_photos"
    shown = client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]
    assert [p["id"] for p in shown] == ids and shown[0]["url"]
    assert client.get(shown[0]["url"]).status_code == 200
    assert upload(client, seller, product["id"], b"not an image").status_code in (409, 415)
    deleted = client.delete(f"{BASE}/my-shop/products/{product['id']}/photos/{ids[0]}", headers=seller)
    assert deleted.status_code == 204
    assert upload(client, seller, product["id"], b"not an image").status_code == 415
    assert len(client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]) == 7
    # Another shop's owner, or a buyer, cannot add or remove photos.
    other, _ = open_shop(name="Toko Lain")
    assert upload(client, other, product["id"], picture).status_code == 404
    assert client.delete(f"{BASE}/my-shop/products/{product['id']}/photos/{ids[1]}",
                         headers=other).status_code == 404
    assert upload(client, login_as("citizen"), product["id"], picture).status_code == 404


# -- thumbnails and hostile pictures -------------------------------------------------------------

def files_on_disk(app) -> int:
    """How many files the app's storage holds (local disk in tests)."""
    with app.app_context():
        return sum(1 for path in toolkit.storage().root.rglob("*") if path.is_file())


def photo_with_gps(size=(1200, 800)) -> bytes:
    """A JPEG from a phone: GPS position in Kota Serang and the camera's make in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "KameraBocor"  # Make
    exif[0x8825] = {1: "S", 2: (6.0, 7.0, 12.0), 3: "E", 4: (106.0, 9.0, 0.0)}  # GPS
    picture = io.BytesIO()
    Image.new("RGB", size, "orange").save(picture, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(picture.getvalue())).getexif().get_ifd(0x8825)  # really has GPS
    return picture.getvalue()


def test_each_photo_has_a_small_clean_thumbnail_for_lists(app, client, open_shop, add_product):
    seller, _ = open_shop()
    product = add_product(seller)
    added = upload(client, seller, product["id"], photo_with_gps())
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["thumbnail_url"] and added.get_json()["thumbnail_url"] != added.get_json()["url"]

    [shown] = client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]
    [listed] = client.get(f"{BASE}/products").get_json()["items"][0]["photos"]
    assert listed["thumbnail_url"].split("?")[0] == shown["thumbnail_url"].split("?")[0]
    thumb = client.get(shown["thumbnail_url"])  # a signed link: anyone holding it, no login
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(thumb.data))
    assert image.size == (THUMBNAIL_PX, THUMBNAIL_PX * 2 // 3)
    # The GPS position and the camera did not survive into either file.
    for served in (thumb.data, client.get(shown["url"]).data):
        assert b"KameraBocor" not in served
        exif = Image.open(io.BytesIO(served)).getexif()
        assert 0x8825 not in exif and not exif.get_ifd(0x8825)
    assert Image.open(io.BytesIO(client.get(shown["url"]).data)).size == (1200, 800)  # the photo kept its size


def test_what_is_not_a_picture_or_too_big_to_decode_is_refused_and_nothing_is_kept(app, client, open_shop,
                                                                                     add_product):
    seller, _ = open_shop()
    product = add_product(seller)
    before = files_on_disk(app)
    refused = {
        "text named .jpg": (b"GIF89a? no, a script: <?php system($_GET['c']); ?>", 415, "unsupported_file_type"),
        "PDF": (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", 415,
                "unsupported_file_type"),
        "huge canvas": (png_claiming(60_000, 60_000), 413, "image_too_large"),
        "cut-off JPEG": (photo_with_gps((400, 300))[:600], 422, "invalid_file"),
    }
    for name, (data, status, code) in refused.items():
        answer = upload(client, seller, product["id"], data)
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), name
    assert files_on_disk(app) == before
    assert client.get(f"{BASE}/products/{product['id']}").get_json()["photos"] == []


def test_removing_a_photo_or_erasing_the_seller_removes_its_thumbnail_too(app, client, open_shop, add_product):
    seller, _ = open_shop()
    product = add_product(seller)
    before = files_on_disk(app)
    first = upload(client, seller, product["id"], jpeg()).get_json()
    upload(client, seller, product["id"], jpeg())
    assert files_on_disk(app) == before + 4  # two photos, two thumbnails
    deleted = client.delete(f"{BASE}/my-shop/products/{product['id']}/photos/{first['id']}", headers=seller)
    assert deleted.status_code == 204
    assert client.get(first["url"]).status_code == 404 and client.get(first["thumbnail_url"]).status_code == 404
    assert files_on_disk(app) == before + 2
    [kept] = client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]

    erased = client.delete("/api/v1/me", headers=seller, json={"password": "Rahasia-Kuat-123"})
    assert erased.status_code == 204, erased.get_json()
    assert client.get(kept["url"]).status_code == 404 and client.get(kept["thumbnail_url"]).status_code == 404
    assert files_on_disk(app) == before


def test_photos_stored_before_thumbnails_existed_get_one_from_the_periodic_job(app, client, open_shop,
                                                                                add_product, db_session):
    from plugins.gelati.models import ProductPhoto
    from plugins.gelati.services import thumbnails

    seller, _ = open_shop()
    product = add_product(seller)
    first = upload(client, seller, product["id"], photo_with_gps()).get_json()
    second = upload(client, seller, product["id"], jpeg()).get_json()
    # As the photos of an installation from before thumbnails: none recorded (the files stay).
    for photo in db_session.query(ProductPhoto):
        photo.thumbnail_file_id = None
    db_session.commit()
    shown = client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]
    assert [p["thumbnail_url"] for p in shown] == [None, None]

    with app.app_context():
        assert thumbnails.backfill(batch=1) == 1  # a batch at a time, oldest first
        assert thumbnails.backfill() == 1
        assert thumbnails.backfill() == 0  # nothing left to do

    shown = client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]
    assert [p["id"] for p in shown] == [first["id"], second["id"]]
    thumb = client.get(shown[0]["thumbnail_url"])
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.data)).size == (THUMBNAIL_PX, THUMBNAIL_PX * 2 // 3)
    assert b"KameraBocor" not in thumb.data


def two_photos_one_lost(app, client, open_shop, add_product, db_session) -> tuple[dict, dict, dict]:
    """A product with two photos from before thumbnails (none recorded), the first one's bytes gone
    from storage (its row stays), as after a bad restore: the product, the lost and the kept photo."""
    from plugins.gelati.models import ProductPhoto

    seller, _ = open_shop()
    product = add_product(seller)
    lost = upload(client, seller, product["id"], jpeg()).get_json()
    kept = upload(client, seller, product["id"], jpeg()).get_json()
    for photo in db_session.query(ProductPhoto):
        photo.thumbnail_file_id = None
    db_session.commit()
    with app.app_context():
        key = db_session.execute(text("SELECT storage_key FROM stored_file WHERE id = :id"),
                                 {"id": db_session.get(ProductPhoto, lost["id"]).file_id}).scalar_one()
        toolkit.storage().delete(key)
    return product, lost, kept


def test_a_photo_whose_file_is_gone_is_skipped_and_holds_up_no_other(app, client, open_shop, add_product,
                                                                      db_session):
    from plugins.gelati.services import thumbnails

    product, lost, kept = two_photos_one_lost(app, client, open_shop, add_product, db_session)
    with app.app_context():
        assert thumbnails.backfill() == 1
    shown = {p["id"]: p for p in client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]}
    assert shown[lost["id"]]["thumbnail_url"] is None and shown[kept["id"]]["thumbnail_url"]


class Warnings(logging.Handler):
    """The messages a logger wrote (the app's loggers do not propagate to pytest's capture)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_photo_the_job_failed_on_waits_a_day_instead_of_filling_every_batch(app, client, open_shop, add_product,
                                                                               db_session):
    from plugins.gelati.services import thumbnails

    product, lost, kept = two_photos_one_lost(app, client, open_shop, add_product, db_session)
    logger, seen = logging.getLogger("ragem.plugins.gelati"), Warnings()
    logger.addHandler(seen)
    try:
        with app.app_context():
            # Batches of one, the broken photo first: it must not stand in front of the other forever.
            assert thumbnails.backfill(batch=1) == 0
            assert thumbnails.backfill(batch=1) == 1
            assert seen.messages == ["no thumbnail for a product photo"]
            assert thumbnails.backfill() == 0  # not tried again within the day: no new warning
            assert seen.messages == ["no thumbnail for a product photo"]

            # A day later it is tried again (its bytes might have been restored meanwhile).
            db_session.execute(text("UPDATE gelati_product_photo SET thumbnail_failed_at = :then WHERE id = :id"),
                               {"then": toolkit.utcnow() - thumbnails.RETRY_AFTER - timedelta(minutes=1),
                                "id": lost["id"]})
            db_session.commit()
            assert thumbnails.backfill() == 0
            assert len(seen.messages) == 2
    finally:
        logger.removeHandler(seen)
    shown = {p["id"]: p for p in client.get(f"{BASE}/products/{product['id']}").get_json()["photos"]}
    assert shown[lost["id"]]["thumbnail_url"] is None and shown[kept["id"]]["thumbnail_url"]
