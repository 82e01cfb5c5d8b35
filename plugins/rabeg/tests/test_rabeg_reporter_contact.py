"""The officers handling a complaint can reach its reporter; nobody else learns who filed it.

An officer of the assigned OPD opening a complaint filed with a name gets the reporter's name and
phone, read through the profile, and the reporter sees that read in their access log. An
anonymous complaint names no one to anybody but its reporter; another OPD's officers, admins,
other citizens and the public views never carry the reporter's phone.
"""
from __future__ import annotations

import json

import pytest

from ragem.testing import account

URL = "/api/v1/rabeg/complaints"
LOG = "/api/v1/me/access-log"
PUBLIC_VIEWS = ("/api/v1/rabeg/public/complaints?limit=100", "/api/v1/rabeg/public/map",
                "/open311/v2/requests.json", "/open311/v2/requests.xml")
LAT, LON = -6.12, 106.15


@pytest.fixture
def complaint_fields(complaint_fields):
    """A map point, so the complaint shows on the map and in Open311 too (JALAN_RUSAK goes to DPUPR)."""
    return {**complaint_fields, "lat": LAT, "lon": LON}


def reporter_of(headers, db_session) -> tuple[str, str]:
    """The name and phone of the account behind ``headers``."""
    user = account(headers["X-Test-User-Id"])
    return user.name, user.phone


def detail(client, complaint, headers):
    answer = client.get(f"{URL}/{complaint['id']}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def access_log(client, headers) -> list[dict]:
    return client.get(LOG, headers=headers).get_json()["items"]


def test_an_officer_of_the_assigned_opd_sees_the_reporters_name_and_phone(client, login_as, file_complaint, db_session):
    citizen = login_as("citizen")
    name, phone = reporter_of(citizen, db_session)
    complaint = file_complaint(citizen)
    assert complaint["opd"] == "DPUPR"

    seen = detail(client, complaint, login_as("officer", opd="DPUPR"))
    assert seen["reporter"] == {"name": name, "phone": phone}


def test_the_reporter_sees_the_officers_read_in_their_access_log(client, login_as, file_complaint, db_session):
    citizen = login_as("citizen")
    complaint = file_complaint(citizen)
    assert access_log(client, citizen) == []  # filing without a public name reads nothing

    detail(client, complaint, login_as("officer", opd="DPUPR"))
    [entry] = access_log(client, citizen)
    assert entry["service"]["slug"] == "rabeg"
    assert [f["field"] for f in entry["fields"]] == ["name", "phone"]
    assert complaint["public_number"] in entry["purpose"]
    assert entry["officer"]["opd"] == "DPUPR"
    assert entry["officer"]["label"] == "Petugas Dinas Pekerjaan Umum dan Penataan Ruang"
    english = client.get(LOG, headers={**citizen, "Accept-Language": "en"}).get_json()["items"][0]
    assert english["fields"][1]["purpose"] == "so the officers of the OPD handling a complaint can reach its reporter"


def test_an_anonymous_complaint_names_its_reporter_to_no_officer_or_admin(client, login_as, file_complaint, db_session):
    citizen = login_as("citizen")
    name, phone = reporter_of(citizen, db_session)
    complaint = file_complaint(citizen, anonymous=True)
    for headers in (login_as("officer", opd="DPUPR"), login_as("admin")):
        seen = detail(client, complaint, headers)
        assert seen["reporter"] is None
        assert name not in json.dumps(seen) and phone not in json.dumps(seen)
    assert access_log(client, citizen) == []  # nothing was read


def test_the_reporter_themself_is_not_read_back(client, login_as, file_complaint):
    citizen = login_as("citizen")
    complaint = file_complaint(citizen)
    assert detail(client, complaint, citizen)["reporter"] is None
    assert access_log(client, citizen) == []


def test_another_opds_officer_still_gets_404_and_reads_nothing(client, login_as, file_complaint):
    citizen = login_as("citizen")
    complaint = file_complaint(citizen)
    answer = client.get(f"{URL}/{complaint['id']}", headers=login_as("officer", opd="DLH"))
    assert answer.status_code == 404
    assert access_log(client, citizen) == []


def test_admins_and_other_citizens_do_not_see_the_reporter(client, login_as, file_complaint, db_session):
    citizen = login_as("citizen")
    _name, phone = reporter_of(citizen, db_session)
    complaint = file_complaint(citizen)
    assert detail(client, complaint, login_as("admin"))["reporter"] is None
    assert client.get(f"{URL}/{complaint['id']}", headers=login_as("citizen")).status_code == 404
    assert access_log(client, citizen) == []


def test_lists_and_public_views_never_carry_the_reporters_phone(client, login_as, file_complaint, db_session):
    citizen = login_as("citizen")
    name, phone = reporter_of(citizen, db_session)
    file_complaint(citizen, show_name_publicly=True)  # the name may be public; the phone never
    officer = login_as("officer", opd="DPUPR")
    queue = client.get(f"{URL}?scope=my-opd", headers=officer)
    assert queue.status_code == 200 and len(queue.get_json()["items"]) == 1
    assert phone not in queue.get_data(as_text=True) and "reporter" not in queue.get_json()["items"][0]
    for url in PUBLIC_VIEWS:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert phone not in answer.get_data(as_text=True), url
        assert phone.lstrip("+") not in answer.get_data(as_text=True), url


def test_an_erased_reporter_leaves_the_officer_nothing_to_read(client, login_as, file_complaint):
    citizen = login_as("citizen")
    complaint = file_complaint(citizen)
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    assert detail(client, complaint, login_as("officer", opd="DPUPR"))["reporter"] is None
