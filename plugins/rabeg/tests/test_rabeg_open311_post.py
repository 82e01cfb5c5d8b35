"""Open311 POST requests and the API keys behind it: a third-party app files with a key an admin
issued, the request is routed exactly like an app complaint (kecamatan overrides included), and every
refusal is a GeoReport error that files nothing."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ragem import toolkit
from ragem.testing import invoke_cli, openapi_spec

from plugins.rabeg.models import ApiKey, Category, Complaint
from plugins.rabeg.seed import ensure_categories
from plugins.rabeg.tests.test_rabeg_open311 import (
    BASE,
    KELURAHAN,
    QUESTIONS,
    as_xml_text,
    check_errors,
    check_fields,
    check_request,
    xml_data,
)

KEYS = "/api/v1/rabeg/api-keys"
CREATED = {"service_request_id": "str", "service_notice": "str?", "account_id": "str?"}


@pytest.fixture
def api_key(client, login_as):
    """A live key issued through the admin API."""
    response = client.post(KEYS, json={"name": "Aplikasi Lapor Serang"}, headers=login_as("admin"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["key"]


@pytest.fixture
def sampah_questions(db_session):
    ensure_categories()
    category = db_session.scalar(select(Category).where(Category.code == "SAMPAH"))
    category.questions = QUESTIONS
    db_session.commit()
    return category


def form(key, **overrides):
    data = {"api_key": key, "service_code": "JALAN_RUSAK", "lat": "-6.12", "long": "106.15",
            "description": "Jalan berlubang besar di depan pasar.", "email": "warga@example.org",
            "first_name": "Siti", "last_name": "Aminah", "phone": "+6281234567890", "device_id": "dev-77",
            "account_id": "acct-9"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, fmt="json", **kwargs):
    return client.post(f"{BASE}/requests.{fmt}", data=data, **kwargs)


def count(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Complaint))


def created(response) -> dict:
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, list) and len(body) == 1
    check_fields(body[0], CREATED)
    return body[0]


def test_a_request_with_a_key_is_filed_and_routed_like_an_app_complaint(client, db_session, api_key):
    answer = created(post(client, form(api_key)))
    assert answer["service_request_id"].startswith("RBG-") and answer["account_id"] == "acct-9"
    complaint = db_session.scalar(select(Complaint).where(Complaint.public_number == answer["service_request_id"]))
    assert complaint.opd_code == "DPUPR" and complaint.state == "assigned" and complaint.reporter_id is None
    assert complaint.source == "open311"
    assert complaint.api_key_id == db_session.scalar(select(ApiKey.id))
    assert complaint.contact == {"email": "warga@example.org", "device_id": "dev-77", "account_id": "acct-9",
                                 "first_name": "Siti", "last_name": "Aminah", "phone": "+6281234567890"}
    assert complaint.open311_token
    # Read back through GET: the OPD named, and none of the contact details.
    shown = client.get(f"{BASE}/requests/{answer['service_request_id']}.json")
    request = shown.get_json()[0]
    check_request(request)
    assert request["agency_responsible"] == toolkit.opd("DPUPR").name_id
    text = shown.get_data(as_text=True)
    for private in ("warga@example.org", "Siti", "Aminah", "6281234567890", "dev-77", "acct-9"):
        assert private not in text
    # The token of the filing finds the same request.
    token = db_session.get(Complaint, complaint.id).open311_token
    assert client.get(f"{BASE}/tokens/{token}.json").get_json() == [
        {"service_request_id": answer["service_request_id"], "token": token}]


def test_the_xml_answer_carries_the_same_request(client, api_key):
    response = post(client, form(api_key), fmt="xml")
    assert response.status_code == 201
    assert ET.fromstring(response.data).tag == "service_requests"
    data = xml_data(response)
    assert len(data) == 1 and data[0]["service_request_id"].startswith("RBG-") and data[0]["account_id"] == "acct-9"
    assert response.headers["X-Open311-Token"]


def test_kecamatan_overrides_route_open311_requests_as_they_route_the_app(client, login_as, db_session, api_key):
    ensure_categories()
    category = db_session.scalar(select(Category).where(Category.code == "SAMPAH"))
    category.routing_overrides = {"36.73.01": "DISPERKIM"}
    db_session.commit()
    app_filing = client.post("/api/v1/rabeg/complaints", headers=login_as("citizen"), json={
        "category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.", "kelurahan": KELURAHAN})
    assert app_filing.get_json()["opd"] == "DISPERKIM"

    by_code = created(post(client, form(api_key, service_code="SAMPAH", lat=None, long=None, address_id=KELURAHAN)))
    # An address naming a kelurahan of the overridden kecamatan routes the same way.
    kelurahan = toolkit.region(KELURAHAN).name
    by_text = created(post(client, form(api_key, service_code="SAMPAH", lat=None, long=None,
                                        address_string=f"Jl. Veteran No. 3, {kelurahan}, Kota Serang")))
    # Elsewhere (a map point only), the category's own OPD.
    default = created(post(client, form(api_key, service_code="SAMPAH")))
    agencies = {r["service_request_id"]: r["agency_responsible"] for r in client.get(
        f"{BASE}/requests.json?service_code=SAMPAH").get_json()}
    assert agencies[by_code["service_request_id"]] == toolkit.opd("DISPERKIM").name_id
    assert agencies[by_text["service_request_id"]] == toolkit.opd("DISPERKIM").name_id
    assert agencies[default["service_request_id"]] == toolkit.opd("DLH").name_id
    rows = {c.public_number: c.opd_code for c in db_session.scalars(select(Complaint))}
    assert rows[by_code["service_request_id"]] == rows[by_text["service_request_id"]] == "DISPERKIM"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_unknown_or_revoked_key_is_403_and_files_nothing(client, login_as, db_session, api_key, fmt):
    admin = login_as("admin")
    before = count(db_session)
    for bad in (None, "", "rbg_not-a-key", api_key + "x", "k" * 5000):
        descriptions = check_errors(post(client, form(bad), fmt=fmt), 403)
        assert "api_key" in descriptions[0]
    key_id = client.get(KEYS, headers=admin).get_json()["items"][0]["id"]
    assert client.delete(f"{KEYS}/{key_id}", headers=admin).status_code == 200
    check_errors(post(client, form(api_key), fmt=fmt), 403)
    assert count(db_session) == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_or_invalid_arguments_are_400_naming_the_field(client, db_session, api_key, fmt):
    before = count(db_session)
    cases = [
        (form(api_key, service_code=None), "service_code"),
        (form(api_key, lat=None, long=None), "location"),
        (form(api_key, long=None), "lat and long"),
        (form(api_key, lat="-7.5"), "lat"),
        (form(api_key, long="abc"), "long"),
        (form(api_key, lat=None, long=None, address_id="36.73.99.9999"), "address_id"),
        (form(api_key, lat=None, long=None, address_string="Somewhere far away"), "address_string"),
        (form(api_key, description="x" * 4001), "description"),
        (form(api_key, media_url="ftp://example.org/photo.jpg"), "media_url"),
        (form(api_key, jurisdiction_id="sfgov.org"), None),
    ]
    for data, named in cases:
        status = 404 if named is None else 400
        descriptions = check_errors(post(client, data, fmt=fmt), status)
        if named:
            assert any(named in d for d in descriptions), (named, descriptions)
    assert "NOPE" in check_errors(post(client, form(api_key, service_code="NOPE"), fmt=fmt), 404)[0]
    assert count(db_session) == before


def test_attributes_are_checked_by_datatype_and_required_ones_named(client, db_session, api_key, sampah_questions):
    before = count(db_session)
    missing = check_errors(post(client, form(api_key, service_code="SAMPAH")), 400)
    assert any(d.startswith("attribute[jenis]") and "required" in d for d in missing)
    wrong = check_errors(post(client, form(api_key, service_code="SAMPAH", **{
        "attribute[jenis]": "plastik", "attribute[volume]": "banyak", "attribute[sejak]": "2026-11-01T08:00:00",
        "attribute[tidak_ditanya]": "x"})), 400)
    assert {d.split(":")[0] for d in wrong} == {"attribute[jenis]", "attribute[volume]", "attribute[sejak]",
                                                "attribute[tidak_ditanya]"}
    assert count(db_session) == before

    answer = created(client.post(f"{BASE}/requests.json", data=MultiDict([
        ("api_key", api_key), ("service_code", "SAMPAH"), ("address_id", KELURAHAN),
        ("attribute[jenis]", "b3"), ("attribute[volume]", "2.5"), ("attribute[sejak]", "2026-11-01T08:00:00+07:00"),
        ("attribute[lokasi_tepat]", "depan masjid"), ("attribute[dampak][]", "bau"), ("attribute[dampak][]", "banjir"),
    ])))
    complaint = db_session.scalar(select(Complaint).where(Complaint.public_number == answer["service_request_id"]))
    assert complaint.answers == {"jenis": "b3", "volume": 2.5, "sejak": "2026-11-01T01:00:00Z",
                                 "lokasi_tepat": "depan masjid", "dampak": ["bau", "banjir"]}
    # No description sent (optional in GeoReport): the service name stands in.
    assert complaint.description.startswith("Sampah menumpuk")


def test_a_json_body_works_too(client, db_session, api_key, sampah_questions):
    response = client.post(f"{BASE}/requests.json", json={
        "api_key": api_key, "service_code": "SAMPAH", "lat": -6.12, "long": 106.15,
        "description": "Tumpukan sampah rumah tangga sudah seminggu.",
        "attribute": {"jenis": "rumah", "volume": 3, "dampak": ["bau"]}})
    answer = created(response)
    complaint = db_session.scalar(select(Complaint).where(Complaint.public_number == answer["service_request_id"]))
    assert complaint.answers == {"jenis": "rumah", "volume": 3, "dampak": ["bau"]}
    check_errors(client.post(f"{BASE}/requests.json", json=[1, 2]), 400)


def test_api_keys_are_shown_once_listed_without_the_key_and_revoked_with_an_audit(client, login_as, db_session):
    admin = login_as("admin")
    for role in ("citizen", "officer"):
        refused = client.post(KEYS, json={"name": "x"}, headers=login_as(role))
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get(KEYS).status_code == 401
    assert client.post(KEYS, json={"name": ""}, headers=admin).status_code == 422

    issued = client.post(KEYS, json={"name": "Dashboard Bappeda"}, headers=admin).get_json()
    key = issued["key"]
    assert key.startswith(issued["prefix"]) and issued["revoked_at"] is None and issued["last_used_at"] is None
    stored = db_session.get(ApiKey, issued["id"])
    assert key not in (stored.key_hash, stored.prefix)  # only a hash is kept

    listed = client.get(KEYS, headers=admin)
    assert key not in listed.get_data(as_text=True)
    item = listed.get_json()["items"][0]
    assert item["name"] == "Dashboard Bappeda" and "key" not in item

    created(post(client, form(key)))
    assert client.get(KEYS, headers=admin).get_json()["items"][0]["last_used_at"] is not None

    revoked = client.delete(f"{KEYS}/{issued['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    again = client.delete(f"{KEYS}/{issued['id']}", headers=admin)
    assert again.get_json()["revoked_at"] == revoked.get_json()["revoked_at"]
    assert client.delete(f"{KEYS}/999999", headers=admin).status_code == 404
    assert client.delete(f"{KEYS}/{issued['id']}", headers=login_as("officer")).status_code == 403
    check_errors(post(client, form(key)), 403)

    audit = client.get("/api/v1/admin/audit", query_string={"target_type": "rabeg_api_key"}, headers=admin).get_json()
    actions = sorted(e["action"] for e in audit["items"])
    assert actions == ["rabeg.api_key.create", "rabeg.api_key.revoke"]
    assert key not in str(audit)


def test_the_cli_creates_lists_and_revokes_keys(app, client, db_session):
    result = invoke_cli(app, ["rabeg", "api-keys", "create", "Aplikasi Kelurahan"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("rbg_")
    created(post(client, form(key)))

    listing = invoke_cli(app, ["rabeg", "api-keys", "list"])
    assert listing.exit_code == 0 and "Aplikasi Kelurahan" in listing.output and "active" in listing.output
    assert key not in listing.output
    key_id = db_session.scalar(select(ApiKey.id).where(ApiKey.name == "Aplikasi Kelurahan"))
    revoked = invoke_cli(app, ["rabeg", "api-keys", "revoke", str(key_id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    check_errors(post(client, form(key)), 403)
    assert invoke_cli(app, ["rabeg", "api-keys", "revoke", "424242"]).exit_code != 0


def test_the_post_is_documented_in_both_content_types(app):
    paths = openapi_spec(app)["paths"]
    operation = paths["/open311/v2/requests.{fmt}"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "application/json"}
    assert set(operation["responses"]["201"]["content"]) == {"application/json", "text/xml"}
    assert set(operation["responses"]["default"]["content"]) == {"application/json", "text/xml"}
    assert "/open311/v2/requests/{service_request_id}.{fmt}" in paths
    assert as_xml_text({"a": True}) == {"a": "true"}  # the helper the conformance checks rely on


def test_without_email_or_phone_a_request_is_anonymous_and_only_where_the_category_allows(client, db_session,
                                                                                          api_key):
    before = count(db_session)
    descriptions = check_errors(post(client, form(api_key, service_code="KESEHATAN", email=None, phone=None)), 400)
    assert "anonymous" in descriptions[0]
    assert count(db_session) == before
    named = created(post(client, form(api_key, service_code="KESEHATAN", phone=None)))
    anonymous = created(post(client, form(api_key, email=None, phone=None, first_name=None, last_name=None)))
    rows = {c.public_number: c for c in db_session.scalars(select(Complaint))}
    assert rows[named["service_request_id"]].anonymous is False
    assert rows[anonymous["service_request_id"]].anonymous is True


def test_listing_the_api_keys_creates_no_instance_folder(tmp_path):
    """A read run in the wrong place names the database it expected and leaves nothing behind."""
    instance = tmp_path / "nowhere" / "instance"
    env = {"RAGEM_DATABASE_URL": None, "RAGEM_INSTANCE_PATH": str(instance), "RAGEM_ENV": "development",
           "RAGEM_LOG_JSON": "false", "RAGEM_SCHEDULER": "false", "RAGEM_LOG_LEVEL": "ERROR"}
    result = invoke_cli(None, ["rabeg", "api-keys", "list"], env=env)
    assert result.exit_code != 0
    assert "run `ragem db upgrade`" in result.output, result.output
    assert not (tmp_path / "nowhere").exists()


def test_the_form_limits_in_the_contract_are_the_ones_enforced(app, client, db_session, api_key):
    properties = openapi_spec(app)["components"]["schemas"]["Open311RequestForm"]["properties"]
    limits = {name: spec["maxLength"] for name, spec in properties.items() if "maxLength" in spec}
    assert {"service_code", "address_string", "address_id", "description", "media_url", "phone"} <= set(limits)
    before = count(db_session)
    for name, longest in limits.items():
        over = {name: "x" * (longest + 1)} if name != "address_string" else {
            "lat": None, "long": None, name: "x" * (longest + 1)}
        descriptions = check_errors(post(client, form(api_key, **over)), 400)
        assert any(name in d and str(longest) in d for d in descriptions), (name, descriptions)
    assert count(db_session) == before
    at_limit = {"description": "x" * limits["description"], "first_name": "S" * limits["first_name"],
                "device_id": "d" * limits["device_id"],
                "media_url": "https://example.org/" + "a" * (limits["media_url"] - len("https://example.org/"))}
    created(post(client, form(api_key, **at_limit)))
    assert count(db_session) == before + 1
