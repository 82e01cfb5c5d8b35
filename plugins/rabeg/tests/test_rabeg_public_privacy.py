"""What the public views publish of a complaint: only published complaints, their text masked.

A complaint is published when its category's complaints are public (health and population
administration are not) and its reporter did not mark it private. Published or not, the reporter
and the staff see it whole and it counts in the KPIs. The public views are the list and the map,
Open311 GET (JSON and XML) and the "nearby" list before filing.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ragem import toolkit
from ragem.testing import audit_entries

from plugins.rabeg.tests.test_rabeg_open311 import check_errors, xml_data

URL = "/api/v1/rabeg/complaints"
PUBLIC, MAP = "/api/v1/rabeg/public/complaints", "/api/v1/rabeg/public/map"
OPEN311 = "/open311/v2"
CATEGORIES = "/api/v1/rabeg/categories"
LAT, LON = -6.12, 106.15

NIK, PHONE, EMAIL = "3673 0112 0490 0001", "0812-3456-7890", "siti.warga@example.org"
LEAKY = f"Jalan ambles di depan rumah saya. NIK {NIK}, hubungi {PHONE} atau {EMAIL}."
MASKED = ("Jalan ambles di depan rumah saya. NIK [NIK disembunyikan], hubungi [telepon disembunyikan] "
          "atau [email disembunyikan].")
OFFICER_MESSAGE = "Petugas kami akan datang; konfirmasi ke +62 812 9999 0000 bila perlu."
OFFICER_MESSAGE_MASKED = "Petugas kami akan datang; konfirmasi ke [telepon disembunyikan] bila perlu."


@pytest.fixture
def complaint_fields(complaint_fields):
    """This module's complaints have a map point (the map and "nearby" show only those)."""
    return {**complaint_fields, "lat": LAT, "lon": LON}


def ok(answer):
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer


def listed(client, query="") -> list[int]:
    return [item["id"] for item in ok(client.get(f"{PUBLIC}?limit=100&{query}")).get_json()["items"]]


def on_map(client) -> list[int]:
    return [f["properties"]["id"] for f in ok(client.get(MAP)).get_json()["features"]]


def open311(client, query="", fmt="json") -> list[dict]:
    answer = ok(client.get(f"{OPEN311}/requests.{fmt}?{query}"))
    return xml_data(answer) if fmt == "xml" else answer.get_json()


def open311_numbers(client, query="") -> set[str]:
    return {r["service_request_id"] for fmt in ("json", "xml") for r in open311(client, query, fmt) or []}


def nearby(client, headers, category="JALAN_RUSAK") -> list[dict]:
    return ok(client.get(f"{URL}/nearby?lat={LAT}&lon={LON}&category={category}", headers=headers)).get_json()["items"]


def published_anywhere(client, headers, complaint) -> dict[str, bool]:
    """Where the public can find ``complaint``: the list, the map, Open311 GET (list, by id, one) and nearby."""
    number = complaint["public_number"]
    single = [client.get(f"{OPEN311}/requests/{number}.{fmt}") for fmt in ("json", "xml")]
    for answer in single:
        assert answer.status_code in (200, 404)
        if answer.status_code == 404:
            check_errors(answer, 404)  # "not found", in the GeoReport format of the URL
    return {
        "list": complaint["id"] in listed(client),
        "list by category": complaint["id"] in listed(client, f"category={complaint['category']}"),
        "map": complaint["id"] in on_map(client),
        "open311": number in open311_numbers(client),
        "open311 by id": number in open311_numbers(client, f"service_request_id={number}"),
        "open311 by service": number in open311_numbers(client, f"service_code={complaint['category']}"),
        "open311 one": any(answer.status_code == 200 for answer in single),
        "nearby": complaint["id"] in [i["id"] for i in nearby(client, headers, complaint["category"])],
    }


def everywhere(value: bool) -> dict[str, bool]:
    return dict.fromkeys(("list", "list by category", "map", "open311", "open311 by id", "open311 by service",
                          "open311 one", "nearby"), value)


def kpi_received(client, headers) -> int:
    today = toolkit.utcnow().date()
    query = f"from={today - timedelta(days=1)}&to={today + timedelta(days=2)}"
    return ok(client.get(f"/api/v1/rabeg/kpis?{query}", headers=headers)).get_json()["overall"]["received"]


# --- Masked text ---------------------------------------------------------------------------------------

