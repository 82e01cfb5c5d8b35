"""The fixtures of ragem.testing (app, client, login_as...) and SIKONDANG's own for its tests.

Not ``pytest_plugins``: pytest refuses it outside the top-level conftest when the whole suite runs,
and tests/conftest.py is not loaded when only this folder runs. Importing the fixtures works both ways.
"""
from __future__ import annotations

import io

import pytest

from ragem.testing import (  # noqa: F401
    app,
    client,
    db_session,
    fresh_database_url,
    login_as,
    make_app,
    ragem_database_url,
    ragem_instance_path,
    ragem_settings,
)

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV, internet_definition


@pytest.fixture
def officer(login_as):
    """Headers of an officer of DISKOMINFO (the OPD of the test datasets)."""
    return login_as("officer", opd="DISKOMINFO")


@pytest.fixture
def create_dataset(client, officer):
    """``create_dataset(**overrides)`` defines a dataset as the DISKOMINFO officer; returns its JSON."""

    def create(headers=None, **overrides) -> dict:
        answer = client.post(DATASETS, json=internet_definition(**overrides), headers=headers or officer)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return create


@pytest.fixture
def upload(client, officer):
    """``upload(name, content, filename="t.csv", headers=None)`` posts a table; returns the response."""

    def send(name: str, content: bytes | str, filename: str = "tabel.csv", headers=None):
        data = content.encode("utf-8") if isinstance(content, str) else content
        return client.post(f"{DATASETS}/{name}/imports", data={"file": (io.BytesIO(data), filename)},
                           headers=headers or officer, content_type="multipart/form-data")

    return send


@pytest.fixture
def published(client, officer, create_dataset, upload):
    """A published dataset holding INTERNET_CSV; returns its name."""
    create_dataset()
    answer = upload("akses-internet", INTERNET_CSV)
    assert answer.status_code == 202 and answer.get_json()["status"] == "succeeded", answer.get_json()
    assert client.patch(f"{DATASETS}/akses-internet", json={"state": "published"}, headers=officer).status_code == 200
    return "akses-internet"
