"""Assisted filing: an officer records a complaint a citizen brought in person, by phone, by letter or
from social media, on that citizen's behalf.

The complaint is routed, timed and followed like one filed in the app. A phone verified on an
account links it to that account (the citizen sees it in their list); otherwise the complainant's
name and phone are kept sealed, shown to the assigned OPD's officers only, and updates go to the
phone by SMS.
"""
from __future__ import annotations

import json

import pytest

from ragem.testing import account, audit_entries, dev_outbox, inbox, stored_text_containing

URL = "/api/v1/rabeg/complaints"
ASSISTED = f"{URL}/assisted"
WALK_IN = {"channel": "in_person", "complainant_name": "Ibu Siti Aminah", "category": "JALAN_RUSAK",
           "description": "Jalan berlubang di depan SD Negeri 3, sudah dua bulan.", "kelurahan": "36.73.01.1001",
           "lat": -6.12, "lon": 106.15}
STRANGER_PHONE = "0813-9988-7766"
STRANGER_E164 = "+6281399887766"


@pytest.fixture
def front_desk(login_as):
    """An officer of the health office (DINKES), where the citizen walked in."""
    return login_as("officer", opd="DINKES")


def record(client, headers, **fields):
    body = {name: value for name, value in {**WALK_IN, **fields}.items() if value is not None}
    return client.post(ASSISTED, json=body, headers=headers)


def recorded(client, headers, **fields) -> dict:
    answer = record(client, headers, **fields)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def phone_of(headers) -> str:
    return account(headers["X-Test-User-Id"]).phone


def test_a_walk_in_whose_phone_is_a_verified_account_gets_the_complaint_in_their_app(
        client, login_as, front_desk, db_session):
    citizen = login_as("citizen")
    local_notation = "0" + phone_of(citizen)[3:]  # +62812... as the citizen says it: 0812...
    receipt = recorded(client, front_desk, complainant_phone=local_notation)
    assert receipt["linked"] is True and receipt["channel"] == "in_person"
    assert receipt["opd"] == "DPUPR" and receipt["state"] == "assigned"  # routed by category, not by the desk
    assert receipt["public_number"].startswith("RBG-")

    [mine] = client.get(f"{URL}/mine", headers=citizen).get_json()["items"]
    assert mine["id"] == receipt["id"] and mine["channel"] == "in_person"
    detail = client.get(f"{URL}/{receipt['id']}", headers=citizen).get_json()
    submitted = detail["timeline"][0]
    assert submitted["to_state"] == "submitted"
    assert submitted["public_message"] == ("Pengaduan dicatat oleh petugas Dinas Kesehatan atas nama pelapor "
                                           "(datang langsung).")
    assert [n.kind for n in inbox(citizen["X-Test-User-Id"])] == ["rabeg.complaint.assigned"]
    # The account is the complainant: nothing of the person is copied into the complaint, nor texted.
    assert stored_text_containing("Siti Aminah") == []
    assert dev_outbox() == []


def test_a_phone_without_a_verified_account_links_nothing(client, login_as, front_desk, db_session):
    pending = login_as("citizen")
    account(pending["X-Test-User-Id"]).phone_verified_at = None  # registered, code never entered
    db_session.commit()
    for phone in (phone_of(pending), STRANGER_PHONE):
        receipt = recorded(client, front_desk, complainant_phone=phone)
        assert receipt["linked"] is False
    assert client.get(f"{URL}/mine", headers=login_as("citizen")).get_json()["items"] == []


def test_the_officer_who_recorded_it_is_named_in_the_timeline_and_the_audit(client, front_desk, db_session):
    receipt = recorded(client, front_desk, channel="phone", complainant_phone=STRANGER_PHONE)
    [entry] = audit_entries(action="rabeg.complaint.file", target_id=str(receipt["id"]))
    assert entry.actor_id == front_desk["X-Test-User-Id"]
    assert entry.after["source"] == "phone" and entry.after["on_behalf"] == "complainant"
    from plugins.rabeg.models import Complaint, TimelineEntry

    complaint = db_session.get(Complaint, receipt["id"])
    assert complaint.filed_by_id == front_desk["X-Test-User-Id"] and complaint.reporter_id is None
    first = db_session.query(TimelineEntry).filter_by(complaint_id=complaint.id, to_state="submitted").one()
    assert first.actor_id == front_desk["X-Test-User-Id"]


def test_citizens_may_not_record_for_others(client, login_as):
    answer = record(client, login_as("citizen"), complainant_phone=STRANGER_PHONE)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["details"]["required_permission"] == "rabeg.assist"


