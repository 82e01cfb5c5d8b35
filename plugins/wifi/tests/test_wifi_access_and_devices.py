"""Citizens: terms and one-step access, tokens, devices; the public hotspot list."""
from pathlib import Path

from ragem.testing import boundary_violations

from plugins.wifi.tests.conftest import BASE, TERMS


def test_the_plugin_imports_only_the_toolkit():
    assert boundary_violations(Path(__file__).resolve().parents[1]) == []


def test_a_citizen_accepts_the_terms_and_gets_a_token_in_one_call(client, login_as, get_access):
    terms = client.get(f"{BASE}/terms", headers={"Accept-Language": "en"}).get_json()
    assert terms["version"] == TERMS and terms["text"].startswith("Kota Serang's public Wi-Fi")
    access = get_access(login_as("citizen"))
    assert access["terms_version"] == TERMS
    token = access["token"]
    assert token["username"].startswith("rgm-") and len(token["password"]) >= 40
    assert token["expires_at"].endswith("Z")


def test_a_token_needs_the_terms_accepted_first(client, login_as, get_access):
    citizen = login_as("citizen")
    refused = client.post(f"{BASE}/tokens", headers=citizen)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "terms_not_accepted"
    get_access(citizen)
    first = client.post(f"{BASE}/tokens", headers=citizen).get_json()
    second = client.post(f"{BASE}/tokens", headers=citizen).get_json()
    assert first["username"] != second["username"] and first["password"] != second["password"]


def test_an_outdated_terms_version_is_refused_with_the_current_one(client, login_as):
    answer = client.post(f"{BASE}/access", json={"terms_version": "2020-01"}, headers=login_as("citizen"))
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "terms_outdated"
    assert answer.get_json()["error"]["details"]["current_version"] == TERMS


def test_the_token_secret_is_not_stored(client, login_as, get_access, db_session):
    from ragem.testing import stored_text_containing
    token = get_access(login_as("citizen"))["token"]
    assert stored_text_containing(token["password"]) == []


def test_devices_in_any_notation_are_normalised_and_limited_to_three(client, login_as, get_access):
    citizen = login_as("citizen")
    get_access(citizen)
    notations = ["aa:bb:cc:00:11:22", "AA-BB-CC-00-11-33", "aabb.cc00.1144"]
    for mac in notations:
        answer = client.post(f"{BASE}/devices", json={"mac": mac, "label": "HP"}, headers=citizen)
        assert answer.status_code == 201, answer.get_json()
    listed = client.get(f"{BASE}/devices", headers=citizen).get_json()
    assert [d["mac"] for d in listed["items"]] == ["AA:BB:CC:00:11:22", "AA:BB:CC:00:11:33", "AA:BB:CC:00:11:44"]
    assert listed["max_devices"] == 3
    fourth = client.post(f"{BASE}/devices", json={"mac": "aabbcc001155"}, headers=citizen)
    assert fourth.status_code == 409 and fourth.get_json()["error"]["code"] == "device_limit"
    again = client.post(f"{BASE}/devices", json={"mac": "AABBCC001122"}, headers=citizen)
    assert again.status_code == 201 and again.get_json()["id"] == listed["items"][0]["id"]


def test_invalid_macs_are_refused_in_both_languages(client, login_as, get_access):
    citizen = login_as("citizen")
    get_access(citizen)
    for bad in ["aa:bb:cc:dd:ee", "zz:bb:cc:dd:ee:ff", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
                "01:00:5e:00:00:01", "aa:bb-cc:dd:ee:ff", "", "aabbccddeeff00"]:
        answer = client.post(f"{BASE}/devices", json={"mac": bad}, headers=citizen)
        assert answer.status_code == 422, bad
        assert answer.get_json()["error"]["code"] in ("invalid_mac", "validation_error")
    english = client.post(f"{BASE}/devices", json={"mac": "nope"}, headers={**citizen, "Accept-Language": "en"})
    assert english.get_json()["error"]["message"].startswith("Invalid MAC address")
    assert client.get(f"{BASE}/devices", headers=citizen).get_json()["items"] == []


def test_a_mac_belongs_to_one_citizen_and_others_devices_are_invisible(client, login_as, get_access):
    alice, bob = login_as("citizen"), login_as("citizen")
    get_access(alice)
    get_access(bob)
    device = client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:22:11"}, headers=alice).get_json()
    taken = client.post(f"{BASE}/devices", json={"mac": "AA-BB-CC-00-22-11"}, headers=bob)
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "device_taken"
    assert client.patch(f"{BASE}/devices/{device['id']}", json={"label": "x"}, headers=bob).status_code == 404
    assert client.delete(f"{BASE}/devices/{device['id']}", headers=bob).status_code == 404
    assert client.delete(f"{BASE}/devices/99999999999", headers=alice).status_code == 404
    renamed = client.patch(f"{BASE}/devices/{device['id']}", json={"label": "Tablet"}, headers=alice)
    assert renamed.get_json()["label"] == "Tablet"
    assert client.delete(f"{BASE}/devices/{device['id']}", headers=alice).status_code == 204
    assert client.get(f"{BASE}/devices", headers=alice).get_json()["items"] == []


