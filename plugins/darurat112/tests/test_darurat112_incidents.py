"""Raising an incident from the app: small, validated, idempotent, committed, and followed by the citizen."""
from sqlalchemy import func, select

from ragem.testing import inbox

from plugins.darurat112.models import Incident, IncidentTimelineEntry

from .conftest import INCIDENTS, POINT, idem, incident_body


def count(session, model=Incident) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_a_citizen_raises_an_incident_and_gets_its_number_and_state(client, login_as, db_session):
    citizen = login_as("citizen")
    answer = client.post(INCIDENTS, json=incident_body(), headers=idem(citizen))
    assert answer.status_code == 201, answer.get_json()
    incident = answer.get_json()
    assert incident["number"].startswith("112-") and incident["state"] == "new"
    assert incident["type"] == "fire" and incident["priority"] == 1
    assert set(incident) == {"id", "number", "state", "type", "priority", "created_at"}  # small, for a bad network
    detail = client.get(f"{INCIDENTS}/{incident['id']}", headers=citizen).get_json()
    assert detail["channel"] == "app" and [e["kind"] for e in detail["timeline"]] == ["created"]
    # The reporter sees no staff details.
    assert "caller_msisdn" not in detail and "data" not in detail["timeline"][0]
    row = db_session.get(Incident, incident["id"])
    assert row.caller_msisdn.startswith("+62") and row.caller_name.startswith("Test Citizen")
    assert [n.kind for n in inbox(citizen["X-Test-User-Id"])] == ["darurat112.created"]


def test_the_profile_read_is_shown_to_the_citizen(client, login_as, raise_incident):
    citizen = login_as("citizen")
    raise_incident(citizen)
    log = client.get("/api/v1/me/access-log", headers=citizen).get_json()
    assert any(item.get("service") == "darurat112" or "darurat112" in str(item) for item in log["items"])


def test_a_retry_with_the_same_key_never_raises_a_second_incident(client, login_as, db_session):
    headers = idem(login_as("citizen"), "retry-1")
    first = client.post(INCIDENTS, json=incident_body(), headers=headers)
    again = client.post(INCIDENTS, json=incident_body(), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count(db_session) == 1


def test_a_key_reused_with_another_body_is_refused(client, login_as, db_session):
    headers = idem(login_as("citizen"), "retry-2")
    assert client.post(INCIDENTS, json=incident_body(), headers=headers).status_code == 201
    other = client.post(INCIDENTS, json=incident_body(type="medical"), headers=headers)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert count(db_session) == 1


def test_the_key_is_required(client, login_as, db_session):
    answer = client.post(INCIDENTS, json=incident_body(), headers=login_as("citizen"))
    assert answer.status_code == 422 and "Idempotency-Key" in str(answer.get_json()["error"]["details"])
    assert count(db_session) == 0


def test_bad_input_is_refused_in_the_envelope_and_writes_nothing(client, login_as, db_session):
    citizen = login_as("citizen")
    cases = [
        incident_body(type="alien"), incident_body(lat=-7.2), incident_body(lon=110.4), incident_body(lat=95.0),
        incident_body(lat=None), incident_body(accuracy_m=0), incident_body(accuracy_m=-3),
        incident_body(accuracy_m=250000), incident_body(lat="NaN"), incident_body(description="\x00"),
        {**incident_body(), "extra": 1}, incident_body(type=None),
    ]
    for case in cases:
        answer = client.post(INCIDENTS, json=case, headers=idem(citizen))
        assert answer.status_code in (400, 422), (case, answer.get_json())
        assert answer.get_json()["error"]["code"]
    assert count(db_session) == 0 and count(db_session, IncidentTimelineEntry) == 0
    english = client.post(INCIDENTS, json=incident_body(lat=-6.0, lon=106.08), headers={**idem(citizen),
                                                                                          "Accept-Language": "en"})
    assert english.status_code == 201  # the box's edge is inside


def test_raising_needs_a_login(client):
    assert client.post(INCIDENTS, json=incident_body(), headers={"Idempotency-Key": "x"}).status_code == 401


def test_the_citizen_lists_only_their_own_incidents(client, login_as, raise_incident):
    me, other = login_as("citizen"), login_as("citizen")
    mine = [raise_incident(me)["id"] for _ in range(3)]
    raise_incident(other)
    first = client.get(f"{INCIDENTS}/mine?limit=2", headers=me).get_json()
    second = client.get(f"{INCIDENTS}/mine?limit=2&cursor={first['next_cursor']}", headers=me).get_json()
    assert [i["id"] for i in first["items"] + second["items"]] == sorted(mine, reverse=True)
    assert client.get(f"{INCIDENTS}/{mine[0]}", headers=other).status_code == 404


def test_the_citizen_adds_information_and_cancels(client, login_as, raise_incident, db_session):
    citizen = login_as("citizen")
    incident = raise_incident(citizen)
    url = f"{INCIDENTS}/{incident['id']}"
    added = client.post(f"{url}/information", json={"message": "Dua orang masih di dalam."}, headers=citizen)
    assert added.status_code == 200
    assert added.get_json()["timeline"][-1]["message"] == "Dua orang masih di dalam."
    cancelled = client.post(f"{url}/cancel", json={"reason": "Api sudah padam"}, headers=citizen)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["state"] == "closed" and cancelled.get_json()["outcome"] == "cancelled"
    again = client.post(f"{url}/cancel", json={}, headers=citizen)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "incident_closed"
    late = client.post(f"{url}/information", json={"message": "lagi"}, headers=citizen)
    assert late.status_code == 409


def test_the_public_timeline_speaks_the_citizens_language(client, login_as, raise_incident):
    citizen = login_as("citizen")
    incident = raise_incident(citizen)
    url = f"{INCIDENTS}/{incident['id']}"
    indonesian = client.get(url, headers=citizen).get_json()["timeline"][0]["message"]
    english = client.get(url, headers={**citizen, "Accept-Language": "en"}).get_json()["timeline"][0]["message"]
    assert indonesian.startswith("Laporan darurat Anda diterima") and english.startswith("Your emergency report")


def test_a_photo_follows_in_a_second_request(client, login_as, raise_incident, db_session):
    import io

    from PIL import Image

    citizen = login_as("citizen")
    incident = raise_incident(citizen)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "JPEG")
    url = f"{INCIDENTS}/{incident['id']}/photos"
    answer = client.post(url, data={"file": (io.BytesIO(picture.getvalue()), "api.jpg")}, headers=citizen,
                         content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["content_type"] == "image/jpeg"
    detail = client.get(f"{INCIDENTS}/{incident['id']}", headers=citizen).get_json()
    assert [p["id"] for p in detail["photos"]] == [answer.get_json()["id"]]
    text = client.post(url, data={"file": (io.BytesIO(b"not an image"), "x.jpg")}, headers=citizen,
                       content_type="multipart/form-data")
    assert text.status_code == 415
    stranger = client.post(url, data={"file": (io.BytesIO(picture.getvalue()), "a.jpg")},
                           headers=login_as("citizen"), content_type="multipart/form-data")
    assert stranger.status_code == 404
