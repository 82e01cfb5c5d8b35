"""The Wi-Fi service in the staff console: hotspots with their silence state, a hotspot's status,
and the suspensions of citizens, as admins use them."""
import html
from datetime import datetime, timedelta

from sqlalchemy import update

from ragem import toolkit
from ragem.testing import console_client, console_post

from plugins.wifi.models import Hotspot
from plugins.wifi.services import silence
from plugins.wifi.tests.conftest import BASE

HOTSPOTS = "/console/p/wifi/hotspots"
SUSPENSIONS = "/console/p/wifi/suspensions"


def hotspot_page(hid: int) -> str:
    return f"/console/p/wifi/hotspot/{hid}"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def api_hotspot(client, admin, hid) -> dict:
    items = client.get(f"{BASE}/admin/hotspots", headers=admin).get_json()["items"]
    return next(h for h in items if h["id"] == hid)


def silence_it(app, hid: int) -> None:
    """Age the hotspot past its quiet hours and run the watch job, as the scheduler would."""
    with app.app_context():
        toolkit.db.session.execute(update(Hotspot).where(Hotspot.id == hid).values(
            created_at=toolkit.utcnow() - timedelta(hours=30), last_seen_at=toolkit.utcnow() - timedelta(hours=30)))
        toolkit.db.session.commit()
        assert silence.check_silent_hotspots() == [hid]


