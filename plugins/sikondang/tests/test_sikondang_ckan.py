"""The CKAN Action API at /satudata: CKAN's documented shapes, and a real CKAN client (ckanapi) against a live server."""
from __future__ import annotations

import threading

import ckanapi
import pytest
from sqlalchemy import event
from werkzeug.serving import make_server

from ragem import toolkit

from plugins.sikondang.models import Dataset
from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV

BASES = ("/satudata/api/3/action", "/satudata/api/action")


def ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"help", "success", "result"} and body["success"] is True
    assert body["help"].startswith("http://localhost/satudata/api/3/action/help_show?name=")
    return body["result"]


def error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"help", "success", "error"} and body["success"] is False
    return body["error"]


@pytest.fixture
def two_published(client, officer, login_as, create_dataset, upload):
    """akses-internet (DISKOMINFO, published), penduduk (DPUPR, published) and a DISKOMINFO draft."""
    admin = login_as("admin")
    create_dataset()
    create_dataset(name="penduduk", opd="DPUPR", headers=admin, tags=["kependudukan"], topic="kependudukan",
                   title={"id": "Jumlah penduduk", "en": "Population"}, description={"id": "", "en": ""})
    create_dataset(name="rahasia")
    for name in ("akses-internet", "penduduk"):
        assert upload(name, INTERNET_CSV, headers=admin).get_json()["status"] == "succeeded"
        assert client.patch(f"{DATASETS}/{name}", json={"state": "published"}, headers=admin).status_code == 200


@pytest.mark.parametrize("base", BASES)
def test_status_and_lists_in_ckans_envelope(client, two_published, base):
    status = ok(client.get(f"{base}/status_show"))
    assert status["ckan_version"].startswith("2.") and "datastore" in status["extensions"]
    assert ok(client.get(f"{base}/package_list")) == ["akses-internet", "penduduk"]
    assert ok(client.get(f"{base}/package_list?limit=1&offset=1")) == ["penduduk"]
    assert ok(client.get(f"{base}/organization_list")) == ["diskominfo", "dpupr"]
    organizations = ok(client.get(f"{base}/organization_list?all_fields=true"))
    assert [(o["name"], o["package_count"], o["is_organization"]) for o in organizations] == [
        ("diskominfo", 1, True), ("dpupr", 1, True)]


def test_package_show_has_ckans_package_shape(client, two_published):
    package = ok(client.get("/satudata/api/3/action/package_show?id=akses-internet"))
    for key in ("id", "name", "title", "notes", "license_id", "organization", "owner_org", "tags", "resources",
                "metadata_created", "metadata_modified", "extras", "num_resources", "num_tags", "state", "type"):
        assert key in package, key
    assert package["organization"]["name"] == "diskominfo" and package["license_id"] == "cc-by"
    assert [t["name"] for t in package["tags"]] == ["internet", "tik"]
    csv_resource = package["resources"][0]
    assert csv_resource["format"] == "CSV" and csv_resource["datastore_active"] is True
    assert csv_resource["url"] == "http://localhost/api/v1/sikondang/datasets/akses-internet/download.csv"
    assert {e["key"]: e["value"] for e in package["extras"]}["title_en"] == "Population accessing the internet"
    assert ok(client.get(f"/satudata/api/3/action/package_show?id={package['id']}"))["name"] == "akses-internet"
    assert error(client.get("/satudata/api/3/action/package_show?id=rahasia"), 404) == {
        "__type": "Not Found Error", "message": "Not found"}
    assert error(client.get("/satudata/api/3/action/package_show"), 409) == {
        "__type": "Validation Error", "id": ["Missing value"]}


def test_package_search_understands_q_fq_rows_and_start(client, two_published):
    def names(query):
        result = ok(client.get(f"/satudata/api/3/action/package_search?{query}"))
        return result["count"], [p["name"] for p in result["results"]]

    assert names("") == (2, ["penduduk", "akses-internet"])  # the latest change first
    assert names("q=internet") == (1, ["akses-internet"])
    assert names("q=*:*&fq=organization:dpupr") == (1, ["penduduk"])
    assert names("fq=tags:kependudukan") == (1, ["penduduk"])
    assert names("fq=%2Bdataset_type:dataset -organization:dpupr") == (1, ["akses-internet"])
    assert names("fq=metadata_modified:[2000-01-01T00:00:00Z TO *]") == (2, ["penduduk", "akses-internet"])
    assert names("fq=metadata_modified:[2999-01-01T00:00:00Z TO *]") == (0, [])
    assert names("rows=1&start=1&sort=name asc") == (2, ["penduduk"])
    assert names("fq=res_format:CSV AND groups:kependudukan") == (1, ["penduduk"])
    for bad in ("fq=secret_field:x", "q=a OR b", "sort=random", "fq=metadata_modified:[kemarin TO *]"):
        assert error(client.get(f"/satudata/api/3/action/package_search?{bad}"), 400)["__type"] == "Search Query Error"
    assert error(client.get("/satudata/api/3/action/package_search?rows=lots"), 409) == {
        "__type": "Validation Error", "rows": ["Invalid integer"]}