def test_nik_phone_and_email_in_the_text_are_masked_in_every_public_view(client, login_as, file_complaint):
    reporter, officer, neighbour = login_as("citizen"), login_as("officer", opd="DPUPR"), login_as("citizen")
    complaint = file_complaint(reporter, description=LEAKY)
    answer = client.post(f"{URL}/{complaint['id']}/responses", json={"public_message": OFFICER_MESSAGE},
                         headers=officer)
    assert answer.status_code == 201, answer.get_json()
    number = complaint["public_number"]

    [item] = ok(client.get(PUBLIC)).get_json()["items"]
    assert item["description"] == MASKED
    [near] = nearby(client, neighbour)
    assert near["description"] == MASKED
    one = ok(client.get(f"{OPEN311}/requests/{number}.json")).get_json()
    one_xml = xml_data(ok(client.get(f"{OPEN311}/requests/{number}.xml")))
    for request in (open311(client)[0], open311(client, fmt="xml")[0], one[0], one_xml[0]):
        assert request["description"] == MASKED
        assert request["status_notes"] == OFFICER_MESSAGE_MASKED
    public_answers = [client.get(PUBLIC), client.get(MAP), client.get(f"{URL}/nearby?lat={LAT}&lon={LON}&category="
                                                                       "JALAN_RUSAK", headers=neighbour)]
    public_answers += [client.get(f"{OPEN311}/requests{path}.{fmt}") for path in ("", f"/{number}")
                       for fmt in ("json", "xml")]
    for answer in public_answers:
        text = answer.get_data(as_text=True)
        for secret in (NIK, NIK.replace(" ", ""), PHONE, "3456-7890", EMAIL, "9999 0000"):
            assert secret not in text, (answer.request.path, secret)

    # The reporter and the OPD read the text as it was written.
    assert ok(client.get(f"{URL}/{complaint['id']}", headers=reporter)).get_json()["description"] == LEAKY
    staff_view = ok(client.get(f"{URL}/{complaint['id']}", headers=officer)).get_json()
    assert staff_view["description"] == LEAKY
    assert OFFICER_MESSAGE in [entry["public_message"] for entry in staff_view["timeline"]]


def test_a_moderated_text_is_masked_too(app, client, login_as, db_session, file_complaint):
    from plugins.rabeg.models import Complaint

    complaint = file_complaint(login_as("citizen"))
    db_session.get(Complaint, complaint["id"]).moderated_description = f"Teks disunting, WA {PHONE}."
    db_session.commit()
    assert ok(client.get(PUBLIC)).get_json()["items"][0]["description"] == "Teks disunting, WA [telepon disembunyikan]."


# --- Categories whose complaints are private --------------------------------------------------------------

def test_health_and_population_administration_are_private_by_default(client):
    categories = {c["code"]: c["complaints_public"] for c in ok(client.get(CATEGORIES)).get_json()["items"]}
    assert {code for code, public in categories.items() if not public} == {"ADMINDUK", "KESEHATAN"}


@pytest.mark.parametrize("category,opd", [("ADMINDUK", "DISDUKCAPIL"), ("KESEHATAN", "DINKES")])
def test_complaints_of_a_private_category_are_never_published_but_handled_and_counted(category, opd, client,
                                                                                       login_as, file_complaint):
    reporter, neighbour, admin = login_as("citizen"), login_as("citizen"), login_as("admin")
    control = file_complaint(reporter)
    private = file_complaint(reporter, category=category, description=LEAKY)
    assert private["private"] is False and private["public"] is False and control["public"] is True
    assert published_anywhere(client, neighbour, private) == everywhere(False)
    assert published_anywhere(client, neighbour, control) == everywhere(True)
    assert listed(client, f"category={category}") == []
    # Nobody but the reporter can follow it: no "me too" on a complaint the public may not see.
    support = client.post(f"{URL}/{private['id']}/support", headers=neighbour)
    assert support.status_code == 404, support.get_json()
    # The reporter and the OPD see it whole; the KPIs count it.
    assert ok(client.get(f"{URL}/{private['id']}", headers=reporter)).get_json()["description"] == LEAKY
    officer = login_as("officer", opd=opd)
    assert private["id"] in [c["id"] for c in ok(client.get(URL, headers=officer)).get_json()["items"]]
    assert ok(client.get(f"{URL}/{private['id']}", headers=officer)).get_json()["description"] == LEAKY
    assert kpi_received(client, admin) == 2


