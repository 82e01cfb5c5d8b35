"""Defining datasets: officers of the owning OPD, drafts hidden from the public, search, bad definitions."""
from __future__ import annotations

from pathlib import Path

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV, internet_definition

from ragem.testing import audit_entries, boundary_violations


def test_an_officer_defines_a_draft_that_only_their_opd_sees(client, officer, login_as, create_dataset):
    created = create_dataset()
    assert created["state"] == "draft" and created["opd"] == "DISKOMINFO"
    assert [d["key"] for d in created["dimensions"]] == ["region_code", "year"]
    assert created["measures"] == [{"key": "percent", "label": {"id": "Persen", "en": "Percent"}, "unit": "%",
                                    "decimals": 2}]
    assert created["title"] == {"id": "Akses internet penduduk", "en": "Population accessing the internet"}
    assert created["revision_count"] == 0 and created["data_updated_at"] is None

    url = f"{DATASETS}/akses-internet"
    assert client.get(url, headers=officer).status_code == 200
    assert client.get(url).status_code == 404
    assert client.get(url, headers=login_as("citizen")).status_code == 404
    assert client.get(url, headers=login_as("officer", opd="DPUPR")).status_code == 404
    assert client.get(DATASETS).get_json()["items"] == []
    drafts = client.get(f"{DATASETS}?include_drafts=true", headers=officer).get_json()["items"]
    assert [d["name"] for d in drafts] == ["akses-internet"]
    assert client.get(f"{DATASETS}?include_drafts=true", headers=login_as("officer", opd="DPUPR")).get_json()["items"] == []


def test_citizens_cannot_define_and_officers_only_for_their_own_opd(client, login_as, officer, create_dataset):
    refused = client.post(DATASETS, json=internet_definition(), headers=login_as("citizen"))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"] == {"required_permission": "sikondang.manage"}
    other = client.post(DATASETS, json=internet_definition(opd="DPUPR"), headers=officer)
    assert other.status_code == 403

    admin = login_as("admin")
    by_admin = client.post(DATASETS, json=internet_definition("jalan", opd="DPUPR"), headers=admin)
    assert by_admin.status_code == 201 and by_admin.get_json()["opd"] == "DPUPR"
    # A DPUPR dataset is not a DISKOMINFO officer's to change, even once published.
    create_dataset()
    dpupr_officer = login_as("officer", opd="DPUPR")
    change = client.patch(f"{DATASETS}/akses-internet", json={"source": "lain"}, headers=dpupr_officer)
    assert change.status_code == 404  # a draft of another OPD is not revealed
    assert client.post(DATASETS, json=internet_definition(), headers=officer).status_code == 409


def test_publishing_needs_data_and_the_definition_locks_after_the_first_upload(client, officer, create_dataset, upload):
    create_dataset()
    url = f"{DATASETS}/akses-internet"
    early = client.patch(url, json={"state": "published"}, headers=officer)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "dataset_without_data"
    changed = client.patch(url, json={"measures": [{"key": "persen", "label": {"id": "Persen", "en": "Percent"},
                                                    "decimals": 2}]}, headers=officer)
    assert changed.status_code == 200 and [m["key"] for m in changed.get_json()["measures"]] == ["persen"]
    client.patch(url, json={"measures": [{"key": "percent", "label": {"id": "Persen", "en": "Percent"},
                                          "decimals": 2}]}, headers=officer)
    assert upload("akses-internet", INTERNET_CSV).get_json()["status"] == "succeeded"
    locked = client.patch(url, json={"dimensions": [{"key": "year", "label": {"id": "Tahun", "en": "Year"},
                                                     "kind": "year"}]}, headers=officer)
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "definition_locked"
    published = client.patch(url, json={"state": "published", "title": {"id": "Akses internet", "en": "Internet access"}},
                             headers=officer)
    assert published.status_code == 200
    assert published.get_json()["state"] == "published" and published.get_json()["published_at"].endswith("Z")
    assert client.get(url).get_json()["title"]["en"] == "Internet access"
    actions = [e.action for e in _audit(client)]
    assert actions.count("sikondang.dataset.update") == 3 and "sikondang.dataset.import" in actions