@pytest.mark.parametrize("fields, field", [
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"channel": "app"}, "channel"),  # app filings are the citizen's own: POST /complaints
    ({"channel": None}, "channel"),
    ({"complainant_name": "   "}, "complainant_name"),
    ({"complainant_name": None}, "complainant_name"),
    ({"complainant_phone": "12345"}, "complainant_phone"),
    ({"anonymous": True}, "anonymous"),
    ({"category": "NOPE"}, "category"),
])
def test_bad_input_is_a_json_error_and_files_nothing(client, login_as, front_desk, fields, field):
    answer = record(client, front_desk, **fields)
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert field in json.dumps(error["details"]), error
    admin = login_as("admin")
    assert client.get(f"{URL}?scope=all&state=all", headers=admin).get_json()["items"] == []


def test_a_complainant_without_an_account_gets_every_update_by_sms(client, login_as, front_desk, db_session):
    receipt = recorded(client, front_desk, complainant_phone=STRANGER_PHONE)
    officer = login_as("officer", opd="DPUPR")
    cid = receipt["id"]
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer).status_code == 200
    assert client.post(f"{URL}/{cid}/responses", json={"public_message": "Tim kami ke lokasi besok pagi."},
                       headers=officer).status_code == 201
    assert client.post(f"{URL}/{cid}/notes", json={"internal_note": "cek anggaran"}, headers=officer).status_code == 201
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "resolved", "public_message": "Lubang sudah ditambal."},
                       headers=officer).status_code == 200

    texts = [m for m in dev_outbox() if m.recipient == STRANGER_E164]
    assert [m.channel for m in texts] == ["sms"] * 4  # received, in progress, response, resolved; not the note
    number = receipt["public_number"]
    assert texts[0].body == (f"RAGEM: Pengaduan {number} diterima. Pengaduan Anda telah diterima dan langsung "
                             "diteruskan ke Dinas Pekerjaan Umum dan Penataan Ruang.")
    assert texts[1].body == f"RAGEM: Pengaduan {number} sedang ditangani. Status pengaduan: sedang ditangani."
    assert "Tim kami ke lokasi besok pagi." in texts[2].body and number in texts[2].body
    assert "Lubang sudah ditambal." in texts[3].body and "selesai ditangani" in texts[3].body
    assert all(m.user_id is None for m in texts)
    assert "cek anggaran" not in " ".join(m.body for m in dev_outbox())


def test_no_phone_no_sms_and_a_linked_account_is_told_in_the_app(client, login_as, front_desk, db_session):
    recorded(client, front_desk, channel="letter")
    citizen = login_as("citizen")
    linked = recorded(client, front_desk, complainant_phone=phone_of(citizen))
    officer = login_as("officer", opd="DPUPR")
    assert client.post(f"{URL}/{linked['id']}/transitions", json={"to": "in_progress"},
                       headers=officer).status_code == 200
    assert dev_outbox() == []
    assert [n.kind for n in inbox(citizen["X-Test-User-Id"])] == ["rabeg.complaint.assigned",
                                                                  "rabeg.complaint.in_progress"]


