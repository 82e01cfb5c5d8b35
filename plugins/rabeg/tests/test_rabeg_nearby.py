"""Nearby open complaints before filing (250 m, same category, no personal data) and "me too" support."""
import json
import math

import pytest

from sqlalchemy import select

from plugins.rabeg.models import Complaint, Supporter

URL = "/api/v1/rabeg/complaints"
LAT, LON = -6.1200, 106.1500


def north(metres):
    """The latitude ``metres`` north of LAT."""
    return LAT + metres / 111_195.0  # metres per degree on the haversine sphere


def east(metres):
    return LON + metres / (111_195.0 * math.cos(math.radians(LAT)))


@pytest.fixture
def complaint_fields(complaint_fields):
    """This module's complaints: the shared defaults with the fields its tests rely on."""
    return {**complaint_fields, "description": "Jalan berlubang besar di sini.", "lat": LAT, "lon": LON,
            "address": "Jl. Rahasia 7", "kelurahan": None}


def near(client, headers, lat=LAT, lon=LON, category="JALAN_RUSAK"):
    return client.get(f"{URL}/nearby?lat={lat}&lon={lon}&category={category}", headers=headers)


def test_nearby_lists_open_same_category_complaints_within_250_m_nearest_first(client, login_as, db_session, file_complaint):
    reporter, me = login_as("citizen"), login_as("citizen")
    far = file_complaint(reporter, lat=north(200), lon=east(200))  # ~283 m away
    close = file_complaint(reporter, lat=north(100))
    closer = file_complaint(reporter, lat=north(-30), lon=east(20))
    edge = file_complaint(reporter, lon=east(240))
    file_complaint(reporter, category="SAMPAH", description="Sampah menumpuk di sini juga.")
    closed = file_complaint(reporter)
    db_session.get(Complaint, closed["id"]).state = "closed"
    duplicate = file_complaint(reporter)
    db_session.get(Complaint, duplicate["id"]).duplicate_of_id = close["id"]
    db_session.commit()
    response = near(client, me)
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [i["id"] for i in items] == [closer["id"], close["id"], edge["id"]]
    assert far["id"] not in [i["id"] for i in items]
    # Distances to the public points, rounded to 0.001 degree: 100 m north is 0.001 degree (111 m) north.
    assert items[1]["distance_m"] == 111 and items[0]["distance_m"] == 0
    assert set(items[0]) == {"id", "public_number", "description", "distance_m", "supporters_count", "created_at",
                             "state"}
    text = json.dumps(items)
    assert "Rahasia" not in text and me["X-Test-User-Id"] not in text and reporter["X-Test-User-Id"] not in text


def test_nearby_shows_the_moderated_text_and_caps_at_20(client, login_as, db_session, file_complaint):
    reporter = login_as("citizen")
    first = file_complaint(reporter)
    for _ in range(21):
        file_complaint(reporter, lat=north(50))
    db_session.get(Complaint, first["id"]).moderated_description = "Jalan berlubang (disunting)."
    db_session.commit()
    items = near(client, login_as("citizen")).get_json()["items"]
    assert len(items) == 20 and items[0]["id"] == first["id"]
    assert items[0]["description"] == "Jalan berlubang (disunting)."


def test_nearby_needs_a_login_and_good_arguments(client, login_as):
    assert near(client, {}).status_code == 401
    citizen = login_as("citizen")
    assert near(client, citizen, lat=-7.5).status_code == 422
    assert near(client, citizen, category="NOPE").status_code == 422
    assert client.get(f"{URL}/nearby?lat={LAT}", headers=citizen).status_code == 422
    assert client.get(f"{URL}/nearby?lat=abc&lon={LON}&category=PJU", headers=citizen).status_code == 422


def test_me_too_counts_once_and_can_be_withdrawn(client, login_as, db_session, file_complaint):
    reporter, me, other = login_as("citizen"), login_as("citizen"), login_as("citizen")
    complaint = file_complaint(reporter)
    support = f"{URL}/{complaint['id']}/support"
    first = client.post(support, headers=me)
    assert first.status_code == 201 and first.get_json() == {
        "complaint_id": complaint["id"], "supporting": True, "supporters_count": 1}
    again = client.post(support, headers=me)
    assert again.status_code == 200 and again.get_json()["supporters_count"] == 1
    assert client.post(support, headers=other).get_json()["supporters_count"] == 2
    assert near(client, me).get_json()["items"][0]["supporters_count"] == 2
    assert client.get(f"{URL}/{complaint['id']}", headers=reporter).get_json()["supporters_count"] == 2
    withdrawn = client.delete(support, headers=me)
    assert withdrawn.status_code == 200 and withdrawn.get_json() == {
        "complaint_id": complaint["id"], "supporting": False, "supporters_count": 1}
    assert client.delete(support, headers=me).get_json()["supporters_count"] == 1  # nothing to take back
    ids = db_session.scalars(select(Supporter.user_id).where(Supporter.complaint_id == complaint["id"])).all()
    assert ids == [other["X-Test-User-Id"]]


def test_me_too_is_refused_for_the_reporter_closed_duplicates_and_unknown(client, login_as, db_session, file_complaint):
    reporter, me = login_as("citizen"), login_as("citizen")
    own = file_complaint(reporter)
    refused = client.post(f"{URL}/{own['id']}/support", headers=reporter)
    assert refused.status_code == 409 and refused.get_json()["error"]["details"]["reason"] == "own_complaint"
    for state in ("closed", "rejected", "resolved"):
        complaint = file_complaint(reporter)
        db_session.get(Complaint, complaint["id"]).state = state
        db_session.commit()
        assert client.post(f"{URL}/{complaint['id']}/support", headers=me).status_code == 409, state
    duplicate = file_complaint(reporter)
    db_session.get(Complaint, duplicate["id"]).duplicate_of_id = own["id"]
    db_session.commit()
    answer = client.post(f"{URL}/{duplicate['id']}/support", headers=me)
    assert answer.status_code == 409 and answer.get_json()["error"]["details"]["duplicate_of"] == own["public_number"]
    assert client.post(f"{URL}/999999/support", headers=me).status_code == 404
    assert client.delete(f"{URL}/999999/support", headers=me).status_code == 404
    assert client.post(f"{URL}/{own['id']}/support").status_code == 401
    assert db_session.scalar(select(Supporter)) is None
    assert db_session.get(Complaint, own["id"]).supporters_count == 0
