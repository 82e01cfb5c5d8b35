"""A shop's life: application, verification or rejection with a reason, suspension; identifiers and
sealed contact data; who sees what."""
from pathlib import Path

import pytest

from ragem.testing import audit_entries, boundary_violations, inbox, stored_text_containing

from .conftest import BASE, shop_body


def test_the_plugin_imports_only_the_toolkit():
    assert boundary_violations(Path(__file__).resolve().parents[1]) == []


def test_a_citizen_applies_and_the_umkm_office_verifies(client, login_as, umkm_officer, app):
    seller = login_as("citizen")
    applied = client.post(f"{BASE}/my-shop", json=shop_body(), headers=seller)
    assert applied.status_code == 201
    shop = applied.get_json()
    assert shop["status"] == "applied"
    assert shop["pirt_number"] == "206360401020723" and shop["phone"] == "+6281234567001"
    # Not public until verified.
    assert client.get(f"{BASE}/shops/{shop['id']}").status_code == 404
    assert client.get(f"{BASE}/shops").get_json()["items"] == []

    queue = client.get(f"{BASE}/office/shops?status=applied", headers=umkm_officer).get_json()["items"]
    assert [s["id"] for s in queue] == [shop["id"]] and queue[0]["nib"] == "9120001234567"

    verified = client.post(f"{BASE}/office/shops/{shop['id']}/verify", headers=umkm_officer).get_json()
    assert verified["status"] == "verified"
    public = client.get(f"{BASE}/shops/{shop['id']}").get_json()
    assert public["name"] == "Sate Bandeng Bu Haji" and "address" not in public and "nib" not in public
    assert public["payment_methods"] == ["cod", "bank_transfer"]
    with app.app_context():
        assert [e.action for e in audit_entries(target_type="gelati_shop")] == ["gelati.shop.apply",
                                                                                "gelati.shop.verify"]
        assert [n.kind for n in inbox(seller["X-Test-User-Id"])] == ["gelati.shop.verified"]


def test_a_rejection_gives_the_reason_and_an_edit_applies_again(client, login_as, umkm_officer, app):
    seller = login_as("citizen")
    shop = client.post(f"{BASE}/my-shop", json=shop_body(), headers=seller).get_json()
    assert client.post(f"{BASE}/office/shops/{shop['id']}/reject", json={}, headers=umkm_officer).status_code == 422
    rejected = client.post(f"{BASE}/office/shops/{shop['id']}/reject", json={"reason": "NIB tidak terdaftar"},
                           headers=umkm_officer).get_json()
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "NIB tidak terdaftar"
    mine = client.get(f"{BASE}/my-shop", headers=seller).get_json()
    assert mine["status_reason"] == "NIB tidak terdaftar"
    # Verifying a rejected application is refused: it must be submitted again first.
    refused = client.post(f"{BASE}/office/shops/{shop['id']}/verify", headers=umkm_officer)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_shop_transition"
    again = client.patch(f"{BASE}/my-shop", json={"nib": "9120001234568"}, headers=seller).get_json()
    assert again["status"] == "applied" and again["status_reason"] is None
    with app.app_context():
        kinds = [n.kind for n in inbox(seller["X-Test-User-Id"])]
        assert kinds == ["gelati.shop.rejected"]


def test_a_suspended_shop_and_its_products_leave_the_marketplace(client, open_shop, add_product, umkm_officer,
                                                                 login_as, app):
    seller, shop = open_shop()
    product = add_product(seller)
    assert [p["id"] for p in client.get(f"{BASE}/products").get_json()["items"]] == [product["id"]]
    suspended = client.post(f"{BASE}/office/shops/{shop['id']}/suspend", json={"reason": "Produk tanpa izin edar"},
                            headers=umkm_officer)
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    assert client.get(f"{BASE}/products").get_json()["items"] == []
    assert client.get(f"{BASE}/shops/{shop['id']}").status_code == 404
    buyer = login_as("citizen")
    refused = client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1}, headers=buyer)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "product_unavailable"
    # The seller cannot list more while suspended.
    assert client.post(f"{BASE}/my-shop/products", json={"name": "x", "category": "food", "price": 1, "stock": 1},
                       headers=seller).status_code == 409
    reinstated = client.post(f"{BASE}/office/shops/{shop['id']}/reinstate", headers=umkm_officer)
    assert reinstated.get_json()["status"] == "verified"
    assert len(client.get(f"{BASE}/products").get_json()["items"]) == 1
    with app.app_context():
        entry = audit_entries(action="gelati.shop.suspend")[0]
        assert entry.after == {"status": "suspended", "reason": "Produk tanpa izin edar"}


