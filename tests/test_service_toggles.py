"""Admins switch services on and off at run time; citizens see the effect at once."""
from __future__ import annotations


def _toggle(client, headers, slug, **body):
    return client.patch(f"/api/v1/admin/services/{slug}", json=body, headers=headers)


def test_disabling_a_service_answers_503_with_the_maintenance_message(client, login_as):
    admin = login_as("admin")
    response = _toggle(
        client, admin, "rabeg", enabled=False, reason="pemeliharaan basis data",
        message={"id": "RABEG sedang dirawat sampai pukul 12.00", "en": "RABEG is down for maintenance until 12:00"},
    )
    assert response.status_code == 200
    assert response.json["enabled"] is False and response.json["status"] == "maintenance"

    blocked = client.get("/api/v1/rabeg/health")
    assert blocked.status_code == 503
    assert blocked.json["error"]["code"] == "service_unavailable"
    assert blocked.json["error"]["message"] == "RABEG sedang dirawat sampai pukul 12.00"
    english = client.get("/api/v1/rabeg/health", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json["error"]["message"] == "RABEG is down for maintenance until 12:00"
    # Other services keep serving.
    assert client.get("/api/v1/gelati/health").status_code == 200


def test_catalog_hides_a_disabled_service_from_citizens_but_admins_still_see_it(client, login_as):
    admin = login_as("admin")
    assert _toggle(client, admin, "wifi", enabled=False, reason="ganti perangkat").status_code == 200
    public = [item["slug"] for item in client.get("/api/v1/services").json["items"]]
    assert "wifi" not in public and "rabeg" in public
    listed = {item["slug"]: item for item in client.get("/api/v1/admin/services", headers=admin).json["items"]}
    assert listed["wifi"]["enabled"] is False
    assert listed["wifi"]["reason"] == "ganti perangkat"

    assert _toggle(client, admin, "wifi", enabled=True, reason="perangkat baru terpasang").status_code == 200
    assert "wifi" in [item["slug"] for item in client.get("/api/v1/services").json["items"]]
    assert client.get("/api/v1/wifi/health").status_code == 200


def test_every_toggle_is_audited_with_before_after_and_reason(client, login_as):
    admin = login_as("admin")
    _toggle(client, admin, "gelati", enabled=False, reason="audit stok")
    entries = client.get("/api/v1/admin/audit?action=service.disable", headers=admin).json["items"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["target_type"] == "service" and entry["target_id"] == "gelati"
    assert entry["actor_id"] == admin["X-Test-User-Id"]
    assert entry["before"]["enabled"] is True and entry["after"]["enabled"] is False
    assert entry["reason"] == "audit stok"
    assert entry["at"].endswith("Z")


def test_critical_service_needs_confirmation(client, login_as):
    admin = login_as("admin")
    refused = _toggle(client, admin, "darurat112", enabled=False, reason="uji coba")
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "confirmation_required"
    assert client.get("/api/v1/darurat112/health").status_code == 200
    accepted = _toggle(client, admin, "darurat112", enabled=False, reason="uji coba", confirm=True)
    assert accepted.status_code == 200
    assert client.get("/api/v1/darurat112/health").status_code == 503


def test_only_admins_toggle(client, login_as):
    for role in ("citizen", "officer"):
        response = _toggle(client, login_as(role), "rabeg", enabled=False, reason="bukan admin")
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    assert _toggle(client, {}, "rabeg", enabled=False, reason="anonim").status_code == 401
    assert client.get("/api/v1/rabeg/health").status_code == 200


def test_bad_toggle_requests_change_nothing(client, login_as):
    admin = login_as("admin")
    cases = [
        ({"enabled": False}, 422),  # reason missing
        ({"enabled": "no", "reason": "teks"}, 422),  # not a boolean
        ({"enabled": False, "reason": "teks", "surprise": 1}, 422),  # unknown field
        ({"enabled": False, "reason": "teks", "message": {"id": "hanya id"}}, 422),  # message needs en
    ]
    for body, status in cases:
        response = _toggle(client, admin, "rabeg", **body)
        assert response.status_code == status, body
        assert response.json["error"]["code"] == "validation_error"
        assert response.json["error"]["details"]
    unknown = _toggle(client, admin, "nosuchservice", enabled=False, reason="tidak ada")
    assert unknown.status_code == 404
    malformed = client.patch(
        "/api/v1/admin/services/rabeg", data="{not json", headers={**admin, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json["error"]["code"] in ("invalid_json", "bad_request")
    assert client.get("/api/v1/rabeg/health").status_code == 200
    assert client.get("/api/v1/admin/audit", headers=admin).json["items"] == []


def test_cached_catalog_follows_toggles_and_language(client, login_as):
    admin = login_as("admin")
    first = client.get("/api/v1/services").json["items"]
    assert client.get("/api/v1/services").json["items"] == first  # served again from the cache
    english = client.get("/api/v1/services", headers={"Accept-Language": "en"}).json["items"]
    assert {i["slug"]: i["name"] for i in english}["rabeg"] == "RABEG - Citizen Complaints"
    _toggle(client, admin, "sikondang", enabled=False, reason="pembaruan data")
    assert "sikondang" not in [i["slug"] for i in client.get("/api/v1/services").json["items"]]
    english = client.get("/api/v1/services", headers={"Accept-Language": "en"}).json["items"]
    assert "sikondang" not in [i["slug"] for i in english]
