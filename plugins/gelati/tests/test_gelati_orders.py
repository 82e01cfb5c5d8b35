"""Every order transition and the refused ones, the timeline and notifications, expiry, payment
only on the seller's word, and who sees which order."""
from datetime import timedelta

import pytest

from sqlalchemy import update

from ragem import toolkit
from ragem.testing import inbox, run_due_jobs

from plugins.gelati.models import Order, Product

from .conftest import BASE, KECAMATAN


def stock_of(client, product_id):
    return client.get(f"{BASE}/products/{product_id}").get_json()["stock"]


@pytest.fixture
def placed(client, open_shop, add_product, login_as, buy):
    """``placed(**checkout)`` -> (seller, buyer, product, order) after one checkout of 2 items."""

    def place(**checkout):
        seller, _ = open_shop()
        product = add_product(seller, stock=10)
        buyer = login_as("citizen")
        answer = buy(buyer, product["id"], 2, **checkout)
        assert answer.status_code == 201, answer.get_json()
        return seller, buyer, product, answer.get_json()["orders"][0]

    return place


def step(client, seller, order, action, **body):
    return client.post(f"{BASE}/my-shop/orders/{order['id']}/{action}", json=body or None, headers=seller)


def test_a_cash_pickup_order_from_confirmation_to_completion(client, placed, app):
    seller, buyer, _product, order = placed()
    assert order["status"] == "awaiting_confirmation" and order["seller_actions"] == ["confirm", "cancel_by_seller"]
    assert order["buyer_actions"] == ["cancel_by_buyer"] and order["pickup_address"] == "Jl. Cipare No. 7"
    assert step(client, seller, order, "confirm").get_json()["status"] == "confirmed"
    assert step(client, seller, order, "ready").get_json()["status"] == "ready_for_pickup"
    done = step(client, seller, order, "complete").get_json()
    assert done["status"] == "completed" and done["paid"] is True
    assert [(t["status"], t["actor"]) for t in done["timeline"]] == [
        ("awaiting_confirmation", "buyer"), ("confirmed", "seller"), ("ready_for_pickup", "seller"),
        ("completed", "seller")]
    with app.app_context():
        assert [n.kind for n in inbox(buyer["X-Test-User-Id"])] == [
            "gelati.order.confirmed", "gelati.order.ready_for_pickup", "gelati.order.completed"]


def test_a_bank_transfer_is_paid_only_when_the_seller_confirms_it(client, placed):
    seller, buyer, _product, order = placed(payment_method="bank_transfer", fulfilment="delivery",
                                            delivery_kecamatan=KECAMATAN)
    assert order["status"] == "awaiting_payment" and order["paid"] is False
    assert order["transfer_to"] == {"bank_name": "Bank Banten", "bank_account": "0123456789"}
    # A cash confirmation is not a payment confirmation.
    refused = step(client, seller, order, "confirm")
    assert refused.status_code == 409 and refused.get_json()["error"]["details"]["allowed"] == [
        "confirm_payment", "cancel_by_seller"]
    paid = step(client, seller, order, "confirm-payment").get_json()
    assert paid["status"] == "confirmed" and paid["paid"] is True and paid["paid_at"].endswith("Z")
    assert step(client, seller, order, "ship").get_json()["status"] == "shipped"
    assert step(client, seller, order, "complete").get_json()["status"] == "completed"


@pytest.mark.parametrize("path,action,status", [
    ([], "ready", "awaiting_confirmation"), ([], "ship", "awaiting_confirmation"),
    ([], "complete", "awaiting_confirmation"), ([], "confirm-payment", "awaiting_confirmation"),
    (["confirm"], "confirm", "confirmed"), (["confirm"], "ship", "confirmed"),
    (["confirm", "ready"], "ready", "ready_for_pickup"), (["confirm", "ready", "complete"], "cancel", "completed"),
    (["confirm", "ready", "complete"], "complete", "completed"),
])
def test_refused_seller_steps_answer_409_and_change_nothing(client, placed, path, action, status):
    seller, buyer, _product, order = placed()
    for done in path:
        assert step(client, seller, order, done).status_code == 200
    refused = step(client, seller, order, action, **({"reason": "habis"} if action == "cancel" else {}))
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_transition" and error["details"]["status"] == status
    assert client.get(f"{BASE}/orders/{order['id']}", headers=buyer).get_json()["status"] == status


