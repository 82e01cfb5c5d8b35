"""Moderation: the public text is replaced and photos hidden, the originals kept, the reporter told why."""
import io

from PIL import Image
from sqlalchemy import select

from plugins.rabeg.models import Complaint, Photo

URL = "/api/v1/rabeg/complaints"
RUDE = "Jalan rusak parah, dasar pejabat malas semua! Nomor HP saya 0812-3456-7890."


def jpeg(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (100, 70), colour).save(out, "JPEG")
    return out.getvalue()


def complaint_with_photos(client, reporter):
    ids = []
    for colour in ((200, 0, 0), (0, 200, 0)):
        response = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg(colour)), "p.jpg")},
                               headers=reporter, content_type="multipart/form-data")
        ids.append(response.get_json()["id"])
    filed = client.post(URL, json={"category": "JALAN_RUSAK", "description": RUDE, "kelurahan": "36.73.01.1001",
                                   "photos": ids}, headers=reporter)
    assert filed.status_code == 201, filed.get_json()
    return filed.get_json()["id"], ids


def test_moderation_keeps_the_original_and_tells_the_reporter(client, login_as, db_session):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid, (face, road) = complaint_with_photos(client, reporter)
    answer = client.post(f"{URL}/{cid}/moderation", json={
        "description": "Jalan rusak parah di depan pasar.", "hide_photos": [face],
        "reason": "Menghapus data pribadi dan kata kasar"}, headers=officer)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["moderated_description"] == "Jalan rusak parah di depan pasar."
    assert body["description"] == RUDE  # the original, for the reporter and staff
    assert body["timeline"][-1]["kind"] == "moderation"
    assert {p["id"]: p["hidden"] for p in body["photos"]} == {face: True, road: False}
    photo = db_session.get(Photo, face)
    assert photo.hidden and photo.hidden_reason == "Menghapus data pribadi dan kata kasar"
    # The reporter still reads their own words, sees only the visible photo, and is told why.
    seen = client.get(f"{URL}/{cid}", headers=reporter).get_json()
    assert seen["description"] == RUDE and seen["moderated_description"] == "Jalan rusak parah di depan pasar."
    assert [p["id"] for p in seen["photos"]] == [road]
    told = [n for n in client.get("/api/v1/me/notifications", headers=reporter).get_json()["items"]
            if n["kind"] == "rabeg.complaint.moderated"]
    assert len(told) == 1 and "Menghapus data pribadi dan kata kasar" in str(told[0])
    audit = client.get(f"/api/v1/admin/audit?action=rabeg.complaint.moderate&target_id={cid}",
                       headers=login_as("admin")).get_json()["items"]
    assert audit[0]["reason"] == "Menghapus data pribadi dan kata kasar"
    assert audit[0]["after"]["hidden_photos"] == [face]


def test_moderation_input_is_checked_and_changes_nothing_when_refused(client, login_as, db_session):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid, photos = complaint_with_photos(client, reporter)
    _other, foreign = complaint_with_photos(client, login_as("citizen"))
    for body in ({"reason": "tanpa perubahan"},
                 {"description": "Teks baru yang cukup panjang."},
                 {"description": "Teks baru yang cukup panjang.", "reason": "  "},
                 {"hide_photos": [foreign[0]], "reason": "foto orang lain"},
                 {"hide_photos": [photos[0], 999999], "reason": "satu tidak dikenal"},
                 {"hide_photos": [], "reason": "kosong"},
                 {"description": "pendek", "reason": "terlalu pendek"},
                 {"description": "Teks baru yang cukup panjang.", "reason": "ok", "extra": True}):
        response = client.post(f"{URL}/{cid}/moderation", json=body, headers=officer)
        assert response.status_code == 422, body
    db_session.expire_all()
    assert db_session.get(Complaint, cid).moderated_description is None
    assert not any(db_session.scalars(select(Photo.hidden).where(Photo.id.in_(photos + foreign))))


def test_who_may_moderate(client, login_as):
    reporter = login_as("citizen")
    cid, _photos = complaint_with_photos(client, reporter)
    body = {"description": "Teks publik yang lebih sopan.", "reason": "kata kasar"}
    assert client.post(f"{URL}/{cid}/moderation", json=body, headers=reporter).status_code == 403
    assert client.post(f"{URL}/{cid}/moderation", json=body, headers=login_as("officer", opd="DLH")).status_code == 404
    assert client.post(f"{URL}/{cid}/moderation", json=body, headers=login_as("admin")).status_code == 200


def test_the_public_sees_the_moderated_text_and_no_hidden_photo(client, login_as):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid, (face, road) = complaint_with_photos(client, reporter)
    client.post(f"{URL}/{cid}/moderation", json={"description": "Jalan rusak parah di depan pasar.",
                                                 "hide_photos": [face], "reason": "data pribadi"}, headers=officer)
    listed = client.get("/api/v1/rabeg/public/complaints?category=JALAN_RUSAK")
    assert listed.status_code == 200
    item = next(c for c in listed.get_json()["items"] if c["id"] == cid)
    assert item["description"] == "Jalan rusak parah di depan pasar."
    assert [p["id"] for p in item["photos"]] == [road]
    assert "0812" not in listed.get_data(as_text=True) and "data pribadi" not in listed.get_data(as_text=True)