def test_the_list_shows_which_hotspots_are_silent_and_since_when(app, client, admin, add_hotspot):
    quiet = add_hotspot(name="Taman Sari")
    fine = add_hotspot(name="Alun-alun")
    silence_it(app, quiet["id"])
    since = datetime.fromisoformat(api_hotspot(client, admin, quiet["id"])["silent_since"].replace("Z", ""))
    staff = console_client(app, "admin")
    listed = staff.get(HOTSPOTS)
    body = text(listed)
    assert listed.status_code == 200 and "Taman Sari" in body and "Alun-alun" in body
    assert f'href="{hotspot_page(quiet["id"])}"' in body and f'href="{HOTSPOTS}"' in text(staff.get("/console/"))
    assert "1 hotspot diam" in body
    row = body.split(f'data-id="{quiet["id"]}"')[1].split("</tr>")[0]
    assert (since + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M WIB") in row and "tidak diam" not in row
    assert "tidak diam" in body.split(f'data-id="{fine["id"]}"')[1].split("</tr>")[0]
    assert staff.get(HOTSPOTS + "?limit=0").status_code == 400
    assert staff.get(HOTSPOTS + "?cursor=garbage").status_code in (400, 422)


def test_an_admin_puts_a_hotspot_under_maintenance_and_back(app, client, admin, add_hotspot):
    spot = add_hotspot()
    silence_it(app, spot["id"])
    staff = console_client(app, "admin")
    page = staff.get(hotspot_page(spot["id"]))
    assert page.status_code == 200 and 'id="form-status"' in text(page)
    done = console_post(staff, f"{hotspot_page(spot['id'])}/act/status", {"status": "maintenance", "quiet_hours": "48"})
    assert done.status_code == 302
    seen = api_hotspot(client, admin, spot["id"])
    assert seen["status"] == "maintenance" and seen["quiet_hours"] == 48 and seen["silent"] is False
    assert "Hotspot diubah." in text(staff.get(hotspot_page(spot["id"])))
    back = console_post(staff, f"{hotspot_page(spot['id'])}/act/status", {"status": "active", "quiet_hours": "48"})
    assert back.status_code == 302 and api_hotspot(client, admin, spot["id"])["status"] == "active"


def test_bad_input_is_shown_and_changes_nothing(app, client, admin, add_hotspot):
    spot = add_hotspot()
    staff = console_client(app, "admin")
    url = f"{hotspot_page(spot['id'])}/act/status"
    for form in ({"status": "exploded"}, {"status": "active", "quiet_hours": "0"},
                 {"status": "active", "quiet_hours": "banyak"}, {"status": "x\x00"}):
        refused = console_post(staff, url, form)
        assert refused.status_code in (400, 422), form
    kept = console_post(staff, url, {"status": "active", "quiet_hours": "0"})
    assert "Periksa kembali isian formulir." in text(kept) and 'value="0"' in text(kept)
    assert api_hotspot(client, admin, spot["id"])["quiet_hours"] == 24
    assert staff.get(hotspot_page(999999)).status_code == 404
    assert console_post(staff, f"{hotspot_page(999999)}/act/status", {"status": "active"},
                        token_from=HOTSPOTS).status_code == 404


def test_an_admin_suspends_a_citizen_and_lifts_it(app, client, admin, login_as, get_access):
    citizen = login_as("citizen")
    get_access(citizen)
    user_id = citizen["X-Test-User-Id"]
    staff = console_client(app, "admin")
    done = console_post(staff, f"{SUSPENSIONS}/act/suspend", {"kind": "user", "user_id": user_id,
                                                             "reason": "penyalahgunaan jaringan"})
    assert done.status_code == 302
    [suspension] = client.get(f"{BASE}/admin/suspensions", headers=admin).get_json()["items"]
    assert suspension["user_id"] == user_id and suspension["active"] is True
    listed = text(staff.get(SUSPENSIONS))
    assert "penyalahgunaan jaringan" in listed and f'id="lift-{suspension["id"]}"' in listed
    no_reason = console_post(staff, f"{SUSPENSIONS}/act/lift", {"suspension_id": str(suspension["id"])})
    assert no_reason.status_code == 422
    lifted = console_post(staff, f"{SUSPENSIONS}/act/lift", {"suspension_id": str(suspension["id"]), "reason": "sudah"})
    assert lifted.status_code == 302
    assert client.get(f"{BASE}/admin/suspensions", headers=admin).get_json()["items"] == []
    again = console_post(staff, f"{SUSPENSIONS}/act/lift", {"suspension_id": str(suspension["id"]), "reason": "lagi"})
    assert again.status_code == 409  # the service's refusal on the page, no 500
    unknown = console_post(staff, f"{SUSPENSIONS}/act/suspend", {"kind": "device", "device_id": "999999",
                                                                "reason": "tes"})
    assert unknown.status_code == 404
    assert staff.get(SUSPENSIONS + "?active=maybe").status_code == 400


def test_only_admins_see_the_pages_and_posts_need_the_token(app, client, admin, add_hotspot):
    spot = add_hotspot()
    officer = console_client(app, "officer", opd="DISKOMINFO")
    for url in (HOTSPOTS, hotspot_page(spot["id"]), SUSPENSIONS):
        assert officer.get(url).status_code == 403, url
        assert client.get(url).status_code == 302
    assert f'href="{HOTSPOTS}"' not in text(officer.get("/console/"))
    assert console_post(officer, f"{hotspot_page(spot['id'])}/act/status", {"status": "retired"},
                        token_from="/console/").status_code == 403
    staff = console_client(app, "admin")
    assert staff.post(f"{hotspot_page(spot['id'])}/act/status", data={"status": "retired"}).status_code == 400
    assert api_hotspot(client, admin, spot["id"])["status"] == "active"


def test_while_the_wifi_is_switched_off_its_pages_say_so(app, client, admin, add_hotspot):
    spot = add_hotspot()
    staff = console_client(app, "admin")
    assert client.patch("/api/v1/admin/services/wifi", json={"enabled": False, "reason": "pemeliharaan"},
                        headers=admin).status_code == 200
    for url in (HOTSPOTS, hotspot_page(spot["id"]), SUSPENSIONS):
        off = staff.get(url)
        assert off.status_code == 503 and 'id="service-off"' in text(off)
    assert console_post(staff, f"{hotspot_page(spot['id'])}/act/status", {"status": "retired"},
                        token_from="/console/").status_code == 503
    client.patch("/api/v1/admin/services/wifi", json={"enabled": True, "reason": "selesai"}, headers=admin)
    assert api_hotspot(client, admin, spot["id"])["status"] == "active"