def test_datastore_search_filters_and_pages_the_table(client, two_published):
    package = ok(client.get("/satudata/api/3/action/package_show?id=akses-internet"))
    resource = package["resources"][0]["id"]
    result = ok(client.post("/satudata/api/3/action/datastore_search",
                            json={"resource_id": resource, "filters": {"region_code": "36.73"}, "limit": 1}))
    assert result["total"] == 2 and result["records"] == [{"_id": 1, "region_code": "36.73", "year": 2019, "percent": 51.98}]
    assert [f["id"] for f in result["fields"]] == ["_id", "region_code", "year", "percent"]
    following = ok(client.get(f"/satudata/api/3/action/datastore_search?resource_id={resource}"
                              '&filters={"region_code": "36.73"}&limit=1&offset=1'))
    assert following["records"] == [{"_id": 2, "region_code": "36.73", "year": 2020, "percent": 57.91}]
    listed = ok(client.get(f'/satudata/api/3/action/datastore_search?resource_id={resource}&filters={{"year": [2020]}}'))
    assert [r["region_code"] for r in listed["records"]] == ["36.73", "36.72"]
    assert error(client.get("/satudata/api/3/action/datastore_search?resource_id=nope"), 404)["__type"] == "Not Found Error"
    bad = error(client.get(f'/satudata/api/3/action/datastore_search?resource_id={resource}&filters={{"x": 1}}'), 409)
    assert bad == {"__type": "Validation Error", "filters": ['field "x" not in resource']}


def test_unknown_and_write_actions_are_refused_as_ckan_refuses_them(client, two_published):
    assert error(client.get("/satudata/api/3/action/nope"), 400) == "Bad request - Action name not known: nope"
    refused = error(client.post("/satudata/api/3/action/package_create", json={"name": "x"}), 403)
    assert refused["__type"] == "Authorization Error"
    assert error(client.post("/satudata/api/3/action/package_list", data="{oops",
                             content_type="application/json"), 400).startswith("Bad request - JSON Error")


def test_a_switched_off_service_answers_503_in_ckans_envelope(client, two_published, login_as):
    admin = login_as("admin")
    assert client.patch("/api/v1/admin/services/sikondang", json={"enabled": False, "reason": "pemeliharaan"},
                        headers=admin).status_code == 200
    refused = error(client.get("/satudata/api/3/action/package_list"), 503)
    assert refused["__type"] == "Service Unavailable"


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free port, in a thread: a CKAN client talks to it as to a CKAN site."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("get_only", [False, True])
def test_a_real_ckan_client_harvests_sikondang(two_published, live_server, get_only):
    with ckanapi.RemoteCKAN(f"{live_server}/satudata", get_only=get_only) as ckan:
        assert ckan.action.package_list() == ["akses-internet", "penduduk"]
        assert ckan.action.status_show()["site_title"].startswith("SIKONDANG")
        found = ckan.action.package_search(fq="organization:diskominfo", rows=10)
        assert found["count"] == 1
        package = ckan.action.package_show(id=found["results"][0]["name"])
        assert package["title"] == "Akses internet penduduk"
        assert ckan.action.organization_list() == ["diskominfo", "dpupr"]
        if not get_only:  # filters is a JSON object: a GET sends it as text, which ckanapi does not encode
            table = ckan.action.datastore_search(resource_id=package["resources"][0]["id"], filters={"year": 2020})
            assert [r["percent"] for r in table["records"]] == [57.91, 66.12]
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="rahasia")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_show()
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(q="a OR b")
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_create(name="x")


def test_help_show_documents_each_action_as_ckan_does(client, two_published):
    text = ok(client.get("/satudata/api/3/action/help_show?name=package_search"))
    assert "facet.field" in text and "rows" in text
    for name in ("status_show", "package_list", "package_show", "organization_list", "datastore_search", "help_show"):
        assert ok(client.get(f"/satudata/api/3/action/help_show?name={name}"))
    assert error(client.get("/satudata/api/3/action/help_show?name=package_create"), 404) == {
        "__type": "Not Found Error", "message": "Not found: Action function not found"}
    assert error(client.get("/satudata/api/3/action/help_show"), 409) == {
        "__type": "Validation Error", "name": ["Missing value"]}