def _audit(client):
    with client.application.app_context():
        return audit_entries(target_type="sikondang_dataset")


NONE = {"id": "", "en": ""}


def test_published_datasets_are_searched_by_text_tag_topic_and_opd(client, login_as, officer, create_dataset, upload):
    admin = login_as("admin")
    create_dataset()
    create_dataset(name="penduduk", title={"id": "Jumlah penduduk", "en": "Population"}, tags=["kependudukan"], description=NONE,
                   topic="kependudukan")
    create_dataset(name="jalan_rusak", headers=admin, opd="DPUPR", title={"id": "Jalan 100% mulus", "en": "Roads"}, description=NONE,
                   tags=["jalan"], topic="infrastruktur")
    for name in ("akses-internet", "penduduk", "jalan_rusak"):
        assert upload(name, INTERNET_CSV, headers=admin).get_json()["status"] == "succeeded"
        assert client.patch(f"{DATASETS}/{name}", json={"state": "published"}, headers=admin).status_code == 200

    def names(query):
        answer = client.get(f"{DATASETS}?{query}")
        assert answer.status_code == 200, answer.get_json()
        return sorted(d["name"] for d in answer.get_json()["items"])

    assert names("") == ["akses-internet", "jalan_rusak", "penduduk"]
    assert names("q=internet") == ["akses-internet"]
    assert names("q=JUMLAH") == ["penduduk"]
    assert names("q=100%25") == ["jalan_rusak"]  # a literal %, not a wildcard
    assert names("q=_") == ["jalan_rusak"]  # the only name with an underscore
    assert names("tag=kependudukan") == ["penduduk"]
    assert names("tag=tik") == ["akses-internet"]
    assert names("topic=infrastruktur") == ["jalan_rusak"]
    assert names("opd=dpupr") == ["jalan_rusak"]
    first = client.get(f"{DATASETS}?limit=2").get_json()
    second = client.get(f"{DATASETS}?limit=2&cursor={first['next_cursor']}").get_json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None


def test_bad_definitions_are_refused_and_create_nothing(client, officer):
    region = {"key": "wilayah", "label": {"id": "Wilayah", "en": "Region"}, "kind": "region"}
    measure = {"key": "nilai", "label": {"id": "Nilai", "en": "Value"}}
    bad_bodies = [
        internet_definition(name="Bad Name"),
        internet_definition(name="x" * 101),
        internet_definition(dimensions=[]),
        internet_definition(measures=[measure] * 7),
        internet_definition(dimensions=[region, region]),
        internet_definition(dimensions=[region], measures=[{**measure, "key": "wilayah"}]),
        internet_definition(dimensions=[{**region, "kind": "category"}]),
        internet_definition(dimensions=[{**region, "values": [{"code": "3673", "label": {"id": "a", "en": "a"}}]}]),
        internet_definition(dimensions=[{**region, "kind": "year", "values": [{"code": "2020", "label": {"id": "a", "en": "a"}}]}]),
        internet_definition(dimensions=[{**region, "key": "Wilayah Kota"}]),
        internet_definition(title={"id": "   ", "en": "x"}),
        internet_definition(tags=["Bukan Huruf Kecil"]),
        internet_definition(frequency="kadang"),
        internet_definition(opd="TIDAKADA"),
    ]
    for body in bad_bodies:
        answer = client.post(DATASETS, json=body, headers=officer)
        assert answer.status_code in (403, 422), (body, answer.get_json())
        assert answer.get_json()["error"]["code"] in ("validation_error", "forbidden"), answer.get_json()
    assert client.get(f"{DATASETS}?include_drafts=true", headers=officer).get_json()["items"] == []


def test_messages_follow_the_language_of_the_request(client):
    indonesian = client.get(f"{DATASETS}/tidak-ada").get_json()["error"]["message"]
    english = client.get(f"{DATASETS}/tidak-ada", headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert indonesian == "Dataset tidak ditemukan." and english == "Dataset not found."


def test_the_plugin_imports_only_the_toolkit_from_the_core():
    assert boundary_violations(Path(__file__).resolve().parents[1]) == []