def test_only_the_assigned_opds_officers_see_the_complainant(client, login_as, front_desk, db_session):
    receipt = recorded(client, front_desk, complainant_phone=STRANGER_PHONE)
    cid = receipt["id"]
    seen = client.get(f"{URL}/{cid}", headers=login_as("officer", opd="DPUPR")).get_json()
    assert seen["reporter"] == {"name": "Ibu Siti Aminah", "phone": STRANGER_E164}
    assert seen["channel"] == "in_person"
    admin_view = client.get(f"{URL}/{cid}", headers=login_as("admin")).get_json()
    assert admin_view["reporter"] is None and "Siti" not in json.dumps(admin_view)
    # The desk that recorded it and any other OPD: the complaint is not theirs.
    assert client.get(f"{URL}/{cid}", headers=front_desk).status_code == 404
    assert client.get(f"{URL}/{cid}", headers=login_as("officer", opd="DLH")).status_code == 404
    queue = client.get(f"{URL}?scope=my-opd", headers=login_as("officer", opd="DPUPR"))
    assert "Siti" not in queue.get_data(as_text=True) and "99887766" not in queue.get_data(as_text=True)
    # Public views carry the complaint (a public record) but never the person.
    for url in ("/api/v1/rabeg/public/complaints", "/api/v1/rabeg/public/map", "/open311/v2/requests.json"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert receipt["public_number"] in answer.get_data(as_text=True), url
        assert "Siti" not in answer.get_data(as_text=True) and "99887766" not in answer.get_data(as_text=True), url
    # At rest: sealed, like every personal field.
    assert stored_text_containing("Siti Aminah", "81399887766") == []


def test_the_officer_may_attach_their_photos_and_retry_safely(client, front_desk):
    from plugins.rabeg.tests.test_rabeg_photos import png, upload

    photo = upload(client, front_desk, png(), "surat.png").get_json()["id"]
    headers = {**front_desk, "Idempotency-Key": "loket-1"}
    first = record(client, headers, photos=[photo], complainant_phone=STRANGER_PHONE)
    again = record(client, headers, photos=[photo], complainant_phone=STRANGER_PHONE)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    other = record(client, headers, photos=[photo], complainant_phone="0813-1111-2222")
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_the_queue_filters_by_channel(client, login_as, front_desk):
    citizen = login_as("citizen")
    fields = {k: WALK_IN[k] for k in ("category", "description", "kelurahan")}
    app_filed = client.post(URL, json=fields, headers=citizen).get_json()
    by_phone = recorded(client, front_desk, channel="phone")
    by_letter = recorded(client, front_desk, channel="letter")
    officer = login_as("officer", opd="DPUPR")

    def ids(query):
        answer = client.get(f"{URL}?scope=my-opd&{query}", headers=officer)
        assert answer.status_code == 200, answer.get_json()
        return {item["id"] for item in answer.get_json()["items"]}

    assert ids("channel=app") == {app_filed["id"]}
    assert ids("channel=phone,letter") == {by_phone["id"], by_letter["id"]}
    assert ids("channel=in_person") == set()
    assert client.get(f"{URL}?channel=fax", headers=officer).status_code == 422


def test_kpis_split_by_channel(client, login_as, front_desk, db_session):
    citizen = login_as("citizen")
    fields = {k: WALK_IN[k] for k in ("category", "description", "kelurahan")}
    for _ in range(2):
        assert client.post(URL, json=fields, headers=citizen).status_code == 201
    recorded(client, front_desk, channel="phone")
    recorded(client, front_desk, channel="in_person")
    today = client.get(f"{URL}/mine", headers=citizen).get_json()["items"][0]["created_at"][:10]
    from datetime import date, timedelta

    tomorrow = (date.fromisoformat(today) + timedelta(days=2)).isoformat()
    yesterday = (date.fromisoformat(today) - timedelta(days=2)).isoformat()
    answer = client.get(f"/api/v1/rabeg/kpis?from={yesterday}&to={tomorrow}&group_by=channel",
                        headers=login_as("admin")).get_json()
    assert answer["overall"]["received"] == 4
    assert {g["key"]: g["received"] for g in answer["groups"]} == {"app": 2, "in_person": 1, "phone": 1}

    from ragem import toolkit
    from plugins.rabeg.services.kpis import kpi_values

    period = toolkit.parse_period(today[:7])
    values = {v.key: v.value for v in kpi_values(period)}
    assert values["rabeg.app_share"] == 50.0 and values["rabeg.assisted_received"] == 2
    evaluation = client.get(f"/api/v1/admin/evaluation?period={today[:7]}", headers=login_as("admin"))
    assert evaluation.status_code == 200
    assert "rabeg.app_share" in evaluation.get_data(as_text=True)


def test_a_linked_citizen_who_erases_their_account_leaves_the_complaint_anonymous(
        client, login_as, front_desk, db_session):
    citizen = login_as("citizen")
    receipt = recorded(client, front_desk, complainant_phone=phone_of(citizen))
    exported = client.get("/api/v1/me/export", headers=citizen)
    assert exported.status_code == 200
    assert '"channel": "in_person"' in json.dumps(exported.get_json())
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    seen = client.get(f"{URL}/{receipt['id']}", headers=login_as("officer", opd="DPUPR")).get_json()
    assert seen["reporter"] is None and seen["channel"] == "in_person"


def test_an_officer_erases_a_complainant_without_an_account_at_their_request(client, login_as, front_desk, db_session):
    receipt = recorded(client, front_desk, complainant_phone=STRANGER_PHONE, address="Jl. Mawar 5")
    cid = receipt["id"]
    dlh = login_as("officer", opd="DLH")
    assert client.delete(f"{URL}/{cid}/complainant", json={"reason": "x"}, headers=dlh).status_code == 404
    officer = login_as("officer", opd="DPUPR")
    assert client.delete(f"{URL}/{cid}/complainant", json={}, headers=officer).status_code == 422
    answer = client.delete(f"{URL}/{cid}/complainant", json={"reason": "permintaan pelapor"}, headers=officer)
    assert answer.status_code == 200 and answer.get_json()["reporter"] is None
    assert client.get(f"{URL}/{cid}", headers=officer).get_json()["reporter"] is None
    [entry] = audit_entries(action="rabeg.complaint.complainant_erased")
    assert entry.reason == "permintaan pelapor" and entry.actor_id == officer["X-Test-User-Id"]
    sent = len(dev_outbox())
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer).status_code == 200
    assert len(dev_outbox()) == sent  # no phone left to text
    assert stored_text_containing("Siti Aminah", "81399887766", "Mawar") == []
    # A linked complaint is the citizen's to erase.
    linked = recorded(client, front_desk, complainant_phone=phone_of(login_as("citizen")))
    assert client.delete(f"{URL}/{linked['id']}/complainant", json={"reason": "x"},
                         headers=officer).status_code == 409


