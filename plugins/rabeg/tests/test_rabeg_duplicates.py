"""Duplicates: the duplicate is rejected and points to the original; its people follow the original, counted once."""
from sqlalchemy import select

from plugins.rabeg.models import Complaint, Supporter

URL = "/api/v1/rabeg/complaints"


def support(client, cid, headers):
    assert client.post(f"{URL}/{cid}/support", headers=headers).status_code in (200, 201)


def mark(client, cid, headers, original_id, **extra):
    return client.post(f"{URL}/{cid}/duplicate", json={"original_id": original_id, **extra}, headers=headers)


def uid(headers):
    return headers["X-Test-User-Id"]


def test_a_duplicate_merges_into_the_original(client, login_as, db_session, file_complaint):
    first, second, fan, both = login_as("citizen"), login_as("citizen"), login_as("citizen"), login_as("citizen")
    officer = login_as("officer", opd="DPUPR")
    original = file_complaint(first)["id"]
    duplicate = file_complaint(second)["id"]
    support(client, duplicate, fan)
    support(client, duplicate, both)
    support(client, original, both)  # already supports the original: not counted twice
    support(client, duplicate, first)  # the original's own reporter: never their own supporter
    answer = mark(client, duplicate, officer, original)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    number = client.get(f"{URL}/{original}", headers=first).get_json()["public_number"]
    assert body["state"] == "rejected" and body["duplicate_of"] == number
    assert body["first_responded_at"]  # the merge answers the reporter
    assert body["timeline"][-1]["kind"] == "duplicate" and number in body["timeline"][-1]["public_message"]
    assert "reason: duplicate" in body["timeline"][-1]["internal_note"]
    supporters = set(db_session.scalars(select(Supporter.user_id).where(Supporter.complaint_id == original)))
    assert supporters == {uid(second), uid(fan), uid(both)}
    assert db_session.get(Complaint, original).supporters_count == 3
    # The duplicate's reporter sees where it went, and is told; so are its supporters.
    seen = client.get(f"{URL}/{duplicate}", headers=second).get_json()
    assert seen["duplicate_of"] == number and seen["state"] == "rejected"
    for person in (second, fan):
        notes = client.get("/api/v1/me/notifications", headers=person).get_json()["items"]
        assert any(n["kind"] == "rabeg.complaint.duplicate" for n in notes)
    # From now on they hear about the original's progress.
    client.post(f"{URL}/{original}/transitions", json={"to": "in_progress"}, headers=officer)
    notes = client.get("/api/v1/me/notifications", headers=fan).get_json()["items"]
    assert any(n["kind"] == "rabeg.complaint.in_progress" for n in notes)
    # The original's timeline records the merge.
    assert any(e["kind"] == "duplicate" for e in client.get(f"{URL}/{original}", headers=officer).get_json()["timeline"])


def test_the_original_must_be_valid(client, login_as, db_session, file_complaint):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    root = file_complaint(citizen)["id"]
    merged = file_complaint(citizen)["id"]
    assert mark(client, merged, officer, root).status_code == 200
    candidate = file_complaint(citizen)["id"]
    # Itself a duplicate: refused, pointing to the root.
    chained = mark(client, candidate, officer, merged)
    assert chained.status_code == 422
    assert chained.get_json()["error"]["details"]["root_id"] == root
    # The same complaint, an unknown one, one the officer may not see (another OPD's): 422 alike.
    assert mark(client, candidate, officer, candidate).status_code == 422
    assert mark(client, candidate, officer, 999999).status_code == 422
    elsewhere = file_complaint(citizen, category="SAMPAH")["id"]
    hidden = mark(client, candidate, officer, elsewhere)
    assert hidden.status_code == 422 and hidden.get_json()["error"]["details"]["problem"] == "unknown"
    # A closed or rejected original: 409.
    rejected = file_complaint(citizen)["id"]
    client.post(f"{URL}/{rejected}/transitions", json={"to": "rejected", "reason": "invalid"}, headers=officer)
    assert mark(client, candidate, officer, rejected).status_code == 409
    assert mark(client, candidate, officer, "abc").status_code == 422
    db_session.expire_all()
    assert db_session.get(Complaint, candidate).state == "assigned"
    assert db_session.get(Complaint, candidate).duplicate_of_id is None


def test_a_final_complaint_cannot_become_a_duplicate(client, login_as, file_complaint):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    original, done = file_complaint(citizen)["id"], file_complaint(citizen)["id"]
    client.post(f"{URL}/{done}/transitions", json={"to": "rejected", "reason": "invalid"}, headers=officer)
    refused = mark(client, done, officer, original)
    assert refused.status_code == 409 and refused.get_json()["error"]["details"] == {"from": "rejected", "to": "rejected"}


def test_who_may_mark_duplicates(client, login_as, file_complaint):
    citizen = login_as("citizen")
    original, duplicate = file_complaint(citizen)["id"], file_complaint(citizen)["id"]
    assert mark(client, duplicate, citizen, original).status_code == 403
    assert mark(client, duplicate, login_as("citizen"), original).status_code == 403  # no rabeg.handle at all
    assert mark(client, duplicate, login_as("officer", opd="DLH"), original).status_code == 404
    assert mark(client, duplicate, login_as("admin"), original).status_code == 200
