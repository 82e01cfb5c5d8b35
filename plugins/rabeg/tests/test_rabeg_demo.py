"""`ragem demo load` gives RABEG something to show: complaints filed and handled like real ones, once."""
from sqlalchemy import func, select

from ragem.testing import DEMO_PASSWORD, load_demo
from ragem.toolkit import db

from plugins.rabeg.models import Complaint, TimelineEntry


def log_in(client, phone):
    answer = client.post("/api/v1/auth/login", json={"identifier": phone, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_demo_complaints_are_filed_routed_and_handled_once(app, client):
    with app.app_context():
        logins = {row["key"]: row for row in load_demo()}
        counts = (db.session.scalar(select(func.count()).select_from(Complaint)),
                  db.session.scalar(select(func.count()).select_from(TimelineEntry)))
        load_demo()  # a second run finds them all and changes nothing
        again = (db.session.scalar(select(func.count()).select_from(Complaint)),
                 db.session.scalar(select(func.count()).select_from(TimelineEntry)))
    assert counts[0] == 5 and again == counts

    public = client.get("/api/v1/rabeg/public/complaints").get_json()["items"]
    assert {c["state"] for c in public} == {"assigned", "in_progress", "resolved"}
    assert len(client.get("/api/v1/rabeg/public/map").get_json()["features"]) == 5

    citizen = log_in(client, logins["citizen2"]["phone"])
    mine = client.get("/api/v1/rabeg/complaints/mine", headers=citizen).get_json()["items"]
    resolved = [c for c in mine if c["state"] == "resolved"]
    assert len(resolved) == 1 and resolved[0]["opd"] == "DISPERKIM"
    detail = client.get(f"/api/v1/rabeg/complaints/{resolved[0]['id']}", headers=citizen).get_json()
    assert "Ganti 3 lampu" not in str(detail)  # the officer's internal note stays with the OPD

    officer = log_in(client, logins["officer-DPUPR"]["phone"])
    queue = client.get("/api/v1/rabeg/complaints", headers=officer).get_json()["items"]
    assert {c["category"] for c in queue} == {"JALAN_RUSAK", "BANJIR"}