def test_an_officer_who_leaves_is_no_longer_named_on_what_they_recorded(client, login_as, db_session):
    desk = login_as("officer", opd="DINKES")
    receipt = recorded(client, desk, complainant_phone=STRANGER_PHONE)
    assert client.delete("/api/v1/me", headers=desk, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    from plugins.rabeg.models import Complaint, TimelineEntry

    db_session.expire_all()
    complaint = db_session.get(Complaint, receipt["id"])
    assert complaint.filed_by_id is None and complaint.complainant_name == "Ibu Siti Aminah"
    assert {e.actor_id for e in db_session.query(TimelineEntry).filter_by(complaint_id=complaint.id)} == {None}


def test_a_complainant_who_later_verifies_that_phone_finds_the_complaint_in_the_app(
        client, login_as, front_desk, db_session):
    import re

    receipt = recorded(client, front_desk, complainant_phone=STRANGER_PHONE)
    also = recorded(client, front_desk, channel="phone", complainant_phone=STRANGER_PHONE)
    registration = {"name": "Siti Aminah", "nik": "3673011708850001", "phone": STRANGER_PHONE,
                    "password": "Kopi-Tubruk-88"}
    assert client.post("/api/v1/auth/register", json=registration).status_code == 201
    # Registered but not verified: anyone may type any number, so nothing is linked yet.
    from plugins.rabeg.models import Complaint

    db_session.expire_all()
    assert db_session.get(Complaint, receipt["id"]).reporter_id is None
    [code_text] = [m for m in dev_outbox() if m.purpose == "otp.verify_phone"]
    code = re.search(r"\b(\d{6})\b", code_text.body).group(1)
    verified = client.post("/api/v1/auth/verify-phone", json={"phone": STRANGER_PHONE, "code": code})
    assert verified.status_code == 200, verified.get_json()
    citizen = {"Authorization": f"Bearer {verified.get_json()['access_token']}"}

    mine = client.get(f"{URL}/mine", headers=citizen).get_json()["items"]
    assert {item["id"] for item in mine} == {receipt["id"], also["id"]}
    assert stored_text_containing("Ibu Siti Aminah") == []  # the sealed copies are gone too
    texts_before = len([m for m in dev_outbox() if m.recipient == STRANGER_E164])
    officer = login_as("officer", opd="DPUPR")
    assert client.post(f"{URL}/{receipt['id']}/transitions", json={"to": "in_progress"},
                       headers=officer).status_code == 200
    # Now told in the app, no longer by SMS; the officer reads the profile (logged for the citizen).
    assert len([m for m in dev_outbox() if m.recipient == STRANGER_E164]) == texts_before
    seen = client.get(f"{URL}/{receipt['id']}", headers=officer).get_json()
    assert seen["reporter"] == {"name": "Siti Aminah", "phone": STRANGER_E164}
    assert client.get("/api/v1/me/access-log", headers=citizen).get_json()["items"]


def test_a_duplicate_tells_the_complainant_the_original_number_without_promising_news(
        client, login_as, front_desk, db_session):
    original = client.post(URL, json={k: WALK_IN[k] for k in ("category", "description", "kelurahan")},
                           headers=login_as("citizen")).get_json()
    receipt = recorded(client, front_desk, complainant_phone=STRANGER_PHONE)
    officer = login_as("officer", opd="DPUPR")
    answer = client.post(f"{URL}/{receipt['id']}/duplicate", json={"original_id": original["id"]}, headers=officer)
    assert answer.status_code == 200, answer.get_json()
    last = [m for m in dev_outbox() if m.recipient == STRANGER_E164][-1]
    assert original["public_number"] in last.body and "akan menerima kabar" not in last.body
