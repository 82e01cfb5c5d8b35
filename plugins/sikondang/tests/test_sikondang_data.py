"""Reading published numbers: filters on any dimension, series for charts, downloads, caching."""
from __future__ import annotations

import csv
import io

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV, internet_definition

URL = f"{DATASETS}/akses-internet"


def test_rows_are_filtered_on_any_dimension_and_paged(client, published):
    answer = client.get(f"{URL}/data?region_code=36.73")
    assert answer.status_code == 200
    assert answer.get_json()["items"] == [{"region_code": "36.73", "year": 2019, "percent": 51.98},
                                          {"region_code": "36.73", "year": 2020, "percent": 57.91}]
    both = client.get(f"{URL}/data?year=2020&region_code=36.72,36.73").get_json()["items"]
    assert [(r["region_code"], r["percent"]) for r in both] == [("36.73", 57.91), ("36.72", 66.12)]
    assert client.get(f"{URL}/data?year=1999").get_json()["items"] == []
    first = client.get(f"{URL}/data?limit=3").get_json()
    rest = client.get(f"{URL}/data?limit=3&cursor={first['next_cursor']}").get_json()
    assert len(first["items"]) == 3 and len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_bad_filters_are_400_with_the_dimensions_to_use(client, published):
    unknown = client.get(f"{URL}/data?kecamatan=36.73.01")
    assert unknown.status_code == 400
    assert unknown.get_json()["error"]["code"] == "unknown_filter"
    assert unknown.get_json()["error"]["details"]["dimensions"] == ["region_code", "year"]
    for query in ("year=", "year=" + "9" * 70, "year=" + ",".join(str(n) for n in range(300))):
        assert client.get(f"{URL}/data?{query}").get_json()["error"]["code"] == "invalid_filter", query
    assert client.get(f"{URL}/data?limit=5000").status_code == 422


