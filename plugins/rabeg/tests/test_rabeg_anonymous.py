"""Anonymous reports (officers never learn who filed) and the reporter's name shown only when allowed."""
import json

from sqlalchemy import select

from plugins.rabeg.models import Complaint

URL = "/api/v1/rabeg/complaints"


def body(**overrides):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001", "address": "Jl. Ahmad Yani 10"}
    data.update(overrides)
    return data


def _user_id(headers):
    return headers["X-Test-User-Id"]


def test_anonymous_report_reaches_the_opd_without_the_reporter(client, login_as, db_session):
    citizen = login_as("citizen")
    filed = client.post(URL, json=body(anonymous=True, show_name_publicly=True), headers=citizen)
    assert filed.status_code == 201, filed.get_json()
    complaint = filed.get_json()
    assert complaint["anonymous"] is True and complaint["show_name_publicly"] is False
    # The reporter still follows it.
    mine = client.get(f"{URL}/mine", headers=citizen).get_json()["items"]
    assert [c["id"] for c in mine] == [complaint["id"]]
    assert client.get(f"{URL}/{complaint['id']}", headers=citizen).status_code == 200
    # Nothing an officer or admin reads names the reporter.
    reporter_id = _user_id(citizen)
    stored = db_session.get(Complaint, complaint["id"])
    assert stored.reporter_display_name is None
    officer, admin = login_as("officer", opd="DPUPR"), login_as("admin")
    outputs = [
        client.get(f"{URL}/{complaint['id']}", headers=officer),
        client.get(f"{URL}?scope=my-opd", headers=officer),
        client.get(f"{URL}/{complaint['id']}", headers=admin),
        client.get(f"{URL}?scope=all", headers=admin),
        client.get("/api/v1/admin/audit?limit=100", headers=admin),
    ]
    for response in outputs:
        assert response.status_code == 200, response.get_json()
        text = json.dumps(response.get_json())
        assert reporter_id not in text and "Test Citizen" not in text


def test_anonymous_only_where_the_category_allows_it(client, login_as, db_session):
    response = client.post(URL, json=body(category="KESEHATAN", anonymous=True,
                                          description="Antrean puskesmas tidak dilayani."), headers=login_as("citizen"))
    assert response.status_code == 422 and "anonymous" in response.get_json()["error"]["details"]
    assert db_session.scalar(select(Complaint)) is None


def test_name_is_captured_only_when_allowed_and_the_read_is_logged(client, login_as, db_session):
    citizen = login_as("citizen")
    shown = client.post(URL, json=body(show_name_publicly=True), headers=citizen).get_json()
    hidden = client.post(URL, json=body(), headers=citizen).get_json()
    assert shown["show_name_publicly"] is True
    assert db_session.get(Complaint, shown["id"]).reporter_display_name.startswith("Test Citizen")
    assert db_session.get(Complaint, hidden["id"]).reporter_display_name is None
    log = client.get("/api/v1/me/access-log", headers=citizen).get_json()["items"]
    assert len(log) == 1 and log[0]["service"]["slug"] == "rabeg" and shown["public_number"] in log[0]["purpose"]
    # The assigned OPD's officers read the name only through the profile, logged for the reporter
    # (test_rabeg_reporter_contact.py); nothing else in their view carries it.
    officer_view = client.get(f"{URL}/{shown['id']}", headers=login_as("officer", opd="DPUPR")).get_json()
    assert officer_view["reporter"]["name"].startswith("Test Citizen")
    assert "Test Citizen" not in json.dumps({key: value for key, value in officer_view.items() if key != "reporter"})


def test_a_profile_without_a_name_leaves_it_empty(client, login_as, db_session):
    from ragem.testing import account

    citizen = login_as("citizen")
    account(_user_id(citizen)).name = ""
    db_session.commit()
    filed = client.post(URL, json=body(show_name_publicly=True), headers=citizen).get_json()
    assert db_session.get(Complaint, filed["id"]).reporter_display_name is None


def test_erasure_forgets_the_shown_name_and_contact(client, login_as, db_session):
    citizen = login_as("citizen")
    filed = client.post(URL, json=body(show_name_publicly=True), headers=citizen).get_json()
    stored = db_session.get(Complaint, filed["id"])
    stored.contact = {"phone": "+6281200000000"}
    db_session.commit()
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    db_session.expire_all()
    stored = db_session.get(Complaint, filed["id"])
    assert stored.reporter_id is None and stored.reporter_display_name is None and stored.contact is None
    assert stored.show_name_publicly is False
