"""Data rights (summary, export, erasure), KPIs, the silent-hotspot job and the demo hotspots."""
from datetime import timedelta

from sqlalchemy import func, select, update

from ragem import toolkit
from ragem.testing import audit_entries, inbox, load_demo, periodic_jobs
from ragem.toolkit import db

from plugins.wifi.models import AccountingSession, Device, Hotspot, TermsAcceptance, WifiToken
from plugins.wifi.services import silence
from plugins.wifi.tests.conftest import BASE, radius_body, radius_headers

NAS = "park-rights"


def session_packet(client, unique_id, user_name, **counters):
    body = radius_body(User_Name=user_name, NAS_Identifier=NAS, Acct_Unique_Session_Id=unique_id,
                       Acct_Status_Type="Interim-Update", **counters)
    answer = client.post(f"{BASE}/radius/accounting", json=body, headers=radius_headers())
    assert answer.status_code == 204, answer.get_json()


def test_summary_export_and_erasure(client, login_as, get_access, add_hotspot, app):
    add_hotspot(nas=NAS)
    citizen = login_as("citizen")
    get_access(citizen)
    client.post(f"{BASE}/devices", json={"mac": "aa:bb:cc:01:00:01", "label": "HP Siti"}, headers=citizen)
    session_packet(client, "s-1", "AA:BB:CC:01:00:01", Acct_Session_Time=900, Acct_Input_Octets=100,
                   Acct_Output_Octets=400)
    section = client.get("/api/v1/me/summary", headers=citizen).get_json()["sections"]["wifi"]
    assert section["devices"] == [{"id": section["devices"][0]["id"], "mac": "AA:BB:CC:01:00:01", "label": "HP Siti"}]
    assert section["today"]["sessions"] == 1 and section["today"]["seconds"] == 900
    assert section["today"]["seconds_remaining"] == 4 * 3600 - 900
    exported = client.get("/api/v1/me/export", headers=citizen).get_json()["services"]["wifi"]
    assert [r["terms_version"] for r in exported["registrations"]] == ["2026-12"]
    assert exported["devices"][0]["mac"] == "AA:BB:CC:01:00:01"
    assert exported["sessions"][0]["seconds"] == 900 and exported["sessions"][0]["bytes_out"] == 400
    # Another citizen's data is in neither.
    other = login_as("citizen")
    assert "wifi" not in client.get("/api/v1/me/summary", headers=other).get_json()["sections"]
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with app.app_context():
        for model in (Device, WifiToken, TermsAcceptance):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
        row = db.session.scalar(select(AccountingSession))
        assert (row.user_id, row.device_id, row.anonymised, row.session_seconds) == (None, None, True, 900)
        [entry] = audit_entries(action="user.erase")
        assert "wifi" in str(entry.after)


