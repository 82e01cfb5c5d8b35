"""A citizen's complaints in their summary and export, and anonymised (not deleted) on erasure."""
from sqlalchemy import select

from plugins.rabeg.models import Complaint

URL = "/api/v1/rabeg/complaints"


def _file(client, headers, key):
    body = {"category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.",
            "kelurahan": "36.73.01.1001", "address": "Jl. Maulana Yusuf 3"}
    response = client.post(URL, json=body, headers={**headers, "Idempotency-Key": key})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_summary_and_export_show_the_citizens_own_complaints(client, login_as):
    citizen, other = login_as("citizen"), login_as("citizen")
    mine = _file(client, citizen, "a-1")
    _file(client, other, "b-1")
    section = client.get("/api/v1/me/summary", headers=citizen).get_json()["sections"]["rabeg"]
    assert section["open_complaints"] == 1
    assert section["latest"][0]["public_number"] == mine["public_number"]
    exported = client.get("/api/v1/me/export", headers=citizen).get_json()
    numbers = [c["public_number"] for c in exported["services"]["rabeg"]["complaints"]]
    assert numbers == [mine["public_number"]]


def test_erasure_keeps_the_complaint_without_the_reporter(client, login_as, app):
    citizen = login_as("citizen")
    filed = _file(client, citizen, "c-1")
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with app.app_context():
        from ragem.toolkit import db

        complaint = db.session.scalar(select(Complaint).where(Complaint.public_number == filed["public_number"]))
        assert complaint is not None
        assert complaint.reporter_id is None and complaint.address is None


def test_the_export_holds_answers_verdicts_what_the_citizen_was_told_and_what_they_supported(client, login_as):
    citizen, neighbour = login_as("citizen"), login_as("citizen")
    officer = login_as("officer", opd="DLH")
    mine = _file(client, citizen, "e-1")
    theirs = _file(client, neighbour, "e-2")
    assert client.post(f"{URL}/{theirs['id']}/support", headers=citizen).status_code == 201
    for body in ({"to": "resolved", "public_message": "Sudah diangkut.", "internal_note": "truk 7"},):
        assert client.post(f"{URL}/{mine['id']}/transitions", json=body, headers=officer).status_code == 200
    verdict = client.post(f"{URL}/{mine['id']}/confirmation", json={"fixed": True, "rating": 4}, headers=citizen)
    assert verdict.status_code == 200, verdict.get_json()

    exported = client.get("/api/v1/me/export", headers=citizen).get_json()["services"]["rabeg"]
    [complaint] = exported["complaints"]
    assert complaint["category"] == "SAMPAH" and complaint["confirmation"] == "fixed" and complaint["rating"] == 4
    told = [e["public_message"] for e in complaint["timeline"]]
    assert "Sudah diangkut." in told and "truk 7" not in str(exported)
    assert exported["supported"][0]["public_number"] == theirs["public_number"]


def test_erasure_forgets_who_acted_on_the_timeline(client, login_as, app):
    citizen = login_as("citizen")
    filed = _file(client, citizen, "f-1")
    user_id = citizen["X-Test-User-Id"]
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with app.app_context():
        from ragem.toolkit import db
        from plugins.rabeg.models import TimelineEntry

        actors = set(db.session.scalars(select(TimelineEntry.actor_id).where(TimelineEntry.complaint_id == filed["id"])))
        assert user_id not in actors and actors == {None}
