"""The real thing: FreeRADIUS with the shipped configuration asks a RAGEM test server over HTTP, and
the tests send it real RADIUS packets with radclient.

Skipped only where the freeradius binary is absent; in CI (``CI=true``), or with FreeRADIUS only
partly installed, they fail instead.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ragem import toolkit

from plugins.wifi.models import AccountingSession, WifiToken
from plugins.wifi.tests import freeradius
from plugins.wifi.tests.conftest import BASE, SECRET

RADIUS_SECRET = "loopback-radius-secret"
NAS = "taman-digital-test"


@pytest.fixture(scope="module")
def radius(tmp_path_factory):
    """One HTTP server and one FreeRADIUS for the module (this worker); each test plugs its app in."""
    missing = freeradius.missing_parts()
    if missing:
        # Skipped only on a machine without FreeRADIUS at all; a half installation (no rest module,
        # no radclient) is a broken set-up, and CI must run these tests.
        if freeradius.FREERADIUS is None and os.environ.get("CI", "").lower() != "true":
            pytest.skip(f"FreeRADIUS tests need a real FreeRADIUS: {missing}")
        pytest.fail(f"FreeRADIUS tests cannot run: {missing}")
    dispatcher = freeradius.Dispatcher()
    http = freeradius.HttpServer(dispatcher)
    server = freeradius.FreeRadius(tmp_path_factory.mktemp("raddb"),
                                   api_url=f"http://127.0.0.1:{http.port}/api/v1/wifi",
                                   bearer_secret=SECRET, radius_secret=RADIUS_SECRET)
    server.dispatcher, server.http = dispatcher, http
    yield server
    server.stop()
    http.stop()


@pytest.fixture
def nas(radius, app, add_hotspot):
    """FreeRADIUS serving this test's app, and a hotspot whose NAS-Identifier is ``NAS``."""
    radius.dispatcher.app = app
    hotspot = add_hotspot(nas=NAS, name="Taman Digital Uji")
    yield radius, hotspot
    radius.dispatcher.app = None


def login(server, user_name, password, **extra):
    """An Access-Request as a hotspot controller sends it (PAP)."""
    return server.send("auth", {"User-Name": user_name, "User-Password": password, "NAS-Identifier": NAS,
                                "Calling-Station-Id": "AA-BB-CC-00-99-01", **extra})


def test_a_valid_token_is_accepted_once_with_the_policy_in_the_reply(nas, login_as, get_access):
    server, hotspot = nas
    token = get_access(login_as("citizen"))["token"]
    code, reply = login(server, token["username"], token["password"])
    assert code == "Access-Accept", server.output()[-3000:]
    assert reply["Session-Timeout"] == ["7200"]
    assert reply["WISPr-Bandwidth-Max-Down"] == ["5000000"] and reply["WISPr-Bandwidth-Max-Up"] == ["2000000"]
    assert reply["Mikrotik-Rate-Limit"] == ["2000k/5000k"]
    assert reply["Acct-Interim-Interval"] == ["300"]
    assert "Taman Digital Uji" in reply["Reply-Message"][0]
    again, reply = login(server, token["username"], token["password"])
    assert again == "Access-Reject" and "sudah dipakai" in reply["Reply-Message"][0]


def test_a_registered_device_logs_in_by_mac_in_any_notation(nas, client, login_as, get_access):
    server, _ = nas
    citizen = login_as("citizen")
    get_access(citizen)
    assert client.post(f"{BASE}/devices", json={"mac": "aabb.cc00.4411"}, headers=citizen).status_code == 201
    for user_name in ("AA-BB-CC-00-44-11", "aa:bb:cc:00:44:11", "aabbcc004411"):
        code, reply = login(server, user_name, user_name)
        assert code == "Access-Accept", user_name
        assert reply["Session-Timeout"] == ["7200"]
    code, reply = login(server, "AA-BB-CC-00-44-12", "AA-BB-CC-00-44-12")
    assert code == "Access-Reject" and reply["Reply-Message"][0].startswith("Akun Wi-Fi tidak dikenal")


def test_wrong_expired_and_unknown_tokens_are_rejected(nas, app, login_as, get_access, client):
    server, _ = nas
    citizen = login_as("citizen")
    token = get_access(citizen)["token"]
    code, reply = login(server, token["username"], "not-the-secret")
    assert code == "Access-Reject" and "Token Wi-Fi salah" in reply["Reply-Message"][0]
    code, _ = login(server, "rgm-0000000000000000", "whatever")
    assert code == "Access-Reject"
    code, _ = login(server, "nobody", "whatever")
    assert code == "Access-Reject"
    expired = client.post(f"{BASE}/tokens", headers=citizen).get_json()
    with app.app_context():
        toolkit.db.session.execute(update(WifiToken).where(WifiToken.username == expired["username"])
                                   .values(expires_at=toolkit.utcnow() - timedelta(seconds=1)))
        toolkit.db.session.commit()
    code, reply = login(server, expired["username"], expired["password"])
    assert code == "Access-Reject" and "kedaluwarsa" in reply["Reply-Message"][0]
    # The wrong password did not use the first token up.
    code, _ = login(server, token["username"], token["password"])
    assert code == "Access-Accept"