def test_an_admin_decides_whether_a_categorys_complaints_are_public_and_it_is_audited(client, login_as, db_session,
                                                                                      file_complaint):
    admin, citizen, neighbour = login_as("admin"), login_as("citizen"), login_as("citizen")
    complaint = file_complaint(citizen)
    hidden = client.patch(f"{CATEGORIES}/JALAN_RUSAK", json={"complaints_public": False}, headers=admin)
    assert hidden.status_code == 200 and hidden.get_json()["complaints_public"] is False
    assert published_anywhere(client, neighbour, complaint) == everywhere(False)
    [entry] = audit_entries(action="rabeg.category.update", target_id="JALAN_RUSAK")
    assert entry.before == {"complaints_public": True} and entry.after == {"complaints_public": False}
    assert client.patch(f"{CATEGORIES}/JALAN_RUSAK", json={"complaints_public": True}, headers=admin).status_code == 200
    assert published_anywhere(client, neighbour, complaint) == everywhere(True)
    # Only admins, and only a boolean.
    assert client.patch(f"{CATEGORIES}/JALAN_RUSAK", json={"complaints_public": False},
                        headers=citizen).status_code == 403
    assert client.patch(f"{CATEGORIES}/JALAN_RUSAK", json={"complaints_public": "maybe"},
                        headers=admin).status_code == 422
    # A new category publishes its complaints unless the admin says otherwise.
    new = {"code": "POHON_TUMBANG", "name": {"id": "Pohon tumbang", "en": "Fallen tree"}, "opd": "DLH",
           "first_response_target": {"value": 1, "unit": "working_days"},
           "resolution_target": {"value": 3, "unit": "working_days"}}
    assert client.post(CATEGORIES, json=new, headers=admin).get_json()["complaints_public"] is True
    bansos = {**new, "code": "BANSOS", "complaints_public": False}
    created = client.post(CATEGORIES, json=bansos, headers=admin)
    assert created.status_code == 201 and created.get_json()["complaints_public"] is False
    assert audit_entries(action="rabeg.category.create", target_id="BANSOS")[0].after["complaints_public"] is False


# --- The reporter's choice ----------------------------------------------------------------------------------

def test_a_complaint_filed_private_is_never_published_but_handled_and_counted(client, login_as, db_session,
                                                                              file_complaint):
    reporter, neighbour, officer = login_as("citizen"), login_as("citizen"), login_as("officer", opd="DPUPR")
    private = file_complaint(reporter, private=True, description=LEAKY)
    assert private["private"] is True and private["public"] is False
    assert published_anywhere(client, neighbour, private) == everywhere(False)
    assert client.post(f"{URL}/{private['id']}/support", headers=neighbour).status_code == 404
    assert ok(client.get(f"{URL}/{private['id']}", headers=officer)).get_json()["description"] == LEAKY
    assert [c["id"] for c in ok(client.get(f"{URL}/mine", headers=reporter)).get_json()["items"]] == [private["id"]]
    assert kpi_received(client, login_as("admin")) == 1
    [entry] = audit_entries(action="rabeg.complaint.file")
    assert entry.after["private"] is True


def test_the_reporter_marks_their_complaint_private_later_and_back(client, login_as, db_session, file_complaint):
    reporter, neighbour, officer = login_as("citizen"), login_as("citizen"), login_as("officer", opd="DPUPR")
    complaint = file_complaint(reporter)
    privacy = f"{URL}/{complaint['id']}/privacy"
    assert published_anywhere(client, neighbour, complaint) == everywhere(True)

    marked = client.put(privacy, json={"private": True}, headers=reporter)
    assert marked.status_code == 200 and marked.get_json()["private"] is True and marked.get_json()["public"] is False
    assert published_anywhere(client, neighbour, complaint) == everywhere(False)
    [entry] = audit_entries(action="rabeg.complaint.privacy", target_id=str(complaint["id"]))
    assert entry.before == {"private": False} and entry.after == {"private": True}
    assert entry.actor_id == reporter["X-Test-User-Id"]
    # Asking again changes nothing and audits nothing.
    assert client.put(privacy, json={"private": True}, headers=reporter).status_code == 200
    assert len(audit_entries(action="rabeg.complaint.privacy")) == 1

    # Only the reporter decides: the OPD 403, any other account 404 (the id reveals nothing), no login 401.
    assert client.put(privacy, json={"private": False}, headers=officer).status_code == 403
    assert client.put(privacy, json={"private": False}, headers=neighbour).status_code == 404
    assert client.put(f"{URL}/999999/privacy", json={"private": False}, headers=reporter).status_code == 404
    assert client.put(privacy, json={"private": False}).status_code == 401
    for bad in ({}, {"private": "maybe"}, {"private": False, "other": 1}):
        assert client.put(privacy, json=bad, headers=reporter).status_code == 422, bad
    assert published_anywhere(client, neighbour, complaint) == everywhere(False)

    back = client.put(privacy, json={"private": False}, headers=reporter)
    assert back.status_code == 200 and back.get_json()["public"] is True
    assert published_anywhere(client, neighbour, complaint) == everywhere(True)