def test_series_are_ready_for_a_chart(client, published):
    answer = client.get(f"{URL}/series?by=region_code", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["x"]["key"] == "year" and body["x"]["values"] == [2019, 2020]
    assert body["measure"]["unit"] == "%"
    assert [(s["key"], s["label"]["en"], s["values"]) for s in body["series"]] == [
        ("36.72", "Cilegon City", [58.75, 66.12]), ("36.73", "Kota Serang", [51.98, 57.91])]
    one = client.get(f"{URL}/series?region_code=36.73").get_json()
    assert [(s["key"], s["values"]) for s in one["series"]] == [("percent", [51.98, 57.91])]
    ambiguous = client.get(f"{URL}/series")
    assert ambiguous.status_code == 400 and ambiguous.get_json()["error"]["details"] == {"filter_one_of": ["region_code"]}
    assert client.get(f"{URL}/series?by=year").get_json()["error"]["code"] == "invalid_series"
    assert client.get(f"{URL}/series?measure=nope").get_json()["error"]["code"] == "unknown_measure"
    assert client.get(f"{URL}/series?x=nope").get_json()["error"]["code"] == "unknown_dimension"


def test_downloads_in_csv_and_json_carry_etags_and_cache_headers(client, published, officer, upload):
    csv_answer = client.get(f"{URL}/download.csv?year=2020")
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert csv_answer.headers["Cache-Control"] == "public, max-age=300"
    assert 'filename="akses-internet.csv"' in csv_answer.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(csv_answer.get_data(as_text=True)))) == [
        ["region_code", "region_code_label", "year", "percent"],
        ["36.73", "Kota Serang", "2020", "57.91"], ["36.72", "Kota Cilegon", "2020", "66.12"]]
    etag = csv_answer.headers["ETag"]
    again = client.get(f"{URL}/download.csv?year=2020", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(f"{URL}/download.csv?year=2019", headers={"If-None-Match": etag}).status_code == 200

    json_answer = client.get(f"{URL}/download.json")
    assert json_answer.status_code == 200
    assert json_answer.get_json()["items"][0] == {"region_code": "36.73", "year": 2019, "percent": 51.98}
    data_etag = client.get(f"{URL}/data").headers["ETag"]
    assert client.get(f"{URL}/data", headers={"If-None-Match": data_etag}).status_code == 304
    # A new revision changes every ETag.
    assert upload("akses-internet", "region_code,year,percent\n36.73,2020,60\n").get_json()["status"] == "succeeded"
    assert client.get(f"{URL}/data", headers={"If-None-Match": data_etag}).status_code == 200
    assert client.get(f"{URL}/download.csv?year=2020", headers={"If-None-Match": etag}).status_code == 200


def test_drafts_are_never_cached_publicly(client, officer, create_dataset, upload):
    create_dataset()
    upload("akses-internet", "region_code,year,percent\n36.73,2020,60\n")
    answer = client.get(f"{URL}/download.csv", headers=officer)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "private, no-store"
    assert answer.get_data(as_text=True).startswith("region_code,")
    assert client.get(f"{URL}/download.csv").status_code == 404


def test_text_that_would_run_as_a_spreadsheet_formula_is_escaped_in_downloads(client, officer, create_dataset, upload):
    hostile = [{"code": code, "label": {"id": label, "en": label}} for code, label in
               (("A", "=cmd|' /C calc'!A0"), ("B", "+SUM(1,2)"), ("C", "-2+3"), ("D", "@HYPERLINK(\"x\")"), ("E", "aman"))]
    create_dataset(dimensions=[{"key": "jenis", "label": {"id": "Jenis", "en": "Kind"}, "kind": "category",
                                "values": hostile}],
                   measures=[{"key": "nilai", "label": {"id": "Nilai", "en": "Value"}, "decimals": 0}])
    assert upload("akses-internet", "jenis,nilai\nA,1\nB,-2\nC,3\nD,4\nE,5\n").get_json()["status"] == "succeeded"
    body = client.get(f"{URL}/download.csv", headers=officer).get_data(as_text=True)
    cells = list(csv.reader(io.StringIO(body)))
    assert [row[1] for row in cells[1:]] == ["'=cmd|' /C calc'!A0", "'+SUM(1,2)", "'-2+3", "'@HYPERLINK(\"x\")", "aman"]
    assert [row[2] for row in cells[1:]] == ["1", "-2", "3", "4", "5"]  # negative numbers stay numbers


def test_definitions_accept_any_kemendagri_region_of_kota_serang(client, officer, create_dataset, upload):
    create_dataset(dimensions=[{"key": "kelurahan", "label": {"id": "Kelurahan", "en": "Village"}, "kind": "region"}],
                   measures=[{"key": "warga", "label": {"id": "Warga", "en": "Residents"}}])
    job = upload("akses-internet", "kelurahan,warga\n36.73.01.1001,1200\n36.73.01,5000\n36.73,700000\n").get_json()
    assert job["status"] == "succeeded", job["report"]
    labels = list(csv.reader(io.StringIO(client.get(f"{URL}/download.csv", headers=officer).get_data(as_text=True))))
    assert [row[1] for row in labels[1:]] == ["Serang", "Serang", "Kota Serang"]
    assert internet_definition()["name"] == "akses-internet"


def test_metadata_lists_and_revisions_answer_304_until_something_changes(client, published, officer, upload):
    url = f"{DATASETS}/{published}"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert modified.endswith(" GMT")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    listed = client.get(DATASETS)
    assert listed.headers["Cache-Control"] == "public, max-age=300" and "Last-Modified" not in listed.headers
    list_etag = listed.headers["ETag"]
    assert client.get(DATASETS, headers={"If-None-Match": list_etag}).status_code == 304
    history = client.get(f"{url}/revisions")
    assert client.get(f"{url}/revisions", headers={"If-None-Match": history.headers["ETag"]}).status_code == 304
    old_revision = client.get(f"{url}/revisions/1/data.csv")
    assert client.get(f"{url}/revisions/1/data.csv",
                      headers={"If-None-Match": old_revision.headers["ETag"]}).status_code == 304
    # The OPD's own view names the uploader: kept by that officer's client only.
    assert client.get(f"{url}/revisions", headers=officer).headers["Cache-Control"] == "private, no-cache"

    # A metadata change: the record, the list and the history are new answers.
    assert client.patch(url, json={"source": "BPS Banten (revisi)"}, headers=officer).status_code == 200
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["source"] == "BPS Banten (revisi)"
    assert client.get(DATASETS, headers={"If-None-Match": list_etag}).status_code == 200
    assert client.get(f"{url}/revisions", headers={"If-None-Match": history.headers["ETag"]}).status_code == 200
    # A revision's own table never changes.
    assert upload(published, INTERNET_CSV.replace("51.98", "52.00")).get_json()["status"] == "succeeded"
    assert client.get(f"{url}/revisions/1/data.csv",
                      headers={"If-None-Match": old_revision.headers["ETag"]}).status_code == 304


def test_a_drafts_answers_are_never_stored_and_a_304_reveals_no_draft(client, officer, create_dataset, upload):
    create_dataset()
    url = f"{DATASETS}/akses-internet"
    mine = client.get(url, headers=officer)
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert client.get(url, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 404
    drafts = client.get(f"{DATASETS}?include_drafts=true", headers=officer)
    assert drafts.headers["Cache-Control"] == "private, no-cache"
