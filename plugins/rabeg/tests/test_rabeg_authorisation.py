"""Who may see and act on a complaint: its reporter, the assigned OPD's officers and admins; internal notes never
reach a citizen."""
import json

import pytest
from sqlalchemy import func, select

from plugins.rabeg.models import Complaint, TimelineEntry

URL = "/api/v1/rabeg/complaints"
SECRET = "RAHASIA-INTERNAL-7731"

# Every action on one complaint, with a body that would succeed for the assigned OPD.
ACTIONS = [
    ("transitions", {"to": "in_progress", "internal_note": "x"}),
    ("responses", {"public_message": "Halo"}),
    ("notes", {"internal_note": "x"}),
    ("moderation", {"description": "Teks publik yang lebih sopan.", "reason": "kata kasar"}),
    ("reroute", {"opd": "DISPERKIM", "reason": "salah OPD"}),
    ("confirmation", {"fixed": True, "rating": 5}),
    ("duplicate", {"original_id": None}),
]


def act(client, cid, action, body, headers, original):
    if action == "duplicate":
        body = {"original_id": original}
    return client.post(f"{URL}/{cid}/{action}", json=body, headers=headers)


def entries(db_session, cid):
    return db_session.scalar(select(func.count()).select_from(TimelineEntry).where(TimelineEntry.complaint_id == cid))


@pytest.mark.parametrize("action,body", ACTIONS, ids=[a for a, _ in ACTIONS])
def test_an_officer_of_another_opd_gets_404_for_everything(action, body, client, login_as, db_session, file_complaint):
    reporter = login_as("citizen")
    cid, original = file_complaint(reporter)["id"], file_complaint(reporter)["id"]
    stranger = login_as("officer", opd="DLH")
    before = entries(db_session, cid)
    assert client.get(f"{URL}/{cid}", headers=stranger).status_code == 404
    response = act(client, cid, action, body, stranger, original)
    assert response.status_code == 404, (action, response.get_json())
    # The same answer as for a complaint that does not exist: nothing to learn.
    assert act(client, 999999, action, body, stranger, original).status_code == 404
    assert entries(db_session, cid) == before
    assert cid not in [c["id"] for c in client.get(f"{URL}?scope=my-opd", headers=stranger).get_json()["items"]]


@pytest.mark.parametrize("action,body", ACTIONS, ids=[a for a, _ in ACTIONS])
def test_a_citizen_cannot_see_or_act_on_another_citizens_complaint(action, body, client, login_as, db_session, file_complaint):
    reporter, other = login_as("citizen"), login_as("citizen")
    cid, original = file_complaint(reporter)["id"], file_complaint(reporter)["id"]
    before = entries(db_session, cid)
    assert client.get(f"{URL}/{cid}", headers=other).status_code == 404
    assert cid not in [c["id"] for c in client.get(f"{URL}/mine", headers=other).get_json()["items"]]
    response = act(client, cid, action, body, other, original)
    unknown = act(client, 999999, action, body, other, original)
    # The confirmation is a citizen's action: 404 as for an unknown complaint. Staff actions refuse a
    # citizen outright (403 without the officer permission), the same answer for every id.
    assert response.status_code == (404 if action == "confirmation" else 403), (action, response.get_json())
    assert unknown.status_code == response.status_code
    assert entries(db_session, cid) == before


def test_internal_notes_never_reach_a_citizen(client, login_as, db_session, file_complaint):
    reporter, supporter = login_as("citizen"), login_as("citizen")
    officer, admin = login_as("officer", opd="DPUPR"), login_as("admin")
    cid = file_complaint(reporter)["id"]
    client.post(f"{URL}/{cid}/support", headers=supporter)
    steps = [
        (f"{URL}/{cid}/notes", {"internal_note": f"{SECRET} catatan"}, officer),
        (f"{URL}/{cid}/transitions", {"to": "in_progress", "internal_note": f"{SECRET} transisi",
                                      "public_message": "Sedang dikerjakan."}, officer),
        (f"{URL}/{cid}/reroute", {"opd": "DISPERKIM", "reason": f"{SECRET} alasan"}, admin),
        (f"{URL}/{cid}/reroute", {"opd": "DPUPR", "reason": f"{SECRET} kembali"}, admin),
        (f"{URL}/{cid}/responses", {"public_message": "Kami cek lokasi."}, officer),
        (f"{URL}/{cid}/transitions", {"to": "resolved", "internal_note": f"{SECRET} selesai"}, officer),
        (f"{URL}/{cid}/confirmation", {"fixed": False, "rating": 2}, reporter),
        (f"{URL}/{cid}/transitions", {"to": "rejected", "reason": "invalid", "internal_note": f"{SECRET} tolak"},
         officer),
    ]
    for url, body, headers in steps:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code in (200, 201), (url, response.get_json())
    # Staff read every note...
    staff_view = client.get(f"{URL}/{cid}", headers=officer).get_data(as_text=True)
    assert staff_view.count(SECRET) == 6
    assert db_session.scalar(select(Complaint.state).where(Complaint.id == cid)) == "rejected"
    # ...no citizen-facing answer carries one.
    for headers in (reporter, supporter):
        seen = [
            client.get(f"{URL}/{cid}", headers=headers),
            client.get(f"{URL}/mine", headers=headers),
            client.get("/api/v1/me/notifications?limit=100", headers=headers),
            client.get("/api/v1/me/export", headers=headers),
            client.get("/api/v1/me/summary", headers=headers),
        ]
        # A supporter follows through the inbox and the public view; the detail is the reporter's.
        assert seen[0].status_code == (200 if headers is reporter else 404)
        for response in seen[1:]:
            assert response.status_code == 200, response.request.path
        for response in seen:
            text = json.dumps(response.get_json()) if response.is_json else response.get_data(as_text=True)
            assert SECRET not in text, response.request.path
            assert "internal_note" not in text, response.request.path
    detail = client.get(f"{URL}/{cid}", headers=reporter).get_json()
    assert all(e["kind"] != "note" for e in detail["timeline"])
    kinds = [n["kind"] for n in client.get("/api/v1/me/notifications?limit=100", headers=supporter).get_json()["items"]]
    assert "rabeg.complaint.rejected" in kinds  # the supporter follows it, just never reads the notes