def test_package_search_counts_facets_like_ckan(client, two_published):
    query = 'q=*:*&facet.field=["organization","tags","groups","res_format","license_id"]&rows=0'
    result = ok(client.get(f"/satudata/api/3/action/package_search?{query}"))
    assert result["count"] == 2 and result["results"] == []
    assert result["facets"] == {
        "organization": {"diskominfo": 1, "dpupr": 1}, "tags": {"internet": 1, "kependudukan": 1, "tik": 1},
        "groups": {"kependudukan": 1, "teknologi": 1}, "res_format": {"CSV": 2, "JSON": 2},
        "license_id": {"cc-by": 2}}
    tags = result["search_facets"]["tags"]
    assert tags["title"] == "tags"
    assert tags["items"] == [{"name": "tik", "display_name": "tik", "count": 1},
                             {"name": "kependudukan", "display_name": "kependudukan", "count": 1},
                             {"name": "internet", "display_name": "internet", "count": 1}]
    licence = result["search_facets"]["license_id"]["items"]
    assert licence == [{"name": "cc-by", "display_name": "Creative Commons Attribution", "count": 2}]
    # Facets follow the search, facet.limit keeps the commonest, a POST sends the list as JSON.
    narrowed = ok(client.post("/satudata/api/3/action/package_search",
                              json={"fq": "organization:dpupr", "facet.field": ["tags", "organization"], "facet.limit": 1}))
    assert narrowed["facets"] == {"tags": {"kependudukan": 1}, "organization": {"dpupr": 1}}
    limited = ok(client.get('/satudata/api/3/action/package_search?facet.field=["tags"]&facet.limit=2'))
    assert limited["facets"]["tags"] == {"internet": 1, "kependudukan": 1}
    assert ok(client.get("/satudata/api/3/action/package_search"))["search_facets"] == {}
    assert error(client.get("/satudata/api/3/action/package_search?facet.field=tags"), 409)["__type"] == "Validation Error"


def test_datastore_search_honours_q_fields_sort_and_total(client, two_published):
    package = ok(client.get("/satudata/api/3/action/package_show?id=akses-internet"))
    resource = package["resources"][0]["id"]

    def search(**params):
        return ok(client.post("/satudata/api/3/action/datastore_search", json={"resource_id": resource, **params}))

    ordered = search(sort="percent desc", fields=["region_code", "percent"])
    assert ordered["records"] == [{"region_code": "36.72", "percent": 66.12}, {"region_code": "36.72", "percent": 58.75},
                                  {"region_code": "36.73", "percent": 57.91}, {"region_code": "36.73", "percent": 51.98}]
    assert ordered["fields"] == [{"id": "region_code", "type": "text"}, {"id": "percent", "type": "numeric"}]
    assert ordered["total"] == 4 and ordered["total_was_estimated"] is False
    # q: words in any field (a region's name counts), or per field.
    assert [r["percent"] for r in search(q="cilegon", sort="year")["records"]] == [58.75, 66.12]
    assert search(q="cilegon 2020")["total"] == 1
    assert [r["region_code"] for r in search(q={"year": "2019"}, sort="region_code")["records"]] == ["36.72", "36.73"]
    assert search(q={"percent": "57.91"})["total"] == 1
    paged = search(sort="year, region_code desc", limit=2, offset=1, fields="year,region_code")
    assert paged["records"] == [{"year": 2019, "region_code": "36.72"}, {"year": 2020, "region_code": "36.73"}]
    assert paged["total"] == 4 and paged["limit"] == 2 and paged["offset"] == 1
    assert "total" not in search(include_total=False)
    assert search(limit=10**6)["limit"] == 32000  # lowered to the maximum, as CKAN does
    assert search(records_format="lists", fields=["year"], sort="year", limit=1)["records"] == [[2019]]
    via_get = ok(client.get(f"/satudata/api/3/action/datastore_search?resource_id={resource}"
                            "&q=serang&fields=year,percent&sort=year desc"))
    assert via_get["records"] == [{"year": 2020, "percent": 57.91}, {"year": 2019, "percent": 51.98}]
    for bad, field in (({"sort": "nope"}, "sort"), ({"fields": ["nope"]}, "fields"), ({"q": {"nope": "x"}}, "q"),
                       ({"records_format": "xml"}, "records_format"), ({"limit": -1}, "limit")):
        refused = client.post("/satudata/api/3/action/datastore_search", json={"resource_id": resource, **bad})
        assert error(refused, 409)["__type"] == "Validation Error" and field in error(refused, 409), bad


