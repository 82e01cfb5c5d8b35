"""Officers' public responses (with photos, from templates) and internal notes."""
import io

from PIL import Image
from sqlalchemy import func, select

from plugins.rabeg.models import Photo, TimelineEntry

URL = "/api/v1/rabeg/complaints"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (10, 90, 200)).save(out, "JPEG")
    return out.getvalue()


def upload(client, headers):
    response = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg()), "after.jpg")},
                           headers=headers, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def inbox(client, headers):
    return client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]


def test_a_response_reaches_the_reporter_and_stops_the_first_response_clock(client, login_as, file_complaint):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file_complaint(reporter)["id"]
    answer = client.post(f"{URL}/{cid}/responses", json={"public_message": "Tim kami akan survei besok pagi."},
                         headers=officer)
    assert answer.status_code == 201, answer.get_json()
    detail = answer.get_json()
    assert detail["state"] == "assigned" and detail["first_responded_at"]
    last = detail["timeline"][-1]
    assert last["kind"] == "response" and last["from_state"] == last["to_state"] == "assigned"
    seen = client.get(f"{URL}/{cid}", headers=reporter).get_json()
    assert seen["timeline"][-1]["public_message"] == "Tim kami akan survei besok pagi."
    messages = [n for n in inbox(client, reporter) if n["kind"] == "rabeg.complaint.response"]
    assert len(messages) == 1 and "survei besok" in str(messages[0])
    # A later response does not move the first-response time.
    later = client.post(f"{URL}/{cid}/responses", json={"public_message": "Survei selesai."}, headers=officer)
    assert later.get_json()["first_responded_at"] == detail["first_responded_at"]


def test_a_response_with_photos_attaches_them(client, login_as, db_session, file_complaint):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file_complaint(reporter)["id"]
    photos = [upload(client, officer), upload(client, officer)]
    answer = client.post(f"{URL}/{cid}/responses", json={"public_message": "Foto sesudah perbaikan.", "photos": photos},
                         headers=officer)
    assert answer.status_code == 201, answer.get_json()
    shown = client.get(f"{URL}/{cid}", headers=reporter).get_json()["photos"]
    assert [p["id"] for p in shown if p["kind"] == "response"] == photos
    entry = client.get(f"{URL}/{cid}", headers=reporter).get_json()["timeline"][-1]
    assert entry["kind"] == "response" and entry["photos"] == photos
    entry_id = db_session.scalar(select(TimelineEntry.id).where(TimelineEntry.complaint_id == cid,
                                                                 TimelineEntry.kind == "response"))
    assert set(db_session.scalars(select(Photo.timeline_entry_id).where(Photo.id.in_(photos)))) == {entry_id}
    # Someone else's photo (the reporter's free upload) cannot be attached: 422, nothing recorded.
    foreign = upload(client, reporter)
    refused = client.post(f"{URL}/{cid}/responses", json={"public_message": "Lagi.", "photos": [foreign]},
                          headers=officer)
    assert refused.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(TimelineEntry)
                             .where(TimelineEntry.complaint_id == cid, TimelineEntry.kind == "response")) == 1


def test_a_response_from_a_template_uses_its_indonesian_text(client, login_as, file_complaint):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file_complaint(reporter)["id"]
    templates = client.get("/api/v1/rabeg/response-templates?category=JALAN_RUSAK&state=assigned",
                           headers=officer).get_json()["items"]
    generic = next(t for t in templates if t["state"] is None)
    answer = client.post(f"{URL}/{cid}/responses", json={"template_id": generic["id"]}, headers=officer)
    assert answer.status_code == 201
    assert answer.get_json()["timeline"][-1]["public_message"] == generic["body_id"]
    # The officer's own words win over the template's.
    own = client.post(f"{URL}/{cid}/responses", json={"template_id": generic["id"], "public_message": "Kata saya."},
                      headers=officer)
    assert own.get_json()["timeline"][-1]["public_message"] == "Kata saya."


def test_a_response_needs_a_message_or_a_fitting_template(client, login_as, file_complaint):
    officer = login_as("officer", opd="DPUPR")
    cid = file_complaint(login_as("citizen"))["id"]
    for body in ({}, {"public_message": ""}, {"public_message": "   "}, {"template_id": 999999},
                 {"public_message": "x", "extra": 1}, {"photos": "abc", "public_message": "x"}):
        response = client.post(f"{URL}/{cid}/responses", json=body, headers=officer)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"]
    # A template of another category does not fit a road complaint.
    rubbish = client.get("/api/v1/rabeg/response-templates?category=SAMPAH", headers=officer).get_json()["items"]
    other = next(t for t in rubbish if t["category"] == "SAMPAH")
    assert client.post(f"{URL}/{cid}/responses", json={"template_id": other["id"]}, headers=officer).status_code == 422
    detail = client.get(f"{URL}/{cid}", headers=officer).get_json()
    assert detail["first_responded_at"] is None
    assert [e["kind"] for e in detail["timeline"]] == ["transition", "transition"]


def test_notes_are_for_staff_only_and_tell_nobody(client, login_as, file_complaint):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file_complaint(reporter)["id"]
    before = len(inbox(client, reporter))
    note = client.post(f"{URL}/{cid}/notes", json={"internal_note": "RAHASIA: kontraktor lama bermasalah"},
                       headers=officer)
    assert note.status_code == 201
    assert note.get_json()["timeline"][-1] == {**note.get_json()["timeline"][-1], "kind": "note",
                                               "internal_note": "RAHASIA: kontraktor lama bermasalah"}
    # A note is no response: the first-response clock keeps running.
    assert note.get_json()["first_responded_at"] is None
    assert len(inbox(client, reporter)) == before
    seen = client.get(f"{URL}/{cid}", headers=reporter)
    assert "RAHASIA" not in seen.get_data(as_text=True)
    assert all(e["kind"] != "note" for e in seen.get_json()["timeline"])
    admin_view = client.get(f"{URL}/{cid}", headers=login_as("admin")).get_json()
    assert any(e.get("internal_note") == "RAHASIA: kontraktor lama bermasalah" for e in admin_view["timeline"])
    assert client.post(f"{URL}/{cid}/notes", json={"internal_note": ""}, headers=officer).status_code == 422


def test_only_the_assigned_opd_responds(client, login_as, file_complaint):
    reporter = login_as("citizen")
    cid = file_complaint(reporter)["id"]
    say = {"public_message": "Halo"}
    assert client.post(f"{URL}/{cid}/responses", json=say, headers=reporter).status_code == 403
    assert client.post(f"{URL}/{cid}/responses", json=say, headers=login_as("officer", opd="DLH")).status_code == 404
    assert client.post(f"{URL}/{cid}/notes", json={"internal_note": "x"},
                       headers=login_as("officer", opd="DLH")).status_code == 404
    assert client.post(f"{URL}/999999/responses", json=say, headers=login_as("admin")).status_code == 404
    assert client.post(f"{URL}/{cid}/responses", json=say, headers=login_as("admin")).status_code == 201