def test_the_reporter_cannot_publish_a_complaint_of_a_private_category(client, login_as, file_complaint):
    reporter = login_as("citizen")
    complaint = file_complaint(reporter, category="ADMINDUK", private=True)
    answer = client.put(f"{URL}/{complaint['id']}/privacy", json={"private": False}, headers=reporter)
    assert answer.status_code == 200 and answer.get_json()["private"] is False and answer.get_json()["public"] is False
    assert published_anywhere(client, login_as("citizen"), complaint) == everywhere(False)


def test_an_anonymous_reporters_choice_names_no_one_in_the_audit_log(client, login_as, db_session, file_complaint):
    reporter = login_as("citizen")
    complaint = file_complaint(reporter, anonymous=True)
    assert client.put(f"{URL}/{complaint['id']}/privacy", json={"private": True}, headers=reporter).status_code == 200
    [entry] = audit_entries(action="rabeg.complaint.privacy")
    assert entry.actor_id is None
    assert reporter["X-Test-User-Id"] not in json.dumps([entry.before, entry.after])


def test_the_export_says_which_complaints_are_private(client, login_as, file_complaint):
    reporter = login_as("citizen")
    file_complaint(reporter, private=True)
    file_complaint(reporter)
    exported = ok(client.get("/api/v1/me/export", headers=reporter)).get_json()["services"]["rabeg"]
    assert [c["private"] for c in exported["complaints"]] == [True, False]


# --- Rounded points ------------------------------------------------------------------------------------------

EXACT = (-6.123456, 106.154321)
ROUNDED = (-6.123, 106.154)  # 3 decimals: a cell of about 110 m


def test_public_points_are_rounded_to_about_110_m(client, login_as, file_complaint):
    reporter, neighbour, officer = login_as("citizen"), login_as("citizen"), login_as("officer", opd="DPUPR")
    complaint = file_complaint(reporter, lat=EXACT[0], lon=EXACT[1])
    number = complaint["public_number"]
    [item] = ok(client.get(PUBLIC)).get_json()["items"]
    assert (item["lat"], item["lon"]) == ROUNDED
    [feature] = ok(client.get(MAP)).get_json()["features"]
    assert feature["geometry"]["coordinates"] == [ROUNDED[1], ROUNDED[0]]
    for request in (open311(client)[0], ok(client.get(f"{OPEN311}/requests/{number}.json")).get_json()[0]):
        assert (request["lat"], request["long"]) == ROUNDED
    for request in (open311(client, fmt="xml")[0], xml_data(ok(client.get(f"{OPEN311}/requests/{number}.xml")))[0]):
        assert (request["lat"], request["long"]) == ("-6.123", "106.154")
    # The distance in "nearby" is to the rounded point too: three of them would give the exact one back.
    from plugins.rabeg.services.nearby import distance_m

    [near] = ok(client.get(f"{URL}/nearby?lat={EXACT[0]}&lon={EXACT[1]}&category=JALAN_RUSAK",
                           headers=neighbour)).get_json()["items"]
    assert near["distance_m"] == round(distance_m(*EXACT, *ROUNDED)) == 62
    public_answers = [client.get(PUBLIC), client.get(MAP)]
    public_answers += [client.get(f"{OPEN311}/requests{path}.{fmt}") for path in ("", f"/{number}")
                       for fmt in ("json", "xml")]
    for answer in public_answers:
        assert "6.1234" not in answer.get_data(as_text=True) and "106.1543" not in answer.get_data(as_text=True)
    # The reporter and the OPD keep the exact point.
    for headers in (reporter, officer):
        detail = ok(client.get(f"{URL}/{complaint['id']}", headers=headers)).get_json()
        assert (detail["lat"], detail["lon"]) == EXACT


@pytest.mark.parametrize("bbox,found", [
    ("106.1543,-6.1235,106.1544,-6.1234", False),  # holds the exact point, not the public one
    ("106.1539,-6.1231,106.1541,-6.1229", True),  # holds the public point, not the exact one
    ("106.154,-6.123,106.155,-6.122", True),  # edges are inclusive
    ("106.1541,-6.1239,106.1549,-6.1231", False),  # inside one cell, around no cell's centre
])
def test_a_box_is_matched_against_the_public_points_so_it_cannot_find_the_exact_one(bbox, found, client, login_as,
                                                                                   file_complaint):
    complaint = file_complaint(login_as("citizen"), lat=EXACT[0], lon=EXACT[1])
    assert (complaint["id"] in listed(client, f"bbox={bbox}")) is found
    features = ok(client.get(f"{MAP}?bbox={bbox}")).get_json()["features"]
    assert (complaint["id"] in [f["properties"]["id"] for f in features]) is found
