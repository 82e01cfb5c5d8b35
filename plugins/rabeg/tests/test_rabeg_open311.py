"""Open311 GeoReport v2 conformance: discovery, services, service definitions, GET requests, a single
request and tokens, in JSON and XML, checked against the specification's field rules.

The validator below encodes those rules (required keys of each object, types, w3c datetimes with a
time zone, ``open``/``closed``, the error list) and ``xml_data`` reads an XML answer back into the
JSON shape (the specification's "Spark convention"), so each XML answer must carry exactly the JSON
answer's content under the element names of the specification.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import ensure_categories

BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
WIB_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")
KELURAHAN = "36.73.01.1001"  # in kecamatan Serang (36.73.01)
#: XML list element -> its item element, as the specification's examples name them.
LISTS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}

STR, OPT_STR, BOOL, INT, DATE, OPT_DATE, OPT_NUM = "str", "str?", "bool", "int", "date", "date?", "num?"
SERVICE = {"service_code": STR, "service_name": STR, "description": STR, "metadata": BOOL, "type": STR,
           "keywords": STR, "group": STR}
ATTRIBUTE = {"variable": BOOL, "code": STR, "datatype": STR, "required": BOOL, "datatype_description": OPT_STR,
             "order": INT, "description": STR}
REQUEST = {"service_request_id": STR, "status": STR, "status_notes": OPT_STR, "service_name": STR,
           "service_code": STR, "description": OPT_STR, "agency_responsible": OPT_STR, "service_notice": OPT_STR,
           "requested_datetime": DATE, "updated_datetime": DATE, "expected_datetime": OPT_DATE, "address": OPT_STR,
           "address_id": OPT_STR, "zipcode": OPT_STR, "lat": OPT_NUM, "long": OPT_NUM, "media_url": OPT_STR}
DISCOVERY = {"changeset": STR, "contact": STR, "key_service": STR}
ENDPOINT = {"specification": STR, "url": STR, "changeset": STR, "type": STR}


# -- the validator -----------------------------------------------------------------------------

def check_fields(item: dict, rules: dict[str, str], extra: set[str] = frozenset()) -> None:
    """``item`` has exactly the keys of ``rules`` (plus ``extra``), each of its type."""
    assert set(item) - set(extra) == set(rules), f"keys {sorted(item)} != {sorted(rules)}"
    for key, rule in rules.items():
        value = item[key]
        if rule.endswith("?") and value is None:
            continue
        kind = rule.rstrip("?")
        if kind == "str":
            assert isinstance(value, str) and value, f"{key}={value!r}"
        elif kind == "bool":
            assert isinstance(value, bool), f"{key}={value!r}"
        elif kind == "int":
            assert isinstance(value, int) and not isinstance(value, bool) and value > 0, f"{key}={value!r}"
        elif kind == "num":
            assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{key}={value!r}"
        elif kind == "date":
            assert isinstance(value, str) and W3C.match(value), f"{key}={value!r} is not a w3c datetime with zone"
            assert WIB_DATETIME.match(value), f"{key}={value!r} is not in WIB"


def check_service(item: dict) -> None:
    check_fields(item, SERVICE)
    assert item["type"] in ("realtime", "batch", "blackbox")


def check_definition(doc: dict) -> None:
    assert set(doc) == {"service_code", "attributes"} and isinstance(doc["attributes"], list)
    orders = []
    for attribute in doc["attributes"]:
        check_fields(attribute, ATTRIBUTE, extra={"values"})
        assert attribute["datatype"] in ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
        orders.append(attribute["order"])
        if attribute["datatype"] in ("singlevaluelist", "multivaluelist"):
            assert attribute["values"] and all(set(v) == {"key", "name"} for v in attribute["values"])
        else:
            assert "values" not in attribute
    assert len(set(orders)) == len(orders), "order must be unique within a service"


def check_request(item: dict) -> None:
    check_fields(item, REQUEST)
    assert item["status"] in ("open", "closed")


def check_discovery(doc: dict) -> None:
    check_fields(doc, DISCOVERY, extra={"endpoints"})
    assert doc["endpoints"]
    for endpoint in doc["endpoints"]:
        check_fields(endpoint, ENDPOINT, extra={"formats"})
        assert endpoint["type"] in ("production", "test")
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}


def check_errors(response, status: int) -> list[str]:
    """A GeoReport error answer with HTTP ``status``; returns the descriptions."""
    assert response.status_code == status, response.get_data(as_text=True)
    if response.mimetype == "text/xml":
        data = xml_data(response)
        assert isinstance(data, list)
    else:
        assert response.content_type == "application/json; charset=utf-8"
        data = response.get_json()
    assert isinstance(data, list) and data, data
    for error in data:
        assert set(error) == {"code", "description"} and error["description"]
        assert int(error["code"]) == status
    return [e["description"] for e in data]


def _element(node: ET.Element):
    if node.tag in LISTS:
        assert all(child.tag == LISTS[node.tag] for child in node), f"<{node.tag}> holds {[c.tag for c in node]}"
        return [_element(child) for child in node]
    if len(node):
        return {child.tag: _element(child) for child in node}
    return node.text if node.text else None


def xml_data(response):
    """An XML answer read back into the JSON shape (after checking its headers and declaration)."""
    assert response.content_type == "text/xml; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return _element(ET.fromstring(response.data))


def as_xml_text(value):
    """A JSON answer as the XML carries it: every leaf a string, empty and null alike."""
    if isinstance(value, list):
        return [as_xml_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_xml_text(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value == "":
        return None
    return str(value)


def both(client, path: str, **kwargs):
    """GET ``path`` as .json and .xml; checks both carry the same content and returns the JSON."""
    as_json = client.get(f"{BASE}/{path}.json", **kwargs)
    as_xml = client.get(f"{BASE}/{path}.xml", **kwargs)
    assert as_json.status_code == as_xml.status_code == 200, as_json.get_data(as_text=True)
    assert as_json.content_type == "application/json; charset=utf-8"
    data = as_json.get_json()
    # Signed photo links carry their expiry: two requests a second apart sign differently.
    assert unsigned(xml_data(as_xml)) == unsigned(as_xml_text(data))
    return data


def unsigned(value):
    """``value`` with the query string (expiry and signature) cut from every signed file link."""
    if isinstance(value, dict):
        return {k: unsigned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unsigned(v) for v in value]
    if isinstance(value, str) and "/api/v1/files/" in value:
        return value.split("?", 1)[0]
    return value


def root_tag(response) -> str:
    return ET.fromstring(response.data).tag


# -- fixtures ----------------------------------------------------------------------------------

QUESTIONS = [
    {"code": "jenis", "datatype": "singlevaluelist", "required": True, "order": 5,
     "description": {"id": "Jenis sampah", "en": "Kind of rubbish"},
     "values": [{"key": "rumah", "name": {"id": "Rumah tangga", "en": "Household"}},
                {"key": "b3", "name": {"id": "Berbahaya", "en": "Hazardous"}}]},
    {"code": "volume", "datatype": "number", "required": False, "order": 0,
     "description": {"id": "Perkiraan volume (m3)", "en": "Estimated volume (m3)"}},
    {"code": "sejak", "datatype": "datetime", "required": False, "order": 7,
     "description": {"id": "Sejak kapan?", "en": "Since when?"}},
    {"code": "lokasi_tepat", "datatype": "string", "required": False, "order": 8,
     "description": {"id": "Patokan", "en": "Landmark"}},
    {"code": "catatan", "datatype": "text", "required": False, "order": 9,
     "description": {"id": "Catatan", "en": "Notes"}},
    {"code": "dampak", "datatype": "multivaluelist", "required": False, "order": 9,
     "description": {"id": "Dampak", "en": "Effects"},
     "values": [{"key": "bau", "name": {"id": "Bau", "en": "Smell"}},
                {"key": "banjir", "name": {"id": "Menyumbat saluran", "en": "Blocks drains"}}]},
]


@pytest.fixture
def sampah_questions(db_session):
    """SAMPAH asks one question of every datatype (``jenis`` required)."""
    ensure_categories()
    category = db_session.scalar(select(Category).where(Category.code == "SAMPAH"))
    category.questions = QUESTIONS
    db_session.commit()
    return category


def file_in_app(client, login_as, **overrides):
    body = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "lat": -6.12, "lon": 106.15, "kelurahan": KELURAHAN, "address": "Jl. Ahmad Yani 10"}
    body.update(overrides)
    citizen = login_as("citizen")
    response = client.post("/api/v1/rabeg/complaints", json=body, headers=citizen)
    assert response.status_code == 201, response.get_json()
    return response.get_json(), citizen


def add_complaints(app, count: int, *, age: timedelta = timedelta(0), state: str = "assigned",
                   category: str = "JALAN_RUSAK", start: int = 0) -> list[str]:
    """``count`` complaints filed ``age`` ago (one second apart), straight into the table."""
    with app.app_context():
        ensure_categories()
        session = toolkit.db.session
        cat = session.scalar(select(Category).where(Category.code == category))
        now = toolkit.utcnow() - age
        numbers = []
        for i in range(count):
            number = f"RBG-T-{start + i:06d}"
            numbers.append(number)
            session.add(Complaint(
                public_number=number, category_id=cat.id, opd_code=cat.opd_code, state=state,
                description=f"Keluhan uji nomor {start + i}", created_at=now - timedelta(seconds=i),
                first_response_due=now + timedelta(days=1), resolution_due=now + timedelta(days=5),
                lat=-6.12, lon=106.15, kelurahan_code=KELURAHAN, escalated=False, answers={},
            ))
        session.commit()
        return numbers


# -- discovery and services ----------------------------------------------------------------------

def test_discovery_names_this_geo_report_v2_endpoint_in_both_formats(client):
    doc = both(client, "discovery")
    check_discovery(doc)
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2" and endpoint["type"] == "production"
    assert root_tag(client.get(f"{BASE}/discovery.xml")) == "discovery"


def test_services_are_the_active_categories_with_names_by_language(client, db_session, sampah_questions):
    services = both(client, "services")
    for service in services:
        check_service(service)
    by_code = {s["service_code"]: s for s in services}
    codes = set(db_session.scalars(select(Category.code).where(Category.active.is_(True))))
    assert set(by_code) == codes
    assert by_code["SAMPAH"]["service_name"] == "Sampah menumpuk" and by_code["SAMPAH"]["metadata"] is True
    assert by_code["SAMPAH"]["group"] == toolkit.opd("DLH").name_id
    assert by_code["KETERTIBAN"]["metadata"] is False
    english = {s["service_code"]: s for s in both(client, "services", headers={"Accept-Language": "en"})}
    assert english["SAMPAH"]["service_name"] == "Uncollected rubbish"
    assert root_tag(client.get(f"{BASE}/services.xml")) == "services"

    # An inactive category is no longer a service (nor can it be defined).
    sampah_questions.active = False
    db_session.commit()
    assert "SAMPAH" not in {s["service_code"] for s in both(client, "services")}
    check_errors(client.get(f"{BASE}/services/SAMPAH.json"), 404)


def test_a_definition_lists_the_questions_as_attributes_in_order(client, sampah_questions):
    definition = both(client, "services/SAMPAH")
    check_definition(definition)
    assert definition["service_code"] == "SAMPAH"
    attributes = definition["attributes"]
    # Sorted by the category's order, then code; numbered 1, 2, ... as the specification asks.
    assert [a["code"] for a in attributes] == ["volume", "jenis", "sejak", "lokasi_tepat", "catatan", "dampak"]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5, 6]
    jenis = attributes[1]
    assert jenis["required"] is True and jenis["variable"] is True and jenis["datatype"] == "singlevaluelist"
    assert jenis["description"] == "Jenis sampah"
    assert jenis["values"] == [{"key": "rumah", "name": "Rumah tangga"}, {"key": "b3", "name": "Berbahaya"}]
    assert {a["datatype"] for a in attributes} == {"string", "number", "datetime", "text", "singlevaluelist",
                                                   "multivaluelist"}
    english = both(client, "services/SAMPAH", headers={"Accept-Language": "en"})
    assert english["attributes"][1]["values"][1]["name"] == "Hazardous"
    assert root_tag(client.get(f"{BASE}/services/SAMPAH.xml")) == "service_definition"


def test_a_service_without_metadata_has_an_empty_definition_and_unknown_codes_are_404(client):
    assert both(client, "services/KETERTIBAN") == {"service_code": "KETERTIBAN", "attributes": []}
    for fmt in ("json", "xml"):
        descriptions = check_errors(client.get(f"{BASE}/services/NOPE.{fmt}"), 404)
        assert "NOPE" in descriptions[0]


def test_unknown_formats_and_paths_are_geo_report_404s_never_the_envelope(client):
    for path in ("services.yaml", "services.html", "discovery.JSON", "requests/RBG-2026-000001.csv", "nothing",
                 "services/SAMPAH/extra.json"):
        check_errors(client.get(f"{BASE}/{path}"), 404)
    assert check_errors(client.get(f"{BASE}/nothing.xml"), 404)
    assert client.post(f"{BASE}/requests.txt", data={"api_key": "x"}).status_code == 404


def test_a_foreign_jurisdiction_is_404_and_ours_or_none_works(client):
    assert both(client, "services", query_string={"jurisdiction_id": "serangkota.go.id"})
    assert both(client, "services", query_string={"jurisdiction_id": ""})
    for path in ("services", "services/SAMPAH", "requests"):
        descriptions = check_errors(client.get(f"{BASE}/{path}.json?jurisdiction_id=sfgov.org"), 404)
        assert "jurisdiction_id" in descriptions[0]


def test_a_switched_off_service_answers_503_as_a_geo_report_error(client, login_as):
    admin = login_as("admin")
    assert client.patch("/api/v1/admin/services/rabeg", json={"enabled": False, "reason": "pemeliharaan"},
                        headers=admin).status_code == 200
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/services.{fmt}")
        check_errors(response, 503)
        assert response.headers["Retry-After"]


# -- GET requests --------------------------------------------------------------------------------

def test_requests_conform_in_both_formats_and_carry_no_personal_data(app, client, login_as, db_session):
    filed, citizen = file_in_app(client, login_as, show_name_publicly=True)
    requests = both(client, "requests")
    assert len(requests) == 1
    request = requests[0]
    check_request(request)
    complaint = db_session.get(Complaint, filed["id"])
    assert request["service_request_id"] == filed["public_number"]
    assert request["status"] == "open" and request["service_code"] == "JALAN_RUSAK"
    assert request["agency_responsible"] == toolkit.opd("DPUPR").name_id
    assert request["description"] == "Jalan berlubang besar di depan pasar."
    assert request["lat"] == -6.12 and request["long"] == 106.15 and request["address_id"] == KELURAHAN
    assert request["status_notes"] and "DPUPR" not in request["status_notes"]
    # Times in WIB: the same instants as the stored UTC ones.
    assert request["requested_datetime"] == (complaint.created_at + timedelta(hours=7)).replace(
        microsecond=0).isoformat() + "+07:00"
    assert request["expected_datetime"] == (complaint.resolution_due + timedelta(hours=7)).replace(
        microsecond=0).isoformat() + "+07:00"
    # No person: not the reporter's id, name or the address text they typed.
    text = client.get(f"{BASE}/requests.json").get_data(as_text=True) + client.get(
        f"{BASE}/requests.xml").get_data(as_text=True)
    assert citizen["X-Test-User-Id"] not in text
    assert complaint.reporter_display_name and complaint.reporter_display_name not in text
    assert "Ahmad Yani" not in text and request["address"] is None


def test_status_is_open_until_resolved_closed_or_rejected(app, client):
    states = ("submitted", "assigned", "in_progress", "reopened", "resolved", "closed", "rejected")
    numbers = {}
    for i, state in enumerate(states):
        numbers[state] = add_complaints(app, 1, state=state, start=i)[0]
    statuses = {r["service_request_id"]: r["status"] for r in both(client, "requests")}
    assert statuses == {numbers[s]: ("open" if i < 4 else "closed") for i, s in enumerate(states)}
    open_only = {r["service_request_id"] for r in both(client, "requests", query_string={"status": "open"})}
    assert open_only == {numbers[s] for s in states[:4]}
    closed_only = {r["service_request_id"] for r in both(client, "requests", query_string={"status": "closed"})}
    assert closed_only == {numbers[s] for s in states[4:]}
    assert len(both(client, "requests", query_string={"status": "open,closed"})) == len(states)
    check_errors(client.get(f"{BASE}/requests.json?status=pending"), 400)


def test_filters_by_id_service_code_and_dates(app, client):
    roads = add_complaints(app, 3, category="JALAN_RUSAK", start=0)
    rubbish = add_complaints(app, 2, category="SAMPAH", start=10)
    lights = add_complaints(app, 1, category="PJU", start=20, age=timedelta(days=10))

    by_code = both(client, "requests", query_string={"service_code": "SAMPAH,PJU"})
    assert [r["service_request_id"] for r in by_code] == rubbish + lights  # newest first
    assert both(client, "requests", query_string={"service_code": "NOPE"}) == []

    # service_request_id overrides every other argument, and unknown ids are simply absent.
    ids = f"{roads[1]},{lights[0]},RBG-0000-999999"
    picked = both(client, "requests", query_string={"service_request_id": ids, "service_code": "SAMPAH",
                                                     "status": "closed"})
    assert [r["service_request_id"] for r in picked] == [roads[1], lights[0]]

    now = toolkit.utcnow()
    window = {"start_date": (now - timedelta(days=11)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "end_date": (now - timedelta(days=9) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S+07:00")}
    assert [r["service_request_id"] for r in both(client, "requests", query_string=window)] == lights
    # An unencoded "+07:00" (a space after decoding) is still the zone.
    raw = (now - timedelta(days=2) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    assert len(client.get(f"{BASE}/requests.json?start_date={raw}").get_json()) == 5

    for bad in ({"start_date": "2026-11-01T00:00:00"}, {"end_date": "kemarin"},
                {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
                {"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}):
        for fmt in ("json", "xml"):
            check_errors(client.get(f"{BASE}/requests.{fmt}", query_string=bad), 400)


def test_the_default_is_the_latest_90_days_and_at_most_1000_with_pages(app, client):
    recent = add_complaints(app, 1001, start=0)
    old = add_complaints(app, 1, age=timedelta(days=91), start=5000)
    default = client.get(f"{BASE}/requests.json").get_json()
    assert len(default) == 1000
    assert [r["service_request_id"] for r in default] == recent[:1000]
    assert old[0] not in {r["service_request_id"] for r in default}
    second = client.get(f"{BASE}/requests.json?page=2").get_json()
    assert [r["service_request_id"] for r in second] == recent[1000:]
    third = both(client, "requests", query_string={"page": "3", "page_size": "10"})
    assert [r["service_request_id"] for r in third] == recent[20:30]
    for check in third:
        check_request(check)
    # The old one is there when asked for its window.
    start = (toolkit.utcnow() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    older = client.get(f"{BASE}/requests.json", query_string={"start_date": start, "page_size": "1000"}).get_json()
    assert old[0] in {r["service_request_id"] for r in older}
    for bad in ("0", "1001", "abc", "-1"):
        check_errors(client.get(f"{BASE}/requests.json?page_size={bad}"), 400)
    for bad in ("0", "1000001", "1000000000000", "١"):  # the last: an Arabic-Indic digit one
        check_errors(client.get(f"{BASE}/requests.json", query_string={"page": bad}), 400)


def test_one_request_by_id_and_404_for_unknown(app, client, login_as):
    filed, _citizen = file_in_app(client, login_as)
    one = both(client, f"requests/{filed['public_number']}")
    assert len(one) == 1 and one[0]["service_request_id"] == filed["public_number"]
    check_request(one[0])
    assert root_tag(client.get(f"{BASE}/requests/{filed['public_number']}.xml")) == "service_requests"
    for fmt in ("json", "xml"):
        assert "RBG-2026-999999" in check_errors(client.get(f"{BASE}/requests/RBG-2026-999999.{fmt}"), 404)[0]
    check_errors(client.get(f"{BASE}/requests/{filed['id']}.json"), 404)  # the id is the public number


def test_updated_datetime_follows_the_latest_change_and_the_closing(app, client, login_as, db_session):
    filed, _citizen = file_in_app(client, login_as)
    complaint = db_session.get(Complaint, filed["id"])
    closed_at = complaint.created_at + timedelta(days=3, hours=2)
    complaint.state, complaint.closed_at = "closed", closed_at
    db_session.commit()
    request = both(client, f"requests/{filed['public_number']}")[0]
    assert request["status"] == "closed"
    assert request["updated_datetime"] == (closed_at + timedelta(hours=7)).replace(microsecond=0).isoformat() + "+07:00"


def test_a_duplicate_shows_only_that_it_existed(app, client, login_as, db_session):
    original, _ = file_in_app(client, login_as)
    duplicate, _ = file_in_app(client, login_as, description="Jalan rusak parah di depan pasar lama.")
    row = db_session.get(Complaint, duplicate["id"])
    row.duplicate_of_id, row.state = original["id"], "rejected"
    db_session.commit()
    shown = both(client, f"requests/{duplicate['public_number']}")[0]
    check_request(shown)
    assert shown["description"] is None and shown["lat"] is None and shown["long"] is None
    assert shown["status"] == "closed"


def test_xml_stays_well_formed_with_markup_and_control_characters(app, client, db_session):
    number = add_complaints(app, 1)[0]
    row = db_session.scalar(select(Complaint).where(Complaint.public_number == number))
    row.description = "Ada <script>&\"' dan \x01\x0b kontrol"
    db_session.commit()
    # JSON keeps every character; XML 1.0 cannot hold control characters, so they are dropped.
    assert client.get(f"{BASE}/requests/{number}.json").get_json()[0]["description"] == row.description
    as_xml = xml_data(client.get(f"{BASE}/requests/{number}.xml"))
    assert as_xml[0]["description"] == "Ada <script>&\"' dan  kontrol"


def test_tokens_give_the_request_id(app, client, db_session):
    number = add_complaints(app, 1)[0]
    row = db_session.scalar(select(Complaint).where(Complaint.public_number == number))
    row.open311_token = "tok-abc123"
    db_session.commit()
    assert both(client, "tokens/tok-abc123") == [{"service_request_id": number, "token": "tok-abc123"}]
    assert root_tag(client.get(f"{BASE}/tokens/tok-abc123.xml")) == "service_requests"
    for fmt in ("json", "xml"):
        check_errors(client.get(f"{BASE}/tokens/unknown.{fmt}"), 404)


def test_media_url_is_the_first_public_photo_or_the_clients_link(app, client, login_as, db_session):
    import io

    from PIL import Image

    citizen = login_as("citizen")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 120, 0)).save(out, "PNG")
    photo = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(out.getvalue()), "lubang.png")},
                        headers=citizen, content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    filed = client.post("/api/v1/rabeg/complaints", headers=citizen, json={
        "category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.", "kelurahan": KELURAHAN,
        "photos": [photo.get_json()["id"]]}).get_json()
    request = both(client, f"requests/{filed['public_number']}")[0]
    assert request["media_url"].startswith("http://localhost/api/v1/files/")
    image = client.get(request["media_url"].removeprefix("http://localhost"))
    assert image.status_code == 200 and image.mimetype == "image/png"

    # A moderated (hidden) photo is not shown; a link an Open311 client sent is.
    from plugins.rabeg.models import Photo

    db_session.scalar(select(Photo).where(Photo.complaint_id == filed["id"])).hidden = True
    row = db_session.get(Complaint, filed["id"])
    row.media_urls = ["https://lapor.example.org/foto/1.jpg"]
    db_session.commit()
    assert both(client, f"requests/{filed['public_number']}")[0]["media_url"] == "https://lapor.example.org/foto/1.jpg"
