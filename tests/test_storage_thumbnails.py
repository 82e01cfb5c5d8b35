"""Thumbnails: a small clean JPEG of a stored photo, a stored file of its own."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from ragem import toolkit
from ragem.extensions import db
from ragem.storage import StoredFile

from test_storage import image_bytes, photo_with_gps


def _save(app, owner_id, data, **thumb):
    """Upload ``data`` through save_upload, thumbnail it, commit; the two rows' ids."""
    with app.test_request_context():
        photo = toolkit.save_upload(data, owner_id=owner_id, purpose="zz.photo")
        thumbnail = toolkit.save_thumbnail(photo, **thumb)
        db.session.commit()
        return photo.id, thumbnail.id


def _served(client, headers, file_id) -> bytes:
    answer = client.get(f"/api/v1/files/{file_id}", headers=headers)
    assert answer.status_code == 200
    return answer.data


@pytest.mark.parametrize("fmt,size,expected", [
    ("JPEG", (1600, 1200), (320, 240)),
    ("PNG", (300, 900), (107, 320)),
    ("WEBP", (640, 640), (320, 320)),
    ("PNG", (40, 30), (40, 30)),  # a small picture is never enlarged
])
def test_a_thumbnail_is_a_jpeg_at_most_the_size_asked_on_its_longer_side(app, client, login_as, fmt, size, expected):
    citizen = login_as("citizen")
    owner = citizen["X-Test-User-Id"]
    photo_id, thumb_id = _save(app, owner, image_bytes(fmt, size=size, color="green"))

    thumb = Image.open(io.BytesIO(_served(client, citizen, thumb_id)))
    assert thumb.format == "JPEG" and thumb.size == expected
    red, green, blue = thumb.convert("RGB").getpixel((expected[0] // 2, expected[1] // 2))
    assert green > 100 and red < 60 and blue < 60  # the picture, not a blank
    with app.app_context():
        photo, row = db.session.get(StoredFile, photo_id), db.session.get(StoredFile, thumb_id)
        # Its own file: same owner, the photo's purpose by default, in use at once, the photo untouched.
        assert row.id != photo.id and row.content_type == "image/jpeg"
        assert row.owner_id == owner and row.purpose == "zz.photo" and row.attached_at is not None
        assert Image.open(io.BytesIO(_served(client, citizen, photo_id))).size == size


def test_size_and_purpose_can_be_chosen(app, client, login_as):
    citizen = login_as("citizen")
    with app.test_request_context():
        photo = toolkit.save_upload(image_bytes("JPEG", size=(1000, 500)), owner_id=citizen["X-Test-User-Id"],
                                    purpose="zz.photo")
        db.session.flush()
        small = toolkit.save_thumbnail(photo.id, max_px=64, purpose="zz.thumbnail")  # by id as well
        db.session.commit()
        small_id, purpose = small.id, small.purpose
    assert purpose == "zz.thumbnail"
    assert Image.open(io.BytesIO(_served(client, citizen, small_id))).size == (64, 32)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_no_gps_or_camera_data_reaches_the_thumbnail_and_it_stays_upright(app, client, login_as, fmt):
    citizen = login_as("citizen")
    _, thumb_id = _save(app, citizen["X-Test-User-Id"], photo_with_gps(fmt))

    served = _served(client, citizen, thumb_id)
    assert b"KameraBocor" not in served
    thumb = Image.open(io.BytesIO(served))
    exif = thumb.getexif()
    assert not exif.get_ifd(0x8825) and 0x8825 not in exif and 0x0112 not in exif
    assert "exif" not in thumb.info and "xmp" not in thumb.info
    assert thumb.size == (20, 40)  # upright, as the camera meant
    top = thumb.convert("RGB").getpixel((10, 6))
    assert top[0] > 200 and top[2] < 80


def test_transparent_parts_become_white_not_black(app, client, login_as):
    citizen = login_as("citizen")
    clear = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    clear.paste((200, 0, 0, 255), (0, 0, 25, 50))
    buffer = io.BytesIO()
    clear.save(buffer, "PNG")
    _, thumb_id = _save(app, citizen["X-Test-User-Id"], buffer.getvalue())

    thumb = Image.open(io.BytesIO(_served(client, citizen, thumb_id))).convert("RGB")
    assert min(thumb.getpixel((40, 25))) > 240  # was transparent
    assert thumb.getpixel((10, 25))[0] > 150 and thumb.getpixel((10, 25))[1] < 60


def test_only_stored_images_have_thumbnails(app, login_as):
    citizen = login_as("citizen")
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    with app.test_request_context():
        document = toolkit.save_upload(pdf, owner_id=citizen["X-Test-User-Id"], purpose="zz.doc")
        photo = toolkit.save_upload(image_bytes("PNG"), owner_id=citizen["X-Test-User-Id"], purpose="zz.photo")
        db.session.flush()
        before = db.session.query(StoredFile).count()
        with pytest.raises(ValueError, match="only images"):
            toolkit.save_thumbnail(document)
        for unknown in ("00000000-0000-0000-0000-000000000000", "../etc/passwd", None):
            with pytest.raises(ValueError, match="not a stored file"):
                toolkit.save_thumbnail(unknown)
        for size in (0, 15, 2049):
            with pytest.raises(ValueError, match="max_px"):
                toolkit.save_thumbnail(photo, max_px=size)
        assert db.session.query(StoredFile).count() == before  # nothing stored by a refusal


def test_a_thumbnail_is_not_refused_by_the_quota_the_photo_fitted_in(make_app, login_as):
    app = make_app(UPLOAD_QUOTA_FILES=1)
    owner = login_as("citizen", target_app=app)["X-Test-User-Id"]
    _, thumb_id = _save(app, owner, image_bytes("PNG"))  # the photo was the last file the quota allowed
    with app.app_context():
        assert db.session.get(StoredFile, thumb_id) is not None
