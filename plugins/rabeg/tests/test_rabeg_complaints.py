"""Filing a complaint: routed at once to the right OPD, deadlines set, idempotent, and private."""
from sqlalchemy import func, select

from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import ensure_categories

URL = "/api/v1/rabeg/complaints"
KELURAHAN = "36.73.01.1001"  # Serang, kecamatan Serang (36.73.01)


def body(**overrides):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "lat": -6.12, "lon": 106.15, "kelurahan": KELURAHAN, "address": "Jl. Ahmad Yani 10"}
    data.update(overrides)
    return data


def test_a_complaint_lands_at_the_category_opd(client, login_as, app):
    citizen = login_as("citizen")
    response = client.post(URL, json=body(), headers=citizen)
    assert response.status_code == 201, response.get_json()
    complaint = response.get_json()
    assert complaint["opd"] == "DPUPR" and complaint["state"] == "assigned"
    assert complaint["public_number"].startswith("RBG-")
    assert complaint["first_response_due"].endswith("Z") and complaint["resolution_due"] > complaint["first_response_due"]
    assert [e["to_state"] for e in complaint["timeline"]] == ["submitted", "assigned"]
    assert all("internal_note" not in e for e in complaint["timeline"])
    inbox = client.get("/api/v1/me/notifications", headers=citizen).get_json()
    assert any(complaint["public_number"] in n["title"] for n in inbox["items"])


def test_kecamatan_override_routes_elsewhere(client, login_as, db_session):
    ensure_categories()
    category = db_session.scalar(select(Category).where(Category.code == "SAMPAH"))
    category.routing_overrides = {"36.73.01": "DISPERKIM"}
    db_session.commit()
    response = client.post(URL, json=body(category="SAMPAH"), headers=login_as("citizen"))
    assert response.status_code == 201 and response.get_json()["opd"] == "DISPERKIM"
    other = client.post(URL, json=body(category="SAMPAH", kelurahan=None), headers=login_as("citizen"))
    assert other.get_json()["opd"] == "DLH"


def test_same_idempotency_key_never_files_twice(client, login_as, db_session):
    citizen = {**login_as("citizen"), "Idempotency-Key": "abc-123"}
    first = client.post(URL, json=body(), headers=citizen)
    again = client.post(URL, json=body(), headers=citizen)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_bad_input_is_refused_and_files_nothing(client, login_as, db_session):
    citizen = login_as("citizen")
    cases = [
        body(category="NOPE"), body(lat=-7.0), body(lon=110.0), body(lat=None), body(kelurahan="36.73.01"),
        body(lat=None, lon=None, kelurahan=None), body(description="short"), {**body(), "extra": 1},
    ]
    for case in cases:
        response = client.post(URL, json=case, headers=citizen)
        assert response.status_code == 422, (case, response.get_json())
        assert response.get_json()["error"]["code"]
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 0
    english = client.post(URL, json=body(category="NOPE"), headers={**citizen, "Accept-Language": "en"})
    assert english.get_json()["error"]["message"] == "Unknown complaint category."
    indonesian = client.post(URL, json=body(category="NOPE"), headers=citizen)
    assert indonesian.get_json()["error"]["message"] == "Kategori pengaduan tidak dikenal."


def test_filing_needs_a_login(client):
    assert client.post(URL, json=body()).status_code == 401


def test_mine_lists_only_my_complaints_page_by_page(client, login_as):
    me, other = login_as("citizen"), login_as("citizen")
    ids = [client.post(URL, json=body(), headers=me).get_json()["id"] for _ in range(3)]
    client.post(URL, json=body(), headers=other)
    first = client.get(f"{URL}/mine?limit=2", headers=me).get_json()
    second = client.get(f"{URL}/mine?limit=2&cursor={first['next_cursor']}", headers=me).get_json()
    assert [c["id"] for c in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert second["next_cursor"] is None


def test_who_sees_a_complaint(client, login_as):
    reporter = login_as("citizen")
    cid = client.post(URL, json=body(), headers=reporter).get_json()["id"]
    assert client.get(f"{URL}/{cid}", headers=reporter).status_code == 200
    assert client.get(f"{URL}/{cid}", headers=login_as("citizen")).status_code == 404
    assert client.get(f"{URL}/{cid}", headers=login_as("officer", opd="DLH")).status_code == 404
    for staff in (login_as("officer", opd="DPUPR"), login_as("admin")):
        timeline = client.get(f"{URL}/{cid}", headers=staff).get_json()["timeline"]
        assert "routed to DPUPR" in timeline[-1]["internal_note"]
    assert client.get(f"{URL}/999999", headers=reporter).status_code == 404
