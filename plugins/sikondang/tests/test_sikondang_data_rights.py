"""An officer's export names what they published; erasing the account keeps the statistics, not the person."""
from __future__ import annotations

from sqlalchemy import select

from plugins.sikondang.models import Dataset, ImportJob, Revision
from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV


def test_export_and_erasure_of_an_officer(app, client, officer, create_dataset, upload):
    create_dataset()
    assert upload("akses-internet", INTERNET_CSV).get_json()["status"] == "succeeded"
    client.patch(f"{DATASETS}/akses-internet", json={"state": "published"}, headers=officer)

    exported = client.get("/api/v1/me/export", headers=officer).get_json()["services"]["sikondang"]
    assert [d["name"] for d in exported["datasets_defined"]] == ["akses-internet"]
    assert [(r["dataset"], r["revision"]) for r in exported["revisions_uploaded"]] == [("akses-internet", 1)]

    user_id = officer["X-Test-User-Id"]
    assert client.delete("/api/v1/me", headers=officer, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with app.app_context():
        from ragem.toolkit import db

        for model in (Dataset, Revision, ImportJob):
            assert set(db.session.scalars(select(model.created_by))) == {None}, model
    assert client.get(f"{DATASETS}/akses-internet/data").get_json()["items"][0]["percent"] == 51.98
    assert user_id not in str(client.get(f"{DATASETS}/akses-internet/revisions").get_json())
