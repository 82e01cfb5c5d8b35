"""The fixtures of ragem.testing (app, client, login_as...) and the Wi-Fi service's own for its tests.

Not ``pytest_plugins``: pytest refuses it outside the top-level conftest when the whole suite runs.
"""
import itertools

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
    unmigrated_app,
)

BASE = "/api/v1/wifi"
SECRET = "test-radius-secret-0123456789abcdef"
TERMS = "2026-12"
_names = itertools.count(1)


@pytest.fixture
def admin(login_as):
    """Headers of an admin."""
    return login_as("admin")


@pytest.fixture
def add_hotspot(client, admin):
    """``add_hotspot(nas="...", **fields)`` creates a hotspot through the admin API; its JSON."""

    def add(nas: str | None = None, **fields) -> dict:
        number = next(_names)
        body = {"name": f"Hotspot {number}", "lat": -6.12, "lon": 106.15, "ssids": ["SerangKota"],
                "nas_identifiers": [nas or f"nas-{number}"], **fields}
        answer = client.post(f"{BASE}/admin/hotspots", json=body, headers=admin)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return add


@pytest.fixture
def get_access(client):
    """``get_access(headers)`` accepts the terms as that citizen; the answer's JSON (token inside)."""

    def get(headers) -> dict:
        answer = client.post(f"{BASE}/access", json={"terms_version": TERMS}, headers=headers)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return get


def radius_body(**attributes) -> dict:
    """An rlm_rest JSON body: ``User_Name="x"`` becomes ``{"User-Name": {"type": "string", "value": ["x"]}}``."""
    body = {}
    for name, value in attributes.items():
        values = value if isinstance(value, list) else [value]
        body[name.replace("_", "-")] = {"type": "integer" if isinstance(values[0], int) else "string",
                                        "value": values}
    return body


def radius_headers() -> dict:
    """The bearer header FreeRADIUS sends."""
    return {"Authorization": f"Bearer {SECRET}"}


@pytest.fixture
def app(make_app):
    """A RAGEM app with every plugin, the FreeRADIUS bearer secret set (overrides ragem.testing's)."""
    return make_app(WIFI_RADIUS_SECRET=SECRET)
