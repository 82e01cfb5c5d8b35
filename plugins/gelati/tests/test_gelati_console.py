"""The UMKM office verifies shops in the staff console, through the same services as the API."""
import html

from ragem.testing import console_client, console_post

from .conftest import BASE, shop_body

SHOPS = "/console/p/gelati/shops"


def page(shop_id: int) -> str:
    return f"/console/p/gelati/shop/{shop_id}"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_umkm_office_verifies_an_application_in_the_console(app, client, login_as):
    seller = login_as("citizen")
    shop = client.post(f"{BASE}/my-shop", json=shop_body(), headers=seller).get_json()
    office = console_client(app, "officer", opd="DISKOPUKM")
    assert f'href="{SHOPS}"' in text(office.get("/console/"))
    waiting = text(office.get(SHOPS))
    assert shop["name"] in waiting and "9120001234567" in waiting
    assert shop["name"] not in text(office.get(SHOPS + "?status=verified"))
    assert office.get(SHOPS + "?status=unknown").status_code == 400
    shown = text(office.get(page(shop["id"])))
    assert "+6281234567001" in shown and 'id="form-verify"' in shown and 'id="form-suspend"' not in shown
    done = console_post(office, f"{page(shop['id'])}/act/verify")
    assert done.status_code == 302 and "Toko diverifikasi" in text(office.get(page(shop["id"])))
    assert client.get(f"{BASE}/shops/{shop['id']}").status_code == 200  # public now
    again = console_post(office, f"{page(shop['id'])}/act/verify")
    assert again.status_code == 409  # the service's refusal, on the page
    blank = console_post(office, f"{page(shop['id'])}/act/suspend", {"reason": ""})
    assert blank.status_code == 422 and "reason" in text(blank)
    suspended = console_post(office, f"{page(shop['id'])}/act/suspend", {"reason": "Izin usaha dicabut"})
    assert suspended.status_code == 302
    assert client.get(f"{BASE}/my-shop", headers=seller).get_json()["status"] == "suspended"
    assert office.get(page(999999)).status_code == 404


def test_other_officers_do_not_see_the_page_and_posts_need_the_token(app, client, login_as):
    shop = client.post(f"{BASE}/my-shop", json=shop_body(), headers=login_as("citizen")).get_json()
    other = console_client(app, "officer", opd="DPUPR")
    assert f'href="{SHOPS}"' not in text(other.get("/console/"))
    assert other.get(page(shop["id"])).status_code == 403
    assert console_post(other, f"{page(shop['id'])}/act/verify", token_from="/console/").status_code == 403
    office = console_client(app, "officer", opd="DISKOPUKM")
    assert office.post(f"{page(shop['id'])}/act/verify").status_code == 400
    assert client.get(f"{BASE}/shops/{shop['id']}").status_code == 404  # still not verified