@pytest.mark.parametrize("field,value", [
    ("nib", "12345"), ("nib", "912000123456A"), ("pirt_number", "2063604010207"), ("halal_number", "ID3611"),
    ("halal_number", "HALAL-123"), ("phone", "12345"), ("kelurahan_code", "36.73.99.9999"),
    ("category", "weapons"), ("bank_account", "12ab"), ("name", "   "),
])
def test_malformed_applications_are_refused_and_nothing_is_stored(client, login_as, field, value):
    seller = login_as("citizen")
    refused = client.post(f"{BASE}/my-shop", json=shop_body(**{field: value}), headers=seller)
    assert refused.status_code == 422, refused.get_json()
    assert client.get(f"{BASE}/my-shop", headers=seller).status_code == 404


def test_one_shop_per_citizen(client, open_shop):
    seller, _shop = open_shop()
    second = client.post(f"{BASE}/my-shop", json=shop_body(name="Toko Kedua"), headers=seller)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "shop_exists"


def test_the_shops_contact_is_sealed_at_rest(client, open_shop, app):
    open_shop(address="Jl. Rahasia Sekali No. 99", phone="0812-9999-1234", bank_account="5556667778")
    with app.app_context():
        assert stored_text_containing("Rahasia Sekali", "+6281299991234", "5556667778") == []


def test_only_the_umkm_office_reviews_shops(client, login_as, open_shop):
    _seller, shop = open_shop()
    for headers in (login_as("citizen"), login_as("officer", opd="DPUPR"), {}):
        listing = client.get(f"{BASE}/office/shops", headers=headers)
        assert listing.status_code in (401, 403)
        assert client.post(f"{BASE}/office/shops/{shop['id']}/suspend", json={"reason": "x"},
                           headers=headers).status_code in (401, 403)
    assert client.get(f"{BASE}/office/shops", headers=login_as("admin")).status_code == 200


def test_officers_of_other_opds_and_citizens_do_not_see_an_unverified_shop(client, login_as, umkm_officer):
    seller = login_as("citizen")
    shop = client.post(f"{BASE}/my-shop", json=shop_body(), headers=seller).get_json()
    assert client.get(f"{BASE}/shops/{shop['id']}", headers=login_as("citizen")).status_code == 404
    assert client.get(f"{BASE}/shops/{shop['id']}", headers=login_as("officer", opd="DPUPR")).status_code == 404
    assert client.get(f"{BASE}/shops/{shop['id']}", headers=umkm_officer).status_code == 200
    assert client.get(f"{BASE}/shops/{shop['id']}", headers=seller).status_code == 200


def test_english_messages_with_accept_language(client, open_shop):
    seller, _ = open_shop()
    refused = client.post(f"{BASE}/my-shop", json=shop_body(), headers={**seller, "Accept-Language": "en"})
    assert refused.get_json()["error"]["message"] == "You already have a shop. One account opens one shop."
    refused = client.post(f"{BASE}/my-shop", json=shop_body(), headers=seller)
    assert refused.get_json()["error"]["message"].startswith("Anda sudah memiliki toko")


def test_only_citizens_open_shops_and_seller_routes_need_a_shop(client, login_as):
    for role in ("officer", "admin"):
        assert client.post(f"{BASE}/my-shop", json=shop_body(), headers=login_as(role)).status_code == 403
    assert client.post(f"{BASE}/my-shop", json=shop_body()).status_code == 401
    citizen = login_as("citizen")
    for path in ("/my-shop", "/my-shop/products", "/my-shop/orders", "/my-shop/dashboard"):
        answer = client.get(f"{BASE}{path}", headers=citizen)
        assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "no_shop"