def test_kpis_overall_and_per_hotspot(client, login_as, get_access, add_hotspot, app):
    spot = add_hotspot(nas=NAS)
    for n in (1, 2):
        citizen = login_as("citizen")
        get_access(citizen)
        client.post(f"{BASE}/devices", json={"mac": f"aa:bb:cc:02:00:0{n}"}, headers=citizen)
        session_packet(client, f"k-{n}", f"AA:BB:CC:02:00:0{n}", Acct_Session_Time=1800,
                       Acct_Output_Octets=1024 ** 3 // 2)
    session_packet(client, "k-1b", "AA:BB:CC:02:00:01", Acct_Session_Time=1800)
    with app.app_context():
        period = toolkit.parse_period(toolkit.utcnow().strftime("%Y-%m"))
        values = {key.key: key.value for slug, key in toolkit.collect_kpis(period) if slug == "wifi"}
    assert values["wifi.sessions"] == 3 and values["wifi.unique_users"] == 2
    assert values["wifi.hours"] == 1.5 and values["wifi.data_gb"] == 1.0
    assert values["wifi.new_registrations"] == 2
    assert values[f"wifi.hotspot{spot['id']}.sessions"] == 3
    with app.app_context():
        empty = toolkit.parse_period("2020-01")
        past = {key.key: key.value for slug, key in toolkit.collect_kpis(empty) if slug == "wifi"}
    assert past["wifi.sessions"] == 0 and past["wifi.new_registrations"] == 0


def test_a_silent_hotspot_is_reported_once_per_outage_and_clears_with_traffic(client, login_as, add_hotspot, app):
    officer = login_as("officer", opd="DISKOMINFO")
    login_as("officer", opd="DLH")  # not the command centre: told nothing
    spot = add_hotspot(nas=NAS, quiet_hours=2)
    quiet = add_hotspot(nas="fresh-one")
    assert "wifi.silent-hotspots" in periodic_jobs(app)

    def age(hours):
        with app.app_context():
            db.session.execute(update(Hotspot).where(Hotspot.id == spot["id"]).values(
                created_at=toolkit.utcnow() - timedelta(hours=hours),
                last_seen_at=toolkit.utcnow() - timedelta(hours=hours)))
            db.session.commit()

    age(3)
    with app.app_context():
        assert silence.check_silent_hotspots() == [spot["id"]]
        assert silence.check_silent_hotspots() == []  # the same outage: told once
        notes = [n for n in inbox() if n.service == "wifi"]
        assert len(notes) == 1 and notes[0].data == {"hotspot_id": spot["id"]}
        assert quiet["id"] not in [n.data["hotspot_id"] for n in notes]
    admin = login_as("admin")
    listed = client.get(f"{BASE}/admin/hotspots", headers=admin).get_json()["items"]
    assert [h["silent"] for h in listed if h["id"] == spot["id"]] == [True]
    # Traffic returns (a log-in attempt reaches post-auth): the flag clears; a new outage is new news.
    client.post(f"{BASE}/radius/post-auth", json=radius_body(User_Name="x", NAS_Identifier=NAS),
                headers=radius_headers())
    listed = client.get(f"{BASE}/admin/hotspots", headers=admin).get_json()["items"]
    assert [h["silent"] for h in listed if h["id"] == spot["id"]] == [False]
    age(5)
    with app.app_context():
        assert silence.check_silent_hotspots() == [spot["id"]]
        notes = [n for n in inbox() if n.service == "wifi"]
        assert len(notes) == 2 and {n.user_id for n in notes} == {notes[0].user_id}


def test_demo_hotspots_include_the_taman_digital_once(app, client):
    with app.app_context():
        load_demo()
        load_demo()
        names = list(db.session.scalars(select(Hotspot.name)))
    assert names.count("Taman Digital Alun-alun Serang") == 1 and len(names) == 3
    listed = client.get(f"{BASE}/hotspots").get_json()["items"]
    taman = [h for h in listed if h["name"].startswith("Taman Digital")][0]
    assert taman["kelurahan_code"] == "36.73.01.1001" and taman["lat"] == -6.1207


def test_admin_changes_are_audited(client, admin, add_hotspot, app):
    spot = add_hotspot(nas=NAS)
    client.patch(f"{BASE}/admin/hotspots/{spot['id']}", json={"status": "maintenance"}, headers=admin)
    policy = {"session_seconds": 3600, "daily_seconds": 7200, "daily_bytes": 2**30, "down_kbps": 4000,
              "up_kbps": 1000}
    assert client.put(f"{BASE}/admin/policies/global", json=policy, headers=admin).status_code == 200
    assert client.put(f"{BASE}/admin/policies/hotspots/{spot['id']}", json=policy, headers=admin).status_code == 200
    assert client.delete(f"{BASE}/admin/policies/hotspots/{spot['id']}", headers=admin).status_code == 204
    assert client.delete(f"{BASE}/admin/policies/hotspots/{spot['id']}", headers=admin).status_code == 404
    bad = dict(policy, daily_bytes=-1)
    assert client.put(f"{BASE}/admin/policies/global", json=bad, headers=admin).status_code == 422
    with app.app_context():
        actions = [e.action for e in audit_entries() if e.action.startswith("wifi.")]
    assert actions == ["wifi.hotspot.create", "wifi.hotspot.update", "wifi.policy.set", "wifi.policy.set",
                       "wifi.policy.remove"]
    listed = client.get(f"{BASE}/admin/policies", headers=admin).get_json()["items"]
    assert [p["hotspot_id"] for p in listed] == [None] and listed[0]["session_seconds"] == 3600


def test_admins_read_the_kpis_per_hotspot(client, admin, login_as, add_hotspot):
    spot = add_hotspot(nas=NAS)
    session_packet(client, "r-1", "AA:BB:CC:03:00:01", Acct_Session_Time=7200, Acct_Input_Octets=10)
    month = toolkit.utcnow().strftime("%Y-%m")
    report = client.get(f"{BASE}/admin/kpis?period={month}", headers=admin).get_json()
    assert report["period"] == month
    assert report["overall"]["sessions"] == 1 and report["overall"]["users"] == 0  # nobody's device
    assert [(h["hotspot_id"], h["sessions"], h["hours"]) for h in report["hotspots"]] == [(spot["id"], 1, 2.0)]
    assert client.get(f"{BASE}/admin/kpis?period=2026-13", headers=admin).status_code == 422
    assert client.get(f"{BASE}/admin/kpis?period={month}", headers=login_as("citizen")).status_code == 403