def test_the_buyer_cancels_before_confirmation_and_the_stock_returns(client, placed, app):
    seller, buyer, product, order = placed()
    assert stock_of(client, product["id"]) == 8
    cancelled = client.post(f"{BASE}/orders/{order['id']}/cancel", json={}, headers=buyer).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_by"] == "buyer"
    assert stock_of(client, product["id"]) == 10
    again = client.post(f"{BASE}/orders/{order['id']}/cancel", json={}, headers=buyer)
    assert again.status_code == 409 and stock_of(client, product["id"]) == 10
    with app.app_context():
        assert inbox(seller["X-Test-User-Id"])[-1].kind == "gelati.order.cancelled"


def test_the_buyer_cannot_cancel_once_confirmed(client, placed):
    seller, buyer, product, order = placed()
    step(client, seller, order, "confirm")
    refused = client.post(f"{BASE}/orders/{order['id']}/cancel", json={}, headers=buyer)
    assert refused.status_code == 409 and stock_of(client, product["id"]) == 8


def test_the_seller_cancels_with_a_reason_the_buyer_reads(client, placed, app):
    seller, buyer, product, order = placed()
    step(client, seller, order, "confirm")
    assert step(client, seller, order, "cancel").status_code == 422  # a reason is required
    cancelled = step(client, seller, order, "cancel", reason="Bahan baku habis").get_json()
    assert (cancelled["status"], cancelled["cancelled_by"], cancelled["cancel_reason"]) == (
        "cancelled", "seller", "Bahan baku habis")
    assert cancelled["timeline"][-1]["note"] == "Bahan baku habis"
    assert stock_of(client, product["id"]) == 10
    with app.app_context():
        assert inbox(buyer["X-Test-User-Id"])[-1].kind == "gelati.order.cancelled"


def test_suspending_a_shop_cancels_what_it_has_not_confirmed_and_keeps_what_it_has(client, placed, umkm_officer,
                                                                                  buy, login_as, app):
    seller, waiting_buyer, product, waiting = placed()
    confirmed_buyer = login_as("citizen")
    confirmed = buy(confirmed_buyer, product["id"], 3).get_json()["orders"][0]
    step(client, seller, confirmed, "confirm")
    assert stock_of(client, product["id"]) == 5
    suspended = client.post(f"{BASE}/office/shops/{waiting['shop_id']}/suspend", json={"reason": "Izin edar dicabut"},
                            headers=umkm_officer)
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    gone = client.get(f"{BASE}/orders/{waiting['id']}", headers=waiting_buyer).get_json()
    assert (gone["status"], gone["cancelled_by"], gone["cancel_reason"]) == ("cancelled", "office", "Izin edar dicabut")
    assert gone["timeline"][-1]["note"] == "Izin edar dicabut"
    kept = client.get(f"{BASE}/orders/{confirmed['id']}", headers=confirmed_buyer).get_json()
    assert kept["status"] == "confirmed"
    with app.app_context():
        assert inbox(waiting_buyer["X-Test-User-Id"])[-1].kind == "gelati.order.cancelled"
        assert inbox(confirmed_buyer["X-Test-User-Id"])[-1].kind == "gelati.order.confirmed"
    # The confirmed order is still the seller's to deliver.
    assert step(client, seller, confirmed, "cancel", reason="Toko ditangguhkan").status_code == 200
    with app.app_context():
        # The shop is out of the marketplace, but both orders' stock is back on its product.
        assert toolkit.db.session.get(Product, product["id"]).stock == 10


def test_the_seller_cannot_cancel_a_shipped_order(client, placed):
    seller, _buyer, _product, order = placed(fulfilment="delivery", delivery_kecamatan=KECAMATAN)
    step(client, seller, order, "confirm")
    step(client, seller, order, "ship")
    assert step(client, seller, order, "cancel", reason="x").status_code == 409