def test_ckan_actions_read_only_the_datasets_they_answer(app, client, two_published):
    """A search of a few rows, or a show by id, never loads every published dataset."""
    with app.app_context():
        for n in range(30):
            toolkit.db.session.add(Dataset(name=f"extra-{n:02d}", title_id=f"Tabel {n}", title_en=f"Table {n}",
                                           opd_code="DISKOMINFO", state="published", tags=["extra"]))
        toolkit.db.session.commit()
    loaded = []
    listener = lambda target, context: loaded.append(target.name)  # noqa: E731
    event.listen(Dataset, "load", listener)
    try:
        found = ok(client.get('/satudata/api/3/action/package_search?fq=tags:extra&rows=3&facet.field=["organization"]'))
        assert found["count"] == 30 and len(found["results"]) == 3
        assert found["facets"]["organization"] == {"diskominfo": 30}
        assert len(loaded) == 3
        loaded.clear()
        assert ok(client.get(f"/satudata/api/3/action/package_show?id={found['results'][0]['id']}"))
        assert len(loaded) == 1
        loaded.clear()
        assert len(ok(client.get("/satudata/api/3/action/package_list?limit=5"))) == 5
        assert ok(client.get("/satudata/api/3/action/organization_list"))
        assert loaded == []
    finally:
        event.remove(Dataset, "load", listener)


def test_a_real_ckan_client_reads_facets_and_searches_a_table(two_published, live_server):
    with ckanapi.RemoteCKAN(f"{live_server}/satudata") as ckan:
        found = ckan.action.package_search(q="*:*", **{"facet.field": ["organization"], "facet.limit": 10})
        assert {i["name"]: i["count"] for i in found["search_facets"]["organization"]["items"]} == {
            "diskominfo": 1, "dpupr": 1}
        resource = ckan.action.package_show(id="akses-internet")["resources"][0]["id"]
        table = ckan.action.datastore_search(resource_id=resource, q="serang", sort="year desc", fields=["year"])
        assert table["records"] == [{"year": 2020}, {"year": 2019}] and table["total"] == 2
        assert "facet.field" in ckan.action.help_show(name="package_search")


HOSTILE = ["", "x" * 2000, "{", "[", "[]", "{}", "null", "-1", "99999999999999999999", "true", "a b:c", '"',
           "*:* OR", "%_\\", "Ω", "nan", "1e400", "x\x00", ["a", "b"], {"a": 1}, [], {}, 10**20, -1, True, 1.5, None]
PARAMS = {
    "help_show": ["name"], "package_list": ["limit", "offset"], "package_show": ["id"],
    "package_search": ["q", "fq", "rows", "start", "sort", "facet", "facet.field", "facet.limit", "facet.mincount"],
    "organization_list": ["all_fields"],
    "datastore_search": ["filters", "q", "fields", "sort", "limit", "offset", "include_total", "records_format"],
}


def test_hostile_parameters_get_ckans_errors_never_a_500(client, two_published):
    package = ok(client.get("/satudata/api/3/action/package_show?id=akses-internet"))
    base = {"datastore_search": {"resource_id": package["resources"][0]["id"]}}
    for action, names in PARAMS.items():
        for name in names:
            for value in HOSTILE:
                answer = client.post(f"/satudata/api/3/action/{action}", json={**base.get(action, {}), name: value})
                assert answer.status_code in (200, 400, 404, 409), (action, name, value, answer.get_data(as_text=True))
                body = answer.get_json()
                assert set(body) in ({"help", "success", "result"}, {"help", "success", "error"}), (action, name, value)
                if isinstance(value, str):
                    via_get = client.get(f"/satudata/api/3/action/{action}", query_string={
                        **base.get(action, {}), name: value})
                    assert via_get.status_code in (200, 400, 404, 409), (action, name, value)


def test_json_parameters_in_a_query_string_are_checked_like_bodies(client, two_published):
    package = ok(client.get("/satudata/api/3/action/package_show?id=akses-internet"))
    resource = package["resources"][0]["id"]
    for name, value in (("filters", '{"region_code": "a\\u0000"}'), ("q", '{"region_code": "a\\u0000"}'),
                        ("q", '{"percent": "nan"}'), ("q", '{"percent": "1e400"}'), ("fields", '["year\\u0000"]'),
                        ("filters", '{"year": [' + ",".join(["1"] * 500) + "]}"), ("sort", ",".join(["year"] * 500))):
        answer = client.get("/satudata/api/3/action/datastore_search",
                            query_string={"resource_id": resource, name: value})
        assert answer.status_code in (200, 400, 409), (name, value, answer.get_data(as_text=True))


@pytest.mark.parametrize("base", BASES)
def test_the_contract_documents_ckans_error_envelope_for_failures(app, client, base):
    """Fuzzing found /satudata's failures documented as the core's envelope, which they are not:
    the contract's ``default`` response there is CKAN's, and a real failure matches it."""
    from ragem.testing import openapi_spec

    spec = openapi_spec(app)
    path = spec["paths"][f"{base}/{{action}}"]
    refused = error(client.get(f"{base}/package_show"), 409)  # no id given
    assert refused["__type"]
    envelope = spec["components"]["schemas"]["CkanEnvelope"]
    for method in ("get", "post"):
        default = path[method]["responses"]["default"]
        assert default["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CkanEnvelope"}
    assert set(envelope["required"]) == {"help", "success"}
