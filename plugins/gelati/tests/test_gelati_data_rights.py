"""The citizen's summary, export and erasure; the demo marketplace."""
from sqlalchemy import func, select

from ragem.testing import DEMO_PASSWORD, audit_entries, load_demo, stored_text_containing
from ragem.toolkit import db

from plugins.gelati.models import Order, Product, Review, Shop

from .conftest import BASE


def test_summary_and_export(client, open_shop, add_product, login_as, buy):
    seller, shop = open_shop()
    product = add_product(seller, stock=5)
    buyer = login_as("citizen")
    order = buy(buyer, product["id"], 2).get_json()["orders"][0]
    mine = client.get("/api/v1/me/summary", headers=buyer).get_json()["sections"]["gelati"]
    assert mine == {"shop": None, "open_orders": 1}
    theirs = client.get("/api/v1/me/summary", headers=seller).get_json()["sections"]["gelati"]
    assert theirs["shop"]["status"] == "verified" and theirs["shop"]["open_orders"] == 1
    exported = client.get("/api/v1/me/export", headers=buyer).get_json()["services"]["gelati"]
    assert [o["number"] for o in exported["orders"]] == [order["number"]] and exported["shop"] is None
    shop_export = client.get("/api/v1/me/export", headers=seller).get_json()["services"]["gelati"]["shop"]
    assert shop_export["address"] == "Jl. Cipare No. 7" and shop_export["nib"] == "9120001234567"
    assert [p["name"] for p in shop_export["products"]] == ["Sate bandeng"]
    assert shop_export["orders"][0]["number"] == order["number"] and "buyer" not in str(shop_export["orders"])


def erase(client, headers):
    answer = client.delete("/api/v1/me", headers=headers, json={"password": "Rahasia-Kuat-123"})
    assert answer.status_code == 204, answer.get_json()


def test_erasing_a_buyer_keeps_the_sales_without_the_person(client, open_shop, add_product, login_as, buy, app):
    seller, _shop = open_shop()
    product = add_product(seller, stock=10)
    buyer = login_as("citizen")
    done = buy(buyer, product["id"], 2, note="Titip di pos satpam").get_json()["orders"][0]
    for action in ("confirm", "ready", "complete"):
        client.post(f"{BASE}/my-shop/orders/{done['id']}/{action}", headers=seller)
    client.post(f"{BASE}/orders/{done['id']}/reviews", headers=buyer,
                json={"order_item_id": done["items"][0]["id"], "rating": 4, "text": "Saya Budi dari Cipare"})
    waiting = buy(buyer, product["id"], 3).get_json()["orders"][0]
    erase(client, buyer)
    with app.app_context():
        orders = db.session.scalars(select(Order).order_by(Order.id)).all()
        assert [(o.buyer_id, o.status, o.note) for o in orders] == [(None, "completed", None), (None, "cancelled", None)]
        assert db.session.get(Product, product["id"]).stock == 8  # the waiting order's stock came back
        review = db.session.scalar(select(Review))
        assert (review.buyer_id, review.rating, review.text) == (None, 4, None)
        assert stored_text_containing("Titip di pos satpam", "Saya Budi") == []
        [entry] = audit_entries(action="user.erase")
        assert "gelati" in str(entry.after)
    sold = client.get(f"{BASE}/my-shop/orders?limit=10", headers=seller).get_json()["items"]
    assert {o["number"] for o in sold} == {done["number"], waiting["number"]}
    contact = client.get(f"{BASE}/my-shop/orders/{waiting['id']}/buyer", headers=seller)
    assert contact.status_code == 409  # cancelled: nothing more to hand over


def test_erasing_a_seller_closes_the_shop_and_removes_its_personal_data(client, open_shop, add_product, login_as,
                                                                        buy, app):
    seller, shop = open_shop(address="Jl. Rumah Keluarga No. 3", phone="0812-7777-1234", bank_account="9988776655")
    product = add_product(seller, stock=4)
    buyer = login_as("citizen")
    order = buy(buyer, product["id"], 1).get_json()["orders"][0]
    erase(client, seller)
    with app.app_context():
        closed = db.session.get(Shop, shop["id"])
        assert (closed.status, closed.owner_id, closed.address, closed.phone, closed.bank_account) == (
            "closed", None, None, None, None)
        assert stored_text_containing("Rumah Keluarga", "+6281277771234", "9988776655") == []
        assert db.session.get(Product, product["id"]).status == "archived"
    mine = client.get(f"{BASE}/orders/{order['id']}", headers=buyer).get_json()
    assert mine["status"] == "cancelled" and mine["shop_name"] == shop["name"]
    assert client.get(f"{BASE}/shops/{shop['id']}").status_code == 404
    assert client.get(f"{BASE}/products").get_json()["items"] == []


def log_in(client, phone):
    answer = client.post("/api/v1/auth/login", json={"identifier": phone, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_the_demo_marketplace_can_be_searched_and_bought_from(app, client):
    with app.app_context():
        logins = {row["key"]: row for row in load_demo()}
        count = db.session.scalar(select(func.count()).select_from(Product))
        load_demo()  # a second run changes nothing
        assert db.session.scalar(select(func.count()).select_from(Product)) == count == 8
    shops = client.get(f"{BASE}/shops").get_json()["items"]
    assert len(shops) == 2 and {s["category"] for s in shops} == {"food", "batik"}
    found = client.get(f"{BASE}/products?q=bandeng").get_json()["items"]
    assert "Sate bandeng bakar" in [p["name"] for p in found]
    assert [p["name"] for p in client.get(f"{BASE}/products?q=emping").get_json()["items"]]
    buyer = log_in(client, logins["citizen1"]["phone"])
    sate = next(p for p in found if p["name"] == "Sate bandeng bakar")
    client.put(f"{BASE}/cart/items/{sate['id']}", json={"quantity": 2}, headers=buyer)
    answer = client.post(f"{BASE}/checkout", json={"payment_method": "bank_transfer", "fulfilment": "delivery",
                                                   "delivery_kecamatan": "36.73.01"},
                         headers={**buyer, "Idempotency-Key": "demo-1"})
    assert answer.status_code == 201 and answer.get_json()["orders"][0]["total"] == 75000
    seller = log_in(client, logins["citizen2"]["phone"])
    assert client.get(f"{BASE}/my-shop/dashboard", headers=seller).get_json()["needs_action"] == 1
