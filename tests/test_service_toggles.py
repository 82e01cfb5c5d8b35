"""Admins switch services on and off at run time; citizens see the effect at once.

Shown on the throwaway services every core test app carries (``throwaway.py``), not on RABEG.
"""
from __future__ import annotations

from throwaway import CRITICAL_SERVICE, OTHER_SERVICE, SERVICE, SERVICE_NAME


def _toggle(client, headers, slug, **body):
    return client.patch(f"/api/v1/admin/services/{slug}", json=body, headers=headers)


def test_disabling_a_service_answers_503_with_the_maintenance_message(client, login_as):
    admin = login_as("admin")
    response = _toggle(
        client, admin, SERVICE, enabled=False, reason="pemeliharaan basis data",
        message={"id": "Layanan sedang dirawat sampai pukul 12.00", "en": "The service is down for maintenance until 12:00"},
    )
    assert response.status_code == 200
    assert response.json["enabled"] is False and response.json["status"] == "maintenance"

    blocked = client.get(f"/api/v1/{SERVICE}/health")
    assert blocked.status_code == 503
    assert blocked.json["error"]["code"] == "service_unavailable"
    assert blocked.json["error"]["message"] == "Layanan sedang dirawat sampai pukul 12.00"
    english = client.get(f"/api/v1/{SERVICE}/health", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json["error"]["message"] == "The service is down for maintenance until 12:00"
    # Other services keep serving.
    assert client.get(f"/api/v1/{OTHER_SERVICE}/health").status_code == 200


def test_catalog_hides_a_disabled_service_from_citizens_but_admins_still_see_it(client, login_as):
    admin = login_as("admin")
    assert _toggle(client, admin, SERVICE, enabled=False, reason="ganti perangkat").status_code == 200
    public = [item["slug"] for item in client.get("/api/v1/services").json["items"]]
    assert SERVICE not in public and OTHER_SERVICE in public
    listed = {item["slug"]: item for item in client.get("/api/v1/admin/services", headers=admin).json["items"]}
    assert listed[SERVICE]["enabled"] is False
    assert listed[SERVICE]["reason"] == "ganti perangkat"

    assert _toggle(client, admin, SERVICE, enabled=True, reason="perangkat baru terpasang").status_code == 200
    assert SERVICE in [item["slug"] for item in client.get("/api/v1/services").json["items"]]
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_every_toggle_is_audited_with_before_after_and_reason(client, login_as):
    admin = login_as("admin")
    _toggle(client, admin, SERVICE, enabled=False, reason="audit stok")
    entries = client.get("/api/v1/admin/audit?action=service.disable", headers=admin).json["items"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["target_type"] == "service" and entry["target_id"] == SERVICE
    assert entry["actor_id"] == admin["X-Test-User-Id"]
    assert entry["before"]["enabled"] is True and entry["after"]["enabled"] is False
    assert entry["reason"] == "audit stok"
    assert entry["at"].endswith("Z")


def test_critical_service_needs_confirmation(client, login_as):
    admin = login_as("admin")
    refused = _toggle(client, admin, CRITICAL_SERVICE, enabled=False, reason="uji coba")
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "confirmation_required"
    assert client.get(f"/api/v1/{CRITICAL_SERVICE}/health").status_code == 200
    accepted = _toggle(client, admin, CRITICAL_SERVICE, enabled=False, reason="uji coba", confirm=True)
    assert accepted.status_code == 200
    assert client.get(f"/api/v1/{CRITICAL_SERVICE}/health").status_code == 503


def test_only_admins_toggle(client, login_as):
    for role in ("citizen", "officer"):
        response = _toggle(client, login_as(role), SERVICE, enabled=False, reason="bukan admin")
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    assert _toggle(client, {}, SERVICE, enabled=False, reason="anonim").status_code == 401
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_bad_toggle_requests_change_nothing(client, login_as):
    admin = login_as("admin")
    cases = [
        ({"enabled": False}, 422),  # reason missing
        ({"enabled": "no", "reason": "teks"}, 422),  # not a boolean
        ({"enabled": False, "reason": "teks", "surprise": 1}, 422),  # unknown field
        ({"enabled": False, "reason": "teks", "message": {"id": "hanya id"}}, 422),  # message needs en
    ]
    for body, status in cases:
        response = _toggle(client, admin, SERVICE, **body)
        assert response.status_code == status, body
        assert response.json["error"]["code"] == "validation_error"
        assert response.json["error"]["details"]
    unknown = _toggle(client, admin, "nosuchservice", enabled=False, reason="tidak ada")
    assert unknown.status_code == 404
    malformed = client.patch(
        f"/api/v1/admin/services/{SERVICE}", data="{not json", headers={**admin, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json["error"]["code"] in ("invalid_json", "bad_request")
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    assert client.get("/api/v1/admin/audit", headers=admin).json["items"] == []


def test_cached_catalog_follows_toggles_and_language(client, login_as):
    admin = login_as("admin")
    first = client.get("/api/v1/services").json["items"]
    assert client.get("/api/v1/services").json["items"] == first  # served again from the cache
    english = client.get("/api/v1/services", headers={"Accept-Language": "en"}).json["items"]
    assert {i["slug"]: i["name"] for i in english}[SERVICE] == SERVICE_NAME["en"]
    assert {i["slug"]: i["name"] for i in first}[SERVICE] == SERVICE_NAME["id"]
    _toggle(client, admin, SERVICE, enabled=False, reason="pembaruan data")
    assert SERVICE not in [i["slug"] for i in client.get("/api/v1/services").json["items"]]
    english = client.get("/api/v1/services", headers={"Accept-Language": "en"}).json["items"]
    assert SERVICE not in [i["slug"] for i in english]
