"""The fixtures of ragem.testing (app, client, login_as...) and the 112 service's own for its tests.

Not ``pytest_plugins``: pytest refuses it outside the top-level conftest when the whole suite runs,
and tests/conftest.py is not loaded when only this folder runs. Importing the fixtures works both ways.
"""
import itertools
import uuid

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

BASE = "/api/v1/darurat112"
INCIDENTS = f"{BASE}/incidents"
# Alun-alun Serang.
POINT = {"lat": -6.1207, "lon": 106.1503}

_keys = itertools.count(1)


def incident_body(**overrides) -> dict:
    """A valid app incident; ``overrides`` change fields (``None`` leaves one out)."""
    body = {"type": "fire", **POINT, "accuracy_m": 15.0, "address": "Jl. Alun-alun Barat",
            "description": "Asap tebal dari rumah warga."}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def idem(headers: dict, key: str | None = None) -> dict:
    """``headers`` with an Idempotency-Key (a fresh one unless given)."""
    return {**headers, "Idempotency-Key": key or f"k-{next(_keys)}-{uuid.uuid4().hex[:6]}"}


@pytest.fixture
def raise_incident(client):
    """``raise_incident(headers, **fields)`` raises an incident from the app as ``headers``' account and
    returns its JSON (a 201 is asserted)."""

    def raise_(headers, **fields) -> dict:
        answer = client.post(INCIDENTS, json=incident_body(**fields), headers=idem(headers))
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return raise_


@pytest.fixture
def call_taker(login_as):
    """Headers of a command-centre officer (DISKOMINFO, the default command-centre OPD)."""
    return login_as("officer", opd="DISKOMINFO")
