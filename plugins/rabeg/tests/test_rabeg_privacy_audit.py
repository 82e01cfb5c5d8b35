"""A fresh-eyes privacy audit of RABEG: each test is a way an answer could show something to someone
who may not see it, checked through the API the way that person would ask."""
import io
import json

import pytest
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plugins.rabeg.services.lifecycle import change_state
from plugins.rabeg.models import Complaint, TimelineEntry
from ragem import toolkit
from ragem.toolkit import utcnow

URL = "/api/v1/rabeg/complaints"
OPEN311 = "/open311/v2"
PHONE = "0812-3456-7890"


@pytest.fixture
def complaint_fields(complaint_fields):
    """This module's complaints: the shared defaults with the fields its tests rely on."""
    return {**complaint_fields, "lat": -6.12, "lon": 106.15}


def open311_texts(client, number):
    """Everything Open311 GET shows about complaint ``number``: the list and the single request, JSON and XML."""
    answers = [client.get(f"{OPEN311}/requests.json?service_request_id={number}"),
               client.get(f"{OPEN311}/requests/{number}.json"),
               client.get(f"{OPEN311}/requests/{number}.xml")]
    for answer in answers:
        assert answer.status_code == 200, answer.get_data(as_text=True)
    return [answer.get_data(as_text=True) for answer in answers]


def test_open311_status_notes_never_carry_the_reporters_confirmation_comment(client, login_as, file_complaint):
    # The reporter's verdict comment is their own words to the OPD ("not sent to the supporters"):
    # it may hold their name or phone, and Open311 GET is public.
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    complaint = file_complaint(reporter)
    cid, number = complaint["id"], complaint["public_number"]
    resolved = client.post(f"{URL}/{cid}/transitions", headers=officer,
                           json={"to": "resolved", "public_message": "Lubang sudah ditambal."})
    assert resolved.status_code == 200, resolved.get_json()
    comment = f"Belum beres, hubungi saya Budi di {PHONE}."
    verdict = client.post(f"{URL}/{cid}/confirmation", headers=reporter,
                          json={"fixed": False, "rating": 1, "comment": comment})
    assert verdict.status_code == 200, verdict.get_json()
    for text in open311_texts(client, number):
        assert PHONE not in text and "Budi" not in text
    single = client.get(f"{OPEN311}/requests/{number}.json").get_json()[0]
    assert single["status"] == "open" and single["status_notes"] == "Lubang sudah ditambal."
    # The reporter and the OPD still read it on the timeline.
    for headers in (reporter, officer):
        timeline = client.get(f"{URL}/{cid}", headers=headers).get_json()["timeline"]
        assert timeline[-1]["kind"] == "confirmation" and timeline[-1]["public_message"] == comment


def test_open311_status_notes_never_carry_the_moderation_reason_told_to_the_reporter(client, login_as, file_complaint):
    # The moderation message goes to the reporter alone and names why their text was replaced
    # (often the very personal data removed); the public view shows only the replaced text.
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    complaint = file_complaint(reporter, description=f"Jalan rusak parah, telepon saya {PHONE}.")
    cid, number = complaint["id"], complaint["public_number"]
    reason = f"Menghapus nomor HP pelapor {PHONE}"
    moderated = client.post(f"{URL}/{cid}/moderation", headers=officer,
                            json={"description": "Jalan rusak parah di depan pasar.", "reason": reason})
    assert moderated.status_code == 200, moderated.get_json()
    for text in open311_texts(client, number):
        assert PHONE not in text and "Menghapus" not in text
    listed = client.get(f"{OPEN311}/requests.json").get_json()
    item = next(r for r in listed if r["service_request_id"] == number)
    assert item["description"] == "Jalan rusak parah di depan pasar."
    assert "Menghapus" not in json.dumps(item)
    # The reporter is still told why, on their timeline.
    timeline = client.get(f"{URL}/{cid}", headers=reporter).get_json()["timeline"]
    assert timeline[-1]["kind"] == "moderation" and reason in timeline[-1]["public_message"]


def test_an_anonymous_reports_timeline_names_no_one_after_the_reporters_verdict(client, login_as, db_session, file_complaint):
    # Filing already records no actor for an anonymous report ("officers read the timeline"); the
    # reporter's later verdict must not put their account on it either.
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file_complaint(reporter, anonymous=True)["id"]
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer).status_code == 200
    verdict = client.post(f"{URL}/{cid}/confirmation", json={"fixed": False, "rating": 2}, headers=reporter)
    assert verdict.status_code == 200, verdict.get_json()
    actors = set(db_session.scalars(select(TimelineEntry.actor_id).where(TimelineEntry.complaint_id == cid)))
    assert reporter["X-Test-User-Id"] not in actors