def test_unanswered_orders_expire_and_return_their_stock(client, placed, app):
    seller, buyer, product, order = placed()
    confirmed_seller, _b, confirmed_product, confirmed = placed()
    step(client, confirmed_seller, confirmed, "confirm")
    assert order["expires_at"] is not None
    with app.app_context():
        assert "gelati.expire_orders" in run_due_jobs()  # nothing is due yet
        assert client.get(f"{BASE}/orders/{order['id']}", headers=buyer).get_json()["status"] == \
            "awaiting_confirmation"
        # Two days pass (RAGEM_GELATI_ORDER_EXPIRY_HOURS defaults to 48).
        toolkit.db.session.execute(update(Order).values(expires_at=toolkit.utcnow() - timedelta(minutes=1)))
        toolkit.db.session.commit()
        assert "gelati.expire_orders" in run_due_jobs(now=toolkit.utcnow() + timedelta(minutes=11))
    expired = client.get(f"{BASE}/orders/{order['id']}", headers=buyer).get_json()
    assert expired["status"] == "expired" and expired["cancelled_by"] == "system"
    assert stock_of(client, product["id"]) == 10
    assert stock_of(client, confirmed_product["id"]) == 8  # confirmed orders do not expire
    with app.app_context():
        assert inbox(buyer["X-Test-User-Id"])[-1].kind == "gelati.order.expired"
        assert inbox(seller["X-Test-User-Id"])[-1].kind == "gelati.order.expired"


def test_buyers_see_only_their_orders_and_sellers_only_their_shops(client, placed, login_as, open_shop):
    seller, buyer, _product, order = placed()
    other_seller, _ = open_shop(name="Batik Serang")
    stranger = login_as("citizen")
    officer = login_as("officer", opd="DISKOPUKM")
    for headers in (stranger, other_seller, officer):
        assert client.get(f"{BASE}/orders/{order['id']}", headers=headers).status_code == 404
    assert client.post(f"{BASE}/orders/{order['id']}/cancel", json={}, headers=stranger).status_code == 404
    for headers in (other_seller,):
        assert client.get(f"{BASE}/my-shop/orders/{order['id']}", headers=headers).status_code == 404
        assert step(client, headers, order, "confirm").status_code == 404
        assert client.get(f"{BASE}/my-shop/orders/{order['id']}/buyer", headers=headers).status_code == 404
    # A buyer without a shop has no shop orders at all.
    assert client.get(f"{BASE}/my-shop/orders/{order['id']}", headers=buyer).status_code == 404
    assert client.get(f"{BASE}/orders", headers=stranger).get_json()["items"] == []
    assert [o["id"] for o in client.get(f"{BASE}/my-shop/orders", headers=seller).get_json()["items"]] == [order["id"]]
    assert client.get(f"{BASE}/my-shop/orders", headers=other_seller).get_json()["items"] == []
    assert client.get(f"{BASE}/orders/{order['id']}").status_code == 401


def test_the_seller_reads_the_buyers_contact_through_the_access_log(client, placed):
    seller, buyer, _product, order = placed(fulfilment="delivery", delivery_kecamatan=KECAMATAN)
    shop_view = client.get(f"{BASE}/my-shop/orders/{order['id']}", headers=seller).get_json()
    assert "buyer_id" not in shop_view and "name" not in shop_view
    contact = client.get(f"{BASE}/my-shop/orders/{order['id']}/buyer", headers=seller).get_json()
    me = client.get("/api/v1/me", headers=buyer).get_json()
    assert contact["name"] == me["name"] and contact["phone"] == me["phone"]
    log = client.get("/api/v1/me/access-log", headers=buyer).get_json()["items"]
    assert log[0]["service"]["slug"] == "gelati" and sorted(f["field"] for f in log[0]["fields"]) == ["address", "name",
                                                                                            "phone"]
    # Once the order is over, the seller no longer needs it.
    step(client, seller, order, "cancel", reason="Stok habis")
    closed = client.get(f"{BASE}/my-shop/orders/{order['id']}/buyer", headers=seller)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "order_closed"


def test_a_pickup_contact_has_no_address(client, placed):
    seller, _buyer, _product, order = placed()
    contact = client.get(f"{BASE}/my-shop/orders/{order['id']}/buyer", headers=seller).get_json()
    assert contact["address"] is None