def test_new_terms_reject_devices_and_tokens_until_accepted(nas, client, login_as, get_access, admin):
    server, _ = nas
    citizen = login_as("citizen")
    token = get_access(citizen)["token"]
    assert client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:66:11"}, headers=citizen).status_code == 201
    published = client.post(f"{BASE}/admin/terms", json={"version": "2027-01", "text_id": "Syarat baru.",
                                                         "text_en": "New terms."}, headers=admin)
    assert published.status_code == 201
    for user_name, password in (("AA-BB-CC-00-66-11", "AA-BB-CC-00-66-11"), (token["username"], token["password"])):
        code, reply = login(server, user_name, password)
        assert code == "Access-Reject", user_name
        assert reply["Reply-Message"][0].startswith("Syarat penggunaan Wi-Fi diperbarui")
    assert client.post(f"{BASE}/access", json={"terms_version": "2027-01"}, headers=citizen).status_code == 201
    assert login(server, "AA-BB-CC-00-66-11", "AA-BB-CC-00-66-11")[0] == "Access-Accept"


def test_suspended_citizens_and_devices_are_rejected_until_lifted(nas, client, login_as, get_access, admin):
    server, _ = nas
    citizen = login_as("citizen")
    get_access(citizen)
    device = client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:55:11"}, headers=citizen).get_json()
    suspended = client.post(f"{BASE}/admin/suspensions", json={"kind": "device", "device_id": device["id"],
                                                               "reason": "berbagi akses"}, headers=admin)
    assert suspended.status_code == 201
    assert login(server, "AA:BB:CC:00:55:11", "x")[0] == "Access-Reject"
    token = client.post(f"{BASE}/tokens", headers=citizen).get_json()  # the citizen is not suspended
    assert login(server, token["username"], token["password"])[0] == "Access-Accept"
    client.post(f"{BASE}/admin/suspensions/{suspended.get_json()['id']}/lift", json={"reason": "selesai"},
                headers=admin)
    assert login(server, "AA:BB:CC:00:55:11", "x")[0] == "Access-Accept"
    user_id = suspended.get_json()["user_id"]
    client.post(f"{BASE}/admin/suspensions", json={"kind": "user", "user_id": user_id, "reason": "spam"},
                headers=admin)
    assert login(server, "AA:BB:CC:00:55:11", "x")[0] == "Access-Reject"
    assert client.post(f"{BASE}/tokens", headers=citizen).get_json()["error"]["code"] == "wifi_suspended"


def test_quota_unknown_or_closed_hotspot_and_the_service_switch_reject(nas, client, login_as, get_access, admin):
    server, hotspot = nas
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:66:11"}, headers=citizen)
    assert login(server, "AA:BB:CC:00:66:11", "x", **{"NAS-Identifier": "somewhere-else"})[0] == "Access-Reject"
    # Use the day's quota up: a one-hour daily quota, and a session of an hour recorded.
    policy = {"session_seconds": 1800, "daily_seconds": 3600, "daily_bytes": 10 * 1024 ** 2, "down_kbps": 1000,
              "up_kbps": 500}
    assert client.put(f"{BASE}/admin/policies/hotspots/{hotspot['id']}", json=policy, headers=admin).status_code == 200
    code, reply = login(server, "AA:BB:CC:00:66:11", "x")
    assert code == "Access-Accept" and reply["Session-Timeout"] == ["1800"]
    assert reply["Mikrotik-Rate-Limit"] == ["500k/1000k"]
    start = {"User-Name": "AA:BB:CC:00:66:11", "NAS-Identifier": NAS, "Acct-Session-Id": "q-1"}
    server.send("acct", {**start, "Acct-Status-Type": "Start"})
    server.send("acct", {**start, "Acct-Status-Type": "Stop", "Acct-Session-Time": 3600})
    code, reply = login(server, "AA:BB:CC:00:66:11", "x")
    assert code == "Access-Reject" and "Kuota" in reply["Reply-Message"][0]
    # Another citizen at a hotspot in maintenance, then with the whole service switched off.
    other = login_as("citizen")
    token = get_access(other)["token"]
    client.patch(f"{BASE}/admin/hotspots/{hotspot['id']}", json={"status": "maintenance"}, headers=admin)
    code, reply = login(server, token["username"], token["password"])
    assert code == "Access-Reject" and "tidak melayani" in reply["Reply-Message"][0]
    client.patch(f"{BASE}/admin/hotspots/{hotspot['id']}", json={"status": "active"}, headers=admin)
    off = client.patch("/api/v1/admin/services/wifi", json={"enabled": False, "reason": "perawatan"}, headers=admin)
    assert off.status_code == 200, off.get_json()
    assert login(server, token["username"], token["password"])[0] == "Access-Reject"
    client.patch("/api/v1/admin/services/wifi", json={"enabled": True, "reason": "selesai"}, headers=admin)
    assert login(server, token["username"], token["password"])[0] == "Access-Accept"