def test_an_officer_who_read_the_complaint_before_a_reroute_cannot_change_it_after(client, login_as, db_session, file_complaint):
    # The old OPD loses the complaint the moment the re-routing commits, also for a state change
    # that checked access just before (the officer's request raced the admin's).
    cid = file_complaint(login_as("citizen"))["id"]
    stale = db_session.get(Complaint, cid)  # what the DPUPR officer's request read and checked
    assert (stale.opd_code, stale.state) == ("DPUPR", "assigned")
    with Session(toolkit.db.engine) as other:  # meanwhile the admin's re-routing commits
        other.execute(update(Complaint).where(Complaint.id == cid).values(opd_code="DISPERKIM"))
        other.commit()
    with pytest.raises(toolkit.Conflict):
        change_state(stale, "in_progress", utcnow())
    db_session.expire_all()
    assert db_session.get(Complaint, cid).state == "assigned"


def test_a_supporters_inbox_carries_no_internal_note_reason_comment_or_officer(client, login_as, file_complaint):
    # Checked in the audit and kept as a guard: supporters are told about every change, but only
    # what the public may read (no internal note, re-routing reason, moderation notice, the
    # reporter's own comment, or who acted).
    reporter, supporter = login_as("citizen"), login_as("citizen")
    officer, admin = login_as("officer", opd="DPUPR"), login_as("admin")
    cid = file_complaint(reporter)["id"]
    assert client.post(f"{URL}/{cid}/support", headers=supporter).status_code == 201
    secret = "RAHASIA-9931"
    steps = [
        (f"{URL}/{cid}/notes", {"internal_note": f"catatan {secret}"}, officer),
        (f"{URL}/{cid}/reroute", {"opd": "DISPERKIM", "reason": f"alasan {secret}"}, admin),
        (f"{URL}/{cid}/reroute", {"opd": "DPUPR", "reason": f"kembali {secret}"}, admin),
        (f"{URL}/{cid}/transitions", {"to": "in_progress", "internal_note": f"internal {secret}"}, officer),
        (f"{URL}/{cid}/moderation", {"description": "Jalan berlubang di depan pasar.", "reason": f"mod {secret}"},
         officer),
        (f"{URL}/{cid}/transitions", {"to": "resolved", "internal_note": f"selesai {secret}"}, officer),
        (f"{URL}/{cid}/confirmation", {"fixed": False, "rating": 1, "comment": f"komentar {secret}"}, reporter),
    ]
    for url, body, headers in steps:
        answer = client.post(url, json=body, headers=headers)
        assert answer.status_code in (200, 201), (url, answer.get_json())
    inbox = client.get("/api/v1/me/notifications?limit=100", headers=supporter).get_json()["items"]
    assert len([n for n in inbox if n["kind"].startswith("rabeg.")]) >= 5
    text = json.dumps(inbox)
    assert secret not in text
    for headers in (officer, admin, reporter):
        assert headers["X-Test-User-Id"] not in text


def test_a_hidden_photo_gets_no_new_link_in_public_answers(client, login_as, file_complaint):
    # Checked in the audit and kept as a guard: once moderated, a photo's signed link goes only to
    # the OPD's staff (not to the public list, Open311's media_url, or the reporter's own view).
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    ids = []
    for colour in ((200, 0, 0), (0, 200, 0)):
        out = io.BytesIO()
        Image.new("RGB", (60, 40), colour).save(out, "JPEG")
        uploaded = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(out.getvalue()), "p.jpg")},
                               headers=reporter, content_type="multipart/form-data")
        assert uploaded.status_code == 201, uploaded.get_json()
        ids.append(uploaded.get_json()["id"])
    complaint = file_complaint(reporter, photos=ids)
    cid, number = complaint["id"], complaint["public_number"]
    face = ids[0]
    face_file = next(p["url"] for p in complaint["photos"] if p["id"] == face).split("?")[0]
    moderated = client.post(f"{URL}/{cid}/moderation", json={"hide_photos": [face], "reason": "wajah orang"},
                            headers=officer)
    assert moderated.status_code == 200, moderated.get_json()
    assert face_file in json.dumps(moderated.get_json())  # staff still see it, flagged
    answers = [client.get("/api/v1/rabeg/public/complaints"), client.get(f"{URL}/{cid}", headers=reporter),
               *[client.get(f"{OPEN311}/requests/{number}.{fmt}") for fmt in ("json", "xml")]]
    for answer in answers:
        assert answer.status_code == 200
        assert face_file not in answer.get_data(as_text=True)
    media = client.get(f"{OPEN311}/requests/{number}.json").get_json()[0]["media_url"]
    assert media and "/api/v1/files/" in media  # the visible photo took its place
