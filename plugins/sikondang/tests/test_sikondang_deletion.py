"""Taking a dataset away: a draft is deleted with everything; a published one is withdrawn, kept
with its revisions, gone for the public (410) and reported deleted to CKAN harvesters."""
from __future__ import annotations

import ckanapi

from ragem import toolkit
from ragem.testing import audit_entries

from plugins.sikondang.services import kpi_datasets
from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV, internet_definition
from plugins.sikondang.tests.test_sikondang_ckan import live_server  # noqa: F401  (fixture)

URL = f"{DATASETS}/akses-internet"


def _audit(client, action):
    with client.application.app_context():
        return audit_entries(action=action)


def test_a_draft_is_deleted_with_its_rows_and_revisions(client, officer, create_dataset, upload):
    create_dataset()
    assert upload("akses-internet", INTERNET_CSV).get_json()["status"] == "succeeded"
    assert client.delete(URL, headers=officer).status_code == 204
    for path in ("", "/data", "/revisions", "/revisions/1/data.csv"):
        assert client.get(f"{URL}{path}", headers=officer).status_code == 404, path
    assert client.delete(URL, headers=officer).status_code == 404
    [entry] = _audit(client, "sikondang.dataset.delete")
    assert entry.actor_id == officer["X-Test-User-Id"] and entry.before["name"] == "akses-internet"
    # The name is free again, and the new dataset starts its own history.
    again = client.post(DATASETS, json=internet_definition(), headers=officer)
    assert again.status_code == 201 and again.get_json()["revision_count"] == 0
    assert client.get(f"{URL}/revisions", headers=officer).get_json()["items"] == []


def test_a_published_dataset_is_withdrawn_kept_and_can_return(client, officer, published, login_as):
    package = client.get("/satudata/api/3/action/package_show?id=akses-internet").get_json()["result"]
    resource = package["resources"][0]["id"]
    assert client.delete(URL, headers=officer).status_code == 204

    gone = client.get(URL)
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "dataset_withdrawn"
    assert gone.get_json()["error"]["message"] == "Dataset telah ditarik oleh OPD pemiliknya."
    assert client.get(URL, headers={"Accept-Language": "en"}).get_json()["error"]["message"] == \
        "The dataset was withdrawn by its OPD."
    for path in ("/data", "/series", "/download.csv", "/download.json", "/revisions", "/revisions/1/data.csv"):
        assert client.get(f"{URL}{path}", headers=login_as("citizen")).status_code == 410, path
    assert client.get(DATASETS).get_json()["items"] == []
    # The OPD still sees it, its revisions and their tables.
    mine = client.get(URL, headers=officer).get_json()
    assert mine["state"] == "withdrawn" and mine["revision_count"] == 1
    assert [r["number"] for r in client.get(f"{URL}/revisions", headers=officer).get_json()["items"]] == [1]
    assert client.get(f"{URL}/revisions/1/data.csv", headers=officer).status_code == 200
    assert [d["name"] for d in client.get(f"{DATASETS}?include_drafts=true", headers=officer).get_json()["items"]] == [
        "akses-internet"]
    # Harvesters: shown as CKAN shows a deleted dataset, in no list or search, its table gone.
    shown = client.get(f"/satudata/api/3/action/package_show?id={package['id']}").get_json()["result"]
    assert shown["state"] == "deleted" and shown["name"] == "akses-internet"
    assert client.get("/satudata/api/3/action/package_list").get_json()["result"] == []
    assert client.get("/satudata/api/3/action/package_search").get_json()["result"]["count"] == 0
    assert client.get(f"/satudata/api/3/action/datastore_search?resource_id={resource}").status_code == 404

    [entry] = _audit(client, "sikondang.dataset.withdraw")
    assert entry.before["state"] == "published" and entry.after["state"] == "withdrawn"
    assert client.delete(URL, headers=officer).status_code == 204  # again: nothing more happens
    assert len(_audit(client, "sikondang.dataset.withdraw")) == 1
    # Another OPD's officer may not touch it; its own may publish it again.
    assert client.delete(URL, headers=login_as("officer", opd="DPUPR")).status_code == 403
    assert client.patch(URL, json={"state": "withdrawn"}, headers=officer).status_code == 422
    assert client.patch(URL, json={"state": "published"}, headers=officer).status_code == 200
    assert client.get(URL).status_code == 200 and len(client.get(f"{URL}/data").get_json()["items"]) == 4


def test_a_ckan_client_sees_a_withdrawn_dataset_as_deleted(client, officer, published, live_server):  # noqa: F811
    assert client.delete(URL, headers=officer).status_code == 204
    with ckanapi.RemoteCKAN(f"{live_server}/satudata") as ckan:
        assert ckan.action.package_show(id="akses-internet")["state"] == "deleted"
        assert ckan.action.package_list() == []


def test_the_monthly_job_does_not_publish_a_withdrawn_kpi_dataset_again(client, app, login_as):
    with app.app_context():
        assert "kpi-core" in kpi_datasets.publish_month(toolkit.parse_period("2020-01"))
    admin = login_as("admin")
    assert client.delete(f"{DATASETS}/kpi-core", headers=admin).status_code == 204
    with app.app_context():
        assert "kpi-core" not in kpi_datasets.publish_month(toolkit.parse_period("2020-02"))
    kept = client.get(f"{DATASETS}/kpi-core", headers=admin).get_json()
    assert kept["state"] == "withdrawn" and kept["revision_count"] == 1