def test_the_mac_is_sealed_at_rest(client, login_as, get_access, db_session):
    from ragem.testing import stored_text_containing
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:33:11"}, headers=citizen)
    assert stored_text_containing("AA:BB:CC:00:33:11", "aa:bb:cc:00:33:11") == []


def test_public_hotspot_list_hides_retired_ones(client, add_hotspot, admin):
    kept = add_hotspot(nas="park-1")
    retired = add_hotspot(nas="park-2")
    client.patch(f"{BASE}/admin/hotspots/{retired['id']}", json={"status": "retired"}, headers=admin)
    names = [h["name"] for h in client.get(f"{BASE}/hotspots").get_json()["items"]]
    assert kept["name"] in names and retired["name"] not in names
    assert "nas_identifiers" not in client.get(f"{BASE}/hotspots").get_json()["items"][0]


def test_only_admins_manage_and_only_citizens_use(client, login_as):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DISKOMINFO")
    for headers in (citizen, officer):
        assert client.get(f"{BASE}/admin/hotspots", headers=headers).status_code == 403
        assert client.post(f"{BASE}/admin/suspensions", json={"kind": "user", "user_id": "x", "reason": "r"},
                           headers=headers).status_code == 403
        assert client.put(f"{BASE}/admin/policies/global", json={}, headers=headers).status_code == 403
    assert client.post(f"{BASE}/tokens").status_code == 401
    assert client.post(f"{BASE}/access", json={"terms_version": TERMS}, headers=officer).status_code == 403


ADMIN_ROUTES = [("get", "/admin/hotspots"), ("post", "/admin/hotspots"), ("patch", "/admin/hotspots/1"),
                ("get", "/admin/policies"), ("put", "/admin/policies/global"), ("put", "/admin/policies/hotspots/1"),
                ("delete", "/admin/policies/hotspots/1"), ("get", "/admin/suspensions"),
                ("post", "/admin/suspensions"), ("post", "/admin/suspensions/1/lift"), ("get", "/admin/kpis")]
CITIZEN_ROUTES = [("post", "/access"), ("post", "/tokens"), ("get", "/devices"), ("post", "/devices"),
                  ("patch", "/devices/1"), ("delete", "/devices/1")]


def test_every_route_against_every_role(client, login_as, add_hotspot):
    add_hotspot()
    roles = {"anonymous": {}, "citizen": login_as("citizen"), "officer": login_as("officer", opd="DISKOMINFO"),
             "admin": login_as("admin")}
    for method, path in ADMIN_ROUTES + CITIZEN_ROUTES:
        for role, headers in roles.items():
            answer = getattr(client, method)(f"{BASE}{path}", json={}, headers=headers)
            status, code = answer.status_code, (answer.get_json() or {}).get("error", {}).get("code")
            allowed = role == "admin" if (method, path) in ADMIN_ROUTES else role == "citizen"
            if role == "anonymous":
                assert status == 401, (method, path)
            elif not allowed:
                assert (status, code) == (403, "forbidden"), (role, method, path)
            else:  # past the guard: a 4xx about the body, the id or the terms, never the role
                assert status < 500 and status != 401 and code != "forbidden", (role, method, path, status)


def test_hotspot_input_is_checked(client, admin, add_hotspot):
    spot = add_hotspot(nas="Gate-A")
    for body, status in (({"name": "X", "kelurahan_code": "99.99"}, 422), ({"name": "X", "lat": 10.0}, 422),
                         ({"name": spot["name"]}, 409), ({"name": "Y", "nas_identifiers": ["gate-a"]}, 409),
                         ({"name": "Z", "nas_identifiers": [" bad"]}, 422), ({"name": "\u0000"}, 400),
                         ({"name": "\u0007bell"}, 422),
                         ({"name": "W", "status": "broken"}, 422)):
        answer = client.post(f"{BASE}/admin/hotspots", json=body, headers=admin)
        assert answer.status_code == status, (body, answer.get_json())
    ok = client.post(f"{BASE}/admin/hotspots", json={"name": "Alun-alun", "kelurahan_code": "36.73.01.1001",
                                                     "nas_identifiers": ["NAS-B", "nas-b"]}, headers=admin)
    assert ok.status_code == 201 and ok.get_json()["nas_identifiers"] == ["nas-b"]
    assert client.patch(f"{BASE}/admin/hotspots/{2**40}", json={}, headers=admin).status_code == 404
    assert client.patch(f"{BASE}/admin/hotspots/{spot['id']}", json={"name": None}, headers=admin).status_code == 422
    too_soon = client.post(f"{BASE}/admin/suspensions", json={"kind": "user", "user_id": "u", "reason": "r",
                                                              "until": "2000-01-01T00:00:00Z"}, headers=admin)
    assert too_soon.status_code == 422
    no_device = client.post(f"{BASE}/admin/suspensions", json={"kind": "device", "device_id": 999, "reason": "r"},
                            headers=admin)
    assert no_device.status_code == 404
    unknown_citizen = client.post(f"{BASE}/admin/suspensions", json={"kind": "user", "user_id": "no-such-account",
                                                                     "reason": "r"}, headers=admin)
    assert unknown_citizen.status_code == 404
    assert client.get(f"{BASE}/admin/suspensions", headers=admin).get_json()["items"] == []
    assert client.post(f"{BASE}/admin/suspensions/999/lift", json={"reason": "r"}, headers=admin).status_code == 404