def test_accounting_start_interim_stop_are_recorded_once_whatever_the_retries(nas, app, login_as, get_access,
                                                                              client):
    server, hotspot = nas
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:77:11"}, headers=citizen)
    base = {"User-Name": "AA:BB:CC:00:77:11", "NAS-Identifier": NAS, "Acct-Session-Id": "81000001",
            "NAS-Port": 7, "Framed-IP-Address": "10.5.0.23"}
    packets = [
        {"Acct-Status-Type": "Start"},
        {"Acct-Status-Type": "Start", "Acct-Delay-Time": 4},  # the NAS's retry: a new packet, same session
        {"Acct-Status-Type": "Interim-Update", "Acct-Session-Time": 300, "Acct-Input-Octets": 1000,
         "Acct-Output-Octets": 5000},
        {"Acct-Status-Type": "Interim-Update", "Acct-Session-Time": 300, "Acct-Input-Octets": 1000,
         "Acct-Output-Octets": 5000, "Acct-Delay-Time": 3},
        {"Acct-Status-Type": "Stop", "Acct-Session-Time": 600, "Acct-Input-Octets": 2000,
         "Acct-Output-Octets": 3, "Acct-Output-Gigawords": 1, "Acct-Terminate-Cause": "User-Request"},
        {"Acct-Status-Type": "Stop", "Acct-Session-Time": 600, "Acct-Input-Octets": 2000,
         "Acct-Output-Octets": 3, "Acct-Output-Gigawords": 1, "Acct-Delay-Time": 5},
        # A late interim after the stop moves nothing back, reopens nothing.
        {"Acct-Status-Type": "Interim-Update", "Acct-Session-Time": 300, "Acct-Input-Octets": 1000},
    ]
    for packet in packets:
        assert server.send("acct", {**base, **packet})[0] == "Accounting-Response"
    # Absurd counters: no answer (the NAS will retry a real packet later), nothing changed.
    absurd = {**base, "Acct-Status-Type": "Interim-Update", "Acct-Session-Time": 10 ** 9}
    assert server.send("acct", absurd)[0] == "no reply"
    with app.app_context():
        rows = list(toolkit.db.session.scalars(select(AccountingSession)))
        assert len(rows) == 1
        row = rows[0]
        assert (row.state, row.session_seconds, row.input_bytes, row.output_bytes) == \
            ("stopped", 600, 2000, 2**32 + 3)
        assert row.packets == 7 and row.hotspot_id == hotspot["id"] and row.user_id is not None
        assert row.terminate_cause == "User-Request" and row.framed_ip is None


def test_a_wrong_bearer_secret_gets_nobody_in(radius, make_app, login_as, get_access, add_hotspot):
    app = make_app(WIFI_RADIUS_SECRET="another-secret-another-secret-0000")
    radius.dispatcher.app = app
    try:
        client = app.test_client()
        admin = None
        del admin
        answer = client.post(f"{BASE}/radius/authorize", json={"User-Name": {"type": "string", "value": ["x"]}},
                             headers={"Authorization": f"Bearer {SECRET}"})
        assert answer.status_code == 403
        code, _ = radius.send("auth", {"User-Name": "aa:bb:cc:00:88:11", "User-Password": "x", "NAS-Identifier": NAS})
        assert code == "Access-Reject"
    finally:
        radius.dispatcher.app = None


def test_two_log_ins_racing_with_one_token_let_one_in(nas, login_as, get_access):
    import json
    import threading
    import urllib.error
    import urllib.request
    server, _ = nas
    token = get_access(login_as("citizen"))["token"]
    body = json.dumps({"User-Name": {"type": "string", "value": [token["username"]]},
                       "User-Password": {"type": "string", "value": [token["password"]]},
                       "NAS-Identifier": {"type": "string", "value": [NAS]}}).encode()
    url = f"http://127.0.0.1:{server.http.port}/api/v1/wifi/radius/authenticate"
    statuses, start = [], threading.Barrier(4)

    def attempt():
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {SECRET}"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                statuses.append(answer.status)
        except urllib.error.HTTPError as refused:
            statuses.append(refused.code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [204, 401, 401, 401]
