"""New terms of use: once admins publish a version, a citizen who has not accepted it gets on the
Wi-Fi neither by a registered device nor by a token (Reply-Message says why, Indonesian first), and
the app sees that acceptance is needed; accepting lets them back on."""
import json
from datetime import timedelta

import pytest

from ragem import toolkit
from ragem.testing import audit_entries

from plugins.wifi.tests.conftest import BASE, TERMS, radius_body, radius_headers

NAS = "terms-park"
MAC = "aa:bb:cc:00:10:01"
NEW = {"version": "2027-01", "text_id": "Syarat baru: tetap sopan.", "text_en": "New terms: stay polite."}


def authorize(client, user_name):
    return client.post(f"{BASE}/radius/authorize", data=json.dumps(radius_body(User_Name=user_name, NAS_Identifier=NAS)),
                       content_type="application/json", headers=radius_headers())


@pytest.fixture
def citizen(client, login_as, get_access, add_hotspot):
    """A registered citizen with a device, at a hotspot: their headers and an unused token."""
    add_hotspot(nas=NAS)
    headers = login_as("citizen")
    token = get_access(headers)["token"]
    assert client.post(f"{BASE}/devices", json={"mac": MAC}, headers=headers).status_code == 201
    return headers, token


def test_new_terms_stop_devices_and_tokens_until_accepted(client, admin, citizen):
    headers, token = citizen
    assert authorize(client, MAC).status_code == 200
    assert client.get(f"{BASE}/access", headers=headers).get_json() == {
        "current_version": TERMS, "accepted": True, "accepted_version": TERMS}

    published = client.post(f"{BASE}/admin/terms", json=NEW, headers=admin)
    assert published.status_code == 201, published.get_json()
    assert client.get(f"{BASE}/terms").get_json()["version"] == "2027-01"

    for user_name in (MAC, "AA-BB-CC-00-10-01", token["username"]):
        refused = authorize(client, user_name)
        assert refused.status_code == 401
        message = refused.get_json()["reply:Reply-Message"]
        assert message.startswith("Syarat penggunaan Wi-Fi diperbarui") and "accept them" in message
    assert client.get(f"{BASE}/access", headers=headers).get_json() == {
        "current_version": "2027-01", "accepted": False, "accepted_version": TERMS}
    assert client.get("/api/v1/me/summary", headers=headers).get_json()["sections"]["wifi"]["terms"]["accepted"] \
        is False
    no_token = client.post(f"{BASE}/tokens", headers=headers)
    assert no_token.status_code == 403 and no_token.get_json()["error"]["details"]["current_version"] == "2027-01"

    again = client.post(f"{BASE}/access", json={"terms_version": "2027-01"}, headers=headers)
    assert again.status_code == 201
    assert authorize(client, MAC).status_code == 200
    assert authorize(client, again.get_json()["token"]["username"]).status_code == 200
    assert client.get(f"{BASE}/access", headers=headers).get_json()["accepted"] is True


def test_scheduled_terms_take_effect_at_their_time(client, admin, citizen, app):
    later = toolkit.utcnow() + timedelta(hours=1)
    answer = client.post(f"{BASE}/admin/terms", json={**NEW, "published_at": later.isoformat() + "Z"}, headers=admin)
    assert answer.status_code == 201
    assert authorize(client, MAC).status_code == 200  # still the old terms in force
    assert client.get(f"{BASE}/terms").get_json()["version"] == TERMS
    listed = client.get(f"{BASE}/admin/terms", headers=admin).get_json()["items"]
    assert [t["version"] for t in listed] == ["2027-01", TERMS]


def test_publishing_is_for_admins_audited_and_checked(client, admin, citizen, app):
    headers, _ = citizen
    assert client.post(f"{BASE}/admin/terms", json=NEW, headers=headers).status_code == 403
    for bad in ({**NEW, "version": ""}, {**NEW, "version": "a b"}, {**NEW, "version": "x" * 21},
                {k: v for k, v in NEW.items() if k != "text_en"}, {**NEW, "text_id": ""},
                {**NEW, "published_at": "2020-01-01T00:00:00Z"}, {**NEW, "published_at": "yesterday"},
                {**NEW, "version": 7}):
        answer = client.post(f"{BASE}/admin/terms", json=bad, headers=admin)
        assert answer.status_code == 422, (bad, answer.get_json())
    existing = client.post(f"{BASE}/admin/terms", json={**NEW, "version": TERMS}, headers=admin)
    assert existing.status_code == 409 and existing.get_json()["error"]["code"] == "terms_version_taken"
    assert client.post(f"{BASE}/admin/terms", json=NEW, headers=admin).status_code == 201
    taken = client.post(f"{BASE}/admin/terms", json={**NEW, "published_at": (
        toolkit.utcnow() + timedelta(days=1)).isoformat() + "Z"}, headers=admin)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "terms_version_taken"
    assert authorize(client, MAC).status_code == 401  # the refused attempts changed nothing else
    with app.app_context():
        assert [e.target_id for e in audit_entries(action="wifi.terms.publish")] == ["2027-01"]
