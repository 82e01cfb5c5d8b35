"""The rlm_rest endpoints as FreeRADIUS calls them over HTTP: the guard, bad input, accounting
idempotency; and the captive-portal API. (The real-FreeRADIUS tests cover the wire end to end.)"""
import json

import pytest

from ragem.testing import drop_database_connections, postgresql_under_test

from plugins.wifi.tests.conftest import BASE, SECRET, radius_body, radius_headers

NAS = "park-radius"


@pytest.fixture
def spot(add_hotspot):
    return add_hotspot(nas=NAS)


def post(client, section, body, headers=None, **kwargs):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"{BASE}/radius/{section}", data=data, content_type="application/json",
                       headers=radius_headers() if headers is None else headers, **kwargs)


def test_without_the_secret_or_from_elsewhere_nobody_is_answered(client, spot):
    body = radius_body(User_Name="aa:bb:cc:00:00:01", NAS_Identifier=NAS)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": SECRET},
                    {"Authorization": f"Basic {SECRET}"}):
        answer = post(client, "authorize", body, headers=headers)
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "radius_forbidden"
    outside = post(client, "authorize", body, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert outside.status_code == 403
    assert post(client, "authorize", body).status_code == 404  # the right caller: nobody by that name


def test_no_secret_configured_refuses_everyone(make_app):
    app = make_app(WIFI_RADIUS_SECRET="")
    answer = post(app.test_client(), "authorize", radius_body(User_Name="x"), headers={"Authorization": "Bearer "})
    assert answer.status_code == 403


def test_production_refuses_to_start_the_service_without_the_secret():
    from plugins.wifi import settings
    assert any("RAGEM_WIFI_RADIUS_SECRET" in p for p in settings.problems({"ENV": "production"}))
    assert settings.problems({"ENV": "production", "WIFI_RADIUS_SECRET": "x" * 32}) == []
    assert settings.problems({"ENV": "development", "WIFI_RADIUS_SECRET": "short"})
    assert settings.problems({"WIFI_RADIUS_ALLOWED_NETWORKS": "10.0.0.0/8,nonsense"})


@pytest.mark.parametrize("body", [
    "", "not json", "[1, 2]", "{}", '{"User-Name": "bob"}', '{"User-Name": {"value": "bob"}}',
    '{"User-Name": {"value": [{"nested": 1}]}}', '{"User Name": {"value": ["x"]}}',
    '{"User-Name": {"value": ["\\ud800"]}}', '{"User-Name": {"value": [true]}}',
    '{"User-Name": {"value": ["' + "x" * 2000 + '"]}}', "1" * 5000,
])
def test_malformed_rlm_rest_json_is_a_clear_400(client, spot, body):
    for section in ("authorize", "authenticate", "post-auth", "accounting"):
        answer = post(client, section, body)
        assert answer.status_code == 400, (section, body[:40])
        assert answer.get_json()["error"]["code"] in ("invalid_radius_json", "bad_request", "invalid_json")


def test_attributes_ragem_does_not_read_are_ignored(client, login_as, get_access, spot):
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:00:02"}, headers=citizen)
    body = radius_body(User_Name="aa-bb-cc-00-00-02", NAS_Identifier=NAS, Mikrotik_Host_IP="10.5.50.2",
                       Vendor_Thing_Unknown="whatever")
    answer = post(client, "authorize", body)
    assert answer.status_code == 200
    reply = answer.get_json()
    assert reply["control:Auth-Type"] == "Accept" and reply["reply:Session-Timeout"] == 7200


def test_a_token_is_checked_against_its_secret_and_used_once(client, login_as, get_access, spot):
    token = get_access(login_as("citizen"))["token"]
    body = radius_body(User_Name=token["username"], User_Password=token["password"], NAS_Identifier=NAS)
    authorized = post(client, "authorize", body).get_json()
    assert authorized["control:Auth-Type"] == "ragem_wifi"
    wrong = post(client, "authenticate", {**body, **radius_body(User_Password="nope")})
    assert wrong.status_code == 401 and "salah" in wrong.get_json()["reply:Reply-Message"]
    assert post(client, "authenticate", body).status_code == 204
    used = post(client, "authenticate", body)
    assert used.status_code == 401 and "sudah dipakai" in used.get_json()["reply:Reply-Message"]
    assert post(client, "authorize", body).status_code == 401


@pytest.mark.skipif(not postgresql_under_test(), reason="needs RAGEM_TEST_DATABASE_URL=postgresql...")
def test_authorize_answers_the_same_after_postgresql_dropped_the_connections(client, login_as, get_access, spot):
    get_access(citizen := login_as("citizen"))
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:00:05"}, headers=citizen)
    body = radius_body(User_Name="aa:bb:cc:00:00:05", NAS_Identifier=NAS)
    before = post(client, "authorize", body)
    assert before.status_code == 200
    assert drop_database_connections(client.application)  # as a restart of PostgreSQL does
    for _ in range(3):
        after = post(client, "authorize", body)
        assert after.status_code == 200 and after.get_json() == before.get_json()


def accounting(client, **attributes):
    base = {"User_Name": "aa:bb:cc:00:00:03", "NAS_Identifier": NAS, "Acct_Unique_Session_Id": "u-1"}
    return post(client, "accounting", radius_body(**{**base, **attributes}))


def test_accounting_is_idempotent_and_refuses_absurd_counters(client, login_as, get_access, spot, app):
    from ragem import toolkit
    from sqlalchemy import select
    from plugins.wifi.models import AccountingSession
    assert accounting(client, Acct_Status_Type="Start").status_code == 204
    assert accounting(client, Acct_Status_Type="Start").status_code == 204
    assert accounting(client, Acct_Status_Type="Interim-Update", Acct_Session_Time=60,
                      Acct_Output_Octets=900).status_code == 204
    for bad, code in (({"Acct_Session_Time": 10**7}, "absurd_counters"),
                      ({"Acct_Input_Gigawords": 300}, "absurd_counters"),
                      ({"Acct_Input_Octets": "lots"}, "invalid_radius_attribute"),
                      ({"Acct_Input_Octets": -5}, "invalid_radius_attribute"),
                      ({"Acct_Input_Octets": 2**40}, "invalid_radius_attribute")):
        answer = accounting(client, Acct_Status_Type="Interim-Update", **bad)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code, bad
    for bad in ({"Acct_Status_Type": "Sideways"}, {"Acct_Status_Type": "Start", "Acct_Unique_Session_Id": "a b"},
                {"Acct_Status_Type": "Start", "Acct_Unique_Session_Id": "x" * 65}):
        assert accounting(client, **bad).status_code == 400
    with app.app_context():
        rows = list(toolkit.db.session.scalars(select(AccountingSession)))
        assert [(r.unique_id, r.packets, r.session_seconds, r.output_bytes) for r in rows] == [("u-1", 3, 60, 900)]


def test_accounting_on_closes_the_hotspots_open_sessions(client, spot, app):
    from ragem import toolkit
    from sqlalchemy import select
    from plugins.wifi.models import AccountingSession
    accounting(client, Acct_Status_Type="Start", Acct_Unique_Session_Id="open-1")
    post(client, "accounting", radius_body(Acct_Status_Type="Accounting-On", NAS_Identifier=NAS))
    with app.app_context():
        row = toolkit.db.session.scalar(select(AccountingSession))
        assert row.state == "stopped" and row.terminate_cause == "NAS-Accounting-On"


def test_captive_portal_answers_rfc8908(client, login_as, get_access, spot):
    anonymous = client.get(f"{BASE}/captive-portal")
    assert anonymous.status_code == 200 and anonymous.mimetype == "application/captive+json"
    assert anonymous.get_json() == {"captive": True, "user-portal-url": "https://wifi.serangkota.go.id/"}
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:00:04"}, headers=citizen)
    post(client, "accounting", radius_body(User_Name="AA:BB:CC:00:00:04", NAS_Identifier=NAS,
                                           Acct_Unique_Session_Id="cp-1", Acct_Status_Type="Interim-Update",
                                           Acct_Session_Time=600, Acct_Input_Octets=1000, Acct_Output_Octets=1000,
                                           Framed_IP_Address="10.5.0.9"))
    mine = client.get(f"{BASE}/captive-portal", headers=citizen).get_json()
    assert mine == {"captive": False, "user-portal-url": "https://wifi.serangkota.go.id/",
                    "seconds-remaining": 7200 - 600, "bytes-remaining": 2 * 1024 ** 3 - 2000,
                    "can-extend-session": False}
    by_address = client.get(f"{BASE}/captive-portal", environ_base={"REMOTE_ADDR": "10.5.0.9"}).get_json()
    assert by_address["captive"] is False
    other = client.get(f"{BASE}/captive-portal", headers=login_as("citizen")).get_json()
    assert other["captive"] is True
    post(client, "accounting", radius_body(User_Name="AA:BB:CC:00:00:04", NAS_Identifier=NAS,
                                           Acct_Unique_Session_Id="cp-1", Acct_Status_Type="Stop",
                                           Acct_Session_Time=700))
    assert client.get(f"{BASE}/captive-portal", headers=citizen).get_json()["captive"] is True


def test_freeradius_is_not_rate_limited_like_a_phone(make_app):
    app = make_app(WIFI_RADIUS_SECRET=SECRET, RATE_LIMIT="3 per minute")
    client = app.test_client()
    body = radius_body(User_Name="aa:bb:cc:00:00:09", NAS_Identifier="nowhere")
    answers = [post(client, "authorize", body).status_code for _ in range(8)]
    assert answers == [401] * 8  # each one answered (unknown hotspot), none 429
    limited = [client.post(f"{BASE}/tokens").status_code for _ in range(5)]
    assert 429 in limited  # the same limit does hold for the citizens' routes


def test_the_welcome_fits_one_radius_attribute(client, login_as, get_access, add_hotspot):
    add_hotspot(nas="long-name", name="Taman " + "\u00e9" * 114)
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:00:0a"}, headers=citizen)
    reply = post(client, "authorize", radius_body(User_Name="aabbcc00000a", NAS_Identifier="long-name")).get_json()
    message = reply["reply:Reply-Message"]
    assert message.startswith("Selamat datang") and len(message.encode("utf-8")) <= 253


def test_hotspot_changes_apply_at_once_here_and_within_the_bound_elsewhere(client, admin, login_as, get_access,
                                                                           spot, app, monkeypatch):
    """A worker keeps hotspots and policies for a few seconds: an admin's change through this
    worker applies at once; one made elsewhere (another worker, plain SQL here) within the bound.
    A suspension, being about the person, is never kept: it refuses the next log-in."""
    from sqlalchemy import text

    from ragem import toolkit

    from plugins.wifi.services import lookups

    citizen = login_as("citizen")
    get_access(citizen)
    device = client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:00:00:07"}, headers=citizen).get_json()
    body = radius_body(User_Name="aa:bb:cc:00:00:07", NAS_Identifier=NAS)
    assert post(client, "authorize", body).get_json()["reply:Session-Timeout"] == 7200
    policy = {"session_seconds": 600, "daily_seconds": 3600, "daily_bytes": 10**9, "down_kbps": 1000, "up_kbps": 500}
    assert client.put(f"{BASE}/admin/policies/global", json=policy, headers=admin).status_code == 200
    assert post(client, "authorize", body).get_json()["reply:Session-Timeout"] == 600

    with app.app_context():
        toolkit.db.session.execute(text("UPDATE wifi_hotspot SET status = 'maintenance'"))
        toolkit.db.session.commit()
    assert post(client, "authorize", body).status_code == 200  # this worker's copy, still fresh
    clock = lookups.time.monotonic() + lookups.HOTSPOT_CACHE_SECONDS + 0.1
    monkeypatch.setattr(lookups.time, "monotonic", lambda: clock)
    closed = post(client, "authorize", body)
    assert closed.status_code == 401 and "tidak melayani" in closed.get_json()["reply:Reply-Message"]

    assert client.patch(f"{BASE}/admin/hotspots/{spot['id']}", json={"status": "active"},
                        headers=admin).status_code == 200
    assert post(client, "authorize", body).status_code == 200
    suspended = client.post(f"{BASE}/admin/suspensions", json={"kind": "device", "device_id": device["id"],
                                                               "reason": "uji"}, headers=admin)
    assert suspended.status_code == 201
    assert post(client, "authorize", body).status_code == 403
