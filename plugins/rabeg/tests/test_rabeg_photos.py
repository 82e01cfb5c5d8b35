"""Complaint photos: checked by content, EXIF/GPS stripped, thumbnails, at most five, only for those who may see."""
import io

from PIL import Image
from sqlalchemy import func, select

from plugins.rabeg.models import Complaint, Photo

PHOTOS = "/api/v1/rabeg/photos"
URL = "/api/v1/rabeg/complaints"
GPS_IFD = 0x8825


def jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "Canon"  # camera make
    exif[GPS_IFD] = {1: "S", 2: (6.0, 7.0, 12.0), 3: "E", 4: (106.0, 9.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS
    return data


def png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 120, 0)).save(out, "PNG")
    return out.getvalue()


def upload(client, headers, data, name="photo.jpg"):
    return client.post(PHOTOS, data={"file": (io.BytesIO(data), name)}, headers=headers,
                       content_type="multipart/form-data")


def fetch(client, url, headers=None):
    return client.get(url, headers=headers or {})


def body(**overrides):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001"}
    data.update(overrides)
    return data


def test_upload_strips_exif_and_gps_and_makes_a_smaller_thumbnail(client, login_as):
    citizen = login_as("citizen")
    response = upload(client, citizen, jpeg_with_gps())
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert photo["content_type"] == "image/jpeg" and isinstance(photo["id"], int)
    stored = fetch(client, photo["url"])
    assert stored.status_code == 200
    exif = Image.open(io.BytesIO(stored.data)).getexif()
    assert not exif.get_ifd(GPS_IFD) and 0x010F not in exif
    thumb = fetch(client, photo["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert len(thumb.data) < len(stored.data)
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320


def test_type_is_judged_by_content_not_by_name(client, login_as):
    citizen = login_as("citizen")
    renamed = upload(client, citizen, png(), name="looks-like.jpg")
    assert renamed.status_code == 201 and renamed.get_json()["content_type"] == "image/png"
    text = upload(client, citizen, b"hello, I am not a photo at all\n", name="photo.jpg")
    assert text.status_code == 415 and text.get_json()["error"]["code"] == "unsupported_file_type"
    pdf = upload(client, citizen, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n", name="a.jpg")
    assert pdf.status_code == 415
    fake = upload(client, citizen, b"\xff\xd8\xff\xe0" + b"\x00" * 64, name="broken.jpg")
    assert fake.status_code == 422


def test_too_large_is_413_and_stores_nothing(make_app, login_as, db_session):
    app = make_app(RABEG_PHOTO_MAX_BYTES=2000)
    client = app.test_client()
    citizen = login_as("citizen", target_app=app)
    response = upload(client, citizen, jpeg_with_gps((1600, 1200)))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "file_too_large"
    with app.app_context():
        from ragem.toolkit import db

        assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def test_upload_needs_a_login_and_a_file_part(client, login_as):
    assert upload(client, {}, png()).status_code == 401
    response = client.post(PHOTOS, data={"file": "not a file"}, headers=login_as("citizen"),
                           content_type="multipart/form-data")
    assert response.status_code == 422


def test_photos_are_attached_in_order_and_shown_in_the_detail(client, login_as, db_session):
    citizen = login_as("citizen")
    ids = [upload(client, citizen, png()).get_json()["id"] for _ in range(3)]
    ordered = [ids[2], ids[0], ids[1]]
    filed = client.post(URL, json=body(photos=ordered), headers=citizen)
    assert filed.status_code == 201, filed.get_json()
    shown = filed.get_json()["photos"]
    assert [p["id"] for p in shown] == ordered and {p["kind"] for p in shown} == {"report"}
    # Attached photos cannot be filed again.
    again = client.post(URL, json=body(photos=[ids[0]]), headers=citizen)
    assert again.status_code == 422 and str(ids[0]) in again.get_json()["error"]["details"]["photos"]


def test_six_photos_or_someone_elses_photo_are_refused(client, login_as, db_session):
    citizen, other = login_as("citizen"), login_as("citizen")
    mine = [upload(client, citizen, png()).get_json()["id"] for _ in range(6)]
    six = client.post(URL, json=body(photos=mine), headers=citizen)
    assert six.status_code == 422 and "at most 5" in six.get_json()["error"]["details"]["photos"]
    theirs = upload(client, other, png()).get_json()["id"]
    stolen = client.post(URL, json=body(photos=[mine[0], theirs]), headers=citizen)
    assert stolen.status_code == 422
    assert list(stolen.get_json()["error"]["details"]["photos"]) == [str(theirs)]
    unknown = client.post(URL, json=body(photos=[2**40]), headers=citizen)
    assert unknown.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert db_session.scalar(select(func.count()).select_from(Photo).where(Photo.complaint_id.is_not(None))) == 0


def test_reporter_and_opd_officer_open_the_photos_another_citizen_cannot(client, login_as):
    citizen, stranger = login_as("citizen"), login_as("citizen")
    photo_id = upload(client, citizen, jpeg_with_gps()).get_json()["id"]
    complaint = client.post(URL, json=body(photos=[photo_id]), headers=citizen).get_json()
    detail = f"{URL}/{complaint['id']}"
    mine = client.get(detail, headers=citizen).get_json()["photos"]
    assert fetch(client, mine[0]["url"]).status_code == 200
    officer = login_as("officer", opd="DPUPR")
    theirs = client.get(detail, headers=officer).get_json()["photos"]
    assert [p["id"] for p in theirs] == [photo_id] and theirs[0]["hidden"] is False
    assert fetch(client, theirs[0]["url"]).status_code == 200
    assert fetch(client, theirs[0]["thumbnail_url"]).status_code == 200
    assert client.get(detail, headers=stranger).status_code == 404
    assert client.get(detail, headers=login_as("officer", opd="DINKES")).status_code == 404
    # Without the signature the file is not public.
    assert fetch(client, theirs[0]["url"].split("?")[0], headers=stranger).status_code == 404


def test_hidden_photos_reach_only_the_opd_staff(client, login_as, db_session):
    citizen = login_as("citizen")
    photo_id = upload(client, citizen, png()).get_json()["id"]
    complaint = client.post(URL, json=body(photos=[photo_id]), headers=citizen).get_json()
    db_session.get(Photo, photo_id).hidden = True
    db_session.commit()
    detail = f"{URL}/{complaint['id']}"
    assert client.get(detail, headers=citizen).get_json()["photos"] == []
    staff = client.get(detail, headers=login_as("officer", opd="DPUPR")).get_json()["photos"]
    assert [(p["id"], p["hidden"]) for p in staff] == [(photo_id, True)]


def test_photos_never_filed_are_deleted_after_a_day_and_filed_ones_stay(app, client, login_as):
    from datetime import timedelta

    from ragem.testing import periodic_jobs
    from ragem.toolkit import db
    from plugins.rabeg.photos import delete_unattached

    citizen = login_as("citizen")
    abandoned = upload(client, citizen, png()).get_json()
    recent = upload(client, citizen, png()).get_json()
    filed = upload(client, citizen, png()).get_json()
    assert client.post(URL, json=body(photos=[filed["id"]]), headers=citizen).status_code == 201
    with app.app_context():
        assert "rabeg.photo-cleanup" in periodic_jobs()
        for photo_id in (abandoned["id"], filed["id"]):
            db.session.get(Photo, photo_id).created_at -= timedelta(hours=25)
        db.session.commit()
        assert delete_unattached() == 1
        left = set(db.session.scalars(select(Photo.id)))
    assert left == {recent["id"], filed["id"]}
    assert fetch(client, abandoned["url"]).status_code == 404
    assert fetch(client, abandoned["thumbnail_url"]).status_code == 404
    assert fetch(client, filed["url"]).status_code == 200


def test_the_contract_states_the_photo_limit_the_service_enforces(app):
    from plugins.rabeg.photos import MAX_PER_ITEM
    from ragem.testing import openapi_spec

    schemas = openapi_spec(app)["components"]["schemas"]
    assert schemas["ComplaintCreate"]["properties"]["photos"]["maxItems"] == MAX_PER_ITEM == 5
    assert schemas["ResponseCreate"]["properties"]["photos"]["maxItems"] == MAX_PER_ITEM
