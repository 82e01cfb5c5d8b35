"""Cart and checkout: one order per shop with a snapshot, Idempotency-Key, stock taken at once, and
every bad input refused with nothing changed."""
import pytest

from ragem.testing import inbox

from .conftest import BASE, KECAMATAN, OTHER_KECAMATAN, idem


def product_stock(client, product_id):
    return client.get(f"{BASE}/products/{product_id}").get_json()["stock"]


def test_checkout_makes_one_order_per_shop_with_a_snapshot(client, open_shop, add_product, login_as, app):
    seller_a, shop_a = open_shop()
    seller_b, shop_b = open_shop(name="Emping Melinjo Kasemen", kelurahan_code="36.73.02.1001")
    sate = add_product(seller_a, price=35000, stock=5)
    emping = add_product(seller_b, name="Emping melinjo 250 g", price=18000, stock=10)
    buyer = login_as("citizen")
    client.put(f"{BASE}/cart/items/{sate['id']}", json={"quantity": 2}, headers=buyer)
    client.put(f"{BASE}/cart/items/{emping['id']}", json={"quantity": 3}, headers=buyer)
    cart = client.get(f"{BASE}/cart", headers=buyer).get_json()
    assert cart["total"] == 2 * 35000 + 3 * 18000 and all(line["problem"] is None for line in cart["items"])

    answer = client.post(f"{BASE}/checkout", headers=idem(buyer), json={
        "payment_method": "cod", "fulfilment": "delivery", "delivery_kecamatan": KECAMATAN,
        "expected_total": 2 * 35000 + 3 * 18000 + 5000 + 5000})
    assert answer.status_code == 201, answer.get_json()
    orders = answer.get_json()["orders"]
    assert [(o["shop_id"], o["subtotal"], o["delivery_fee"], o["total"], o["status"]) for o in orders] == [
        (shop_a["id"], 70000, 5000, 75000, "awaiting_confirmation"),
        (shop_b["id"], 54000, 5000, 59000, "awaiting_confirmation")]
    assert orders[0]["items"][0]["product_name"] == "Sate bandeng" and orders[0]["paid"] is False
    assert product_stock(client, sate["id"]) == 3 and product_stock(client, emping["id"]) == 7
    assert client.get(f"{BASE}/cart", headers=buyer).get_json()["items"] == []
    # The snapshot does not follow later changes of the product.
    client.patch(f"{BASE}/my-shop/products/{sate['id']}", json={"name": "Sate bandeng jumbo", "price": 50000},
                 headers=seller_a)
    again = client.get(f"{BASE}/orders/{orders[0]['id']}", headers=buyer).get_json()
    assert again["items"][0]["product_name"] == "Sate bandeng" and again["items"][0]["unit_price"] == 35000
    with app.app_context():
        assert [n.kind for n in inbox(seller_a["X-Test-User-Id"])][-1] == "gelati.order.awaiting_confirmation"


def test_a_retried_checkout_never_creates_a_second_order(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    product = add_product(seller, stock=5)
    buyer = login_as("citizen")
    client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 2}, headers=buyer)
    body = {"payment_method": "cod", "fulfilment": "pickup"}
    headers = idem(buyer, "retry-1")
    first = client.post(f"{BASE}/checkout", json=body, headers=headers)
    second = client.post(f"{BASE}/checkout", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert [o["id"] for o in first.get_json()["orders"]] == [o["id"] for o in second.get_json()["orders"]]
    assert len(client.get(f"{BASE}/orders", headers=buyer).get_json()["items"]) == 1
    assert product_stock(client, product["id"]) == 3
    reused = client.post(f"{BASE}/checkout", json={**body, "note": "lain"}, headers=headers)
    assert reused.status_code == 422 and reused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert client.post(f"{BASE}/checkout", json=body, headers=buyer).status_code == 422  # no key at all


def test_an_empty_cart_is_refused(client, login_as):
    answer = client.post(f"{BASE}/checkout", json={"payment_method": "cod", "fulfilment": "pickup"},
                         headers=idem(login_as("citizen")))
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "cart_empty"


def test_a_stale_cart_is_refused_and_nothing_changes(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    product = add_product(seller, price=20000, stock=5)
    buyer = login_as("citizen")
    client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1}, headers=buyer)
    client.patch(f"{BASE}/my-shop/products/{product['id']}", json={"price": 25000}, headers=seller)
    line = client.get(f"{BASE}/cart", headers=buyer).get_json()["items"][0]
    assert (line["price_seen"], line["price"], line["problem"]) == (20000, 25000, "price_changed")
    stale = client.post(f"{BASE}/checkout", json={"payment_method": "cod", "fulfilment": "pickup"}, headers=idem(buyer))
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "cart_stale"
    assert stale.get_json()["error"]["details"]["items"] == [{"product_id": product["id"], "problem": "price_changed"}]
    assert product_stock(client, product["id"]) == 5
    assert client.get(f"{BASE}/orders", headers=buyer).get_json()["items"] == []
    # Putting the item again accepts the new price.
    client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1}, headers=buyer)
    ok = client.post(f"{BASE}/checkout", json={"payment_method": "cod", "fulfilment": "pickup"}, headers=idem(buyer))
    assert ok.status_code == 201 and ok.get_json()["orders"][0]["total"] == 25000
    # An archived product makes the cart stale too.
    other = add_product(seller, name="Otak-otak", stock=3)
    client.put(f"{BASE}/cart/items/{other['id']}", json={"quantity": 1}, headers=buyer)
    client.patch(f"{BASE}/my-shop/products/{other['id']}", json={"status": "archived"}, headers=seller)
    stale = client.post(f"{BASE}/checkout", json={"payment_method": "cod", "fulfilment": "pickup"}, headers=idem(buyer))
    assert stale.get_json()["error"]["details"]["items"] == [{"product_id": other["id"], "problem": "unavailable"}]


def test_a_tampered_price_or_total_is_refused(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    product = add_product(seller, price=20000, stock=5)
    buyer = login_as("citizen")
    tampered = client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1, "price": 1}, headers=buyer)
    assert tampered.status_code == 422
    client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1}, headers=buyer)
    for body in ({"payment_method": "cod", "fulfilment": "pickup", "items": [{"product_id": product["id"], "price": 1}]},
                 {"payment_method": "cod", "fulfilment": "pickup", "total": 1}):
        assert client.post(f"{BASE}/checkout", json=body, headers=idem(buyer)).status_code == 422
    wrong = client.post(f"{BASE}/checkout", json={"payment_method": "cod", "fulfilment": "pickup",
                                                  "expected_total": 1000}, headers=idem(buyer))
    assert wrong.status_code == 409 and wrong.get_json()["error"]["details"] == {"total": 20000}
    assert product_stock(client, product["id"]) == 5


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True, 10**7])
def test_bad_quantities_are_refused(client, open_shop, add_product, login_as, quantity):
    seller, _ = open_shop()
    product = add_product(seller, stock=5)
    buyer = login_as("citizen")
    answer = client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": quantity}, headers=buyer)
    assert answer.status_code == 422
    assert client.get(f"{BASE}/cart", headers=buyer).get_json()["items"] == []


def test_a_quantity_above_the_stock_is_refused(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    product = add_product(seller, stock=3)
    answer = client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 4}, headers=login_as("citizen"))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "out_of_stock"
    assert answer.get_json()["error"]["details"]["stock"] == 3


def test_stock_that_ran_out_after_filling_the_cart_is_refused(client, open_shop, add_product, login_as, buy):
    seller, _ = open_shop()
    product = add_product(seller, stock=2)
    late = login_as("citizen")
    client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 2}, headers=late)
    assert buy(login_as("citizen"), product["id"], 1).status_code == 201
    answer = client.post(f"{BASE}/checkout", json={"payment_method": "cod", "fulfilment": "pickup"}, headers=idem(late))
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "out_of_stock"
    assert product_stock(client, product["id"]) == 1
    assert client.get(f"{BASE}/orders", headers=late).get_json()["items"] == []


@pytest.mark.parametrize("field,value", [("price", -1), ("price", 1.5), ("price", "1000"), ("stock", -3),
                                         ("stock", 2.5), ("weight_grams", -1), ("status", "deleted")])
def test_bad_product_numbers_are_refused(client, open_shop, field, value):
    seller, _ = open_shop()
    body = {"name": "Batik", "category": "batik", "price": 100000, "stock": 1, field: value}
    assert client.post(f"{BASE}/my-shop/products", json=body, headers=seller).status_code == 422
    assert client.get(f"{BASE}/my-shop/products", headers=seller).get_json()["items"] == []


def test_delivery_and_payment_must_be_offered_by_the_shop(client, open_shop, add_product, login_as, buy):
    seller, _ = open_shop(delivery_enabled=False, bank_account=None, bank_name=None,
                          delivery_fees=[{"kecamatan_code": KECAMATAN, "fee": 5000}])
    product = add_product(seller, stock=5)
    buyer = login_as("citizen")
    refused = buy(buyer, product["id"], 1, fulfilment="delivery", delivery_kecamatan=KECAMATAN)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "fulfilment_not_offered"
    refused = buy(buyer, product["id"], 1, payment_method="bank_transfer")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "payment_method_not_offered"
    assert product_stock(client, product["id"]) == 5


def test_delivery_needs_a_kecamatan_the_shop_serves(client, open_shop, add_product, login_as, buy):
    seller, _ = open_shop(delivery_fees=[{"kecamatan_code": KECAMATAN, "fee": 5000}])
    product = add_product(seller, stock=5)
    buyer = login_as("citizen")
    assert buy(buyer, product["id"], 1, fulfilment="delivery").get_json()["error"]["code"] == \
        "delivery_kecamatan_required"
    assert buy(buyer, product["id"], 1, fulfilment="delivery", delivery_kecamatan=OTHER_KECAMATAN
               ).get_json()["error"]["code"] == "no_delivery_there"


def test_a_seller_cannot_buy_from_their_own_shop(client, open_shop, add_product):
    seller, _ = open_shop()
    product = add_product(seller)
    answer = client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1}, headers=seller)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "own_product"


def test_no_gateway_is_said_plainly(client):
    answer = client.get(f"{BASE}/payment-methods", headers={"Accept-Language": "en"}).get_json()
    assert answer["gateway"] is False and "no payment gateway" in answer["notice"]
    assert [m["code"] for m in answer["methods"]] == ["cod", "bank_transfer"]


def test_the_largest_order_fits(client, open_shop, add_product, login_as, buy):
    seller, _ = open_shop()
    product = add_product(seller, price=1_000_000_000, stock=1_000_000)
    answer = buy(login_as("citizen"), product["id"], 1_000_000, expected_total=10**15)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["orders"][0]["total"] == 10**15


def test_a_cart_holds_at_most_50_products(client, open_shop, add_product, login_as):
    seller, _ = open_shop()
    buyer = login_as("citizen")
    ids = [add_product(seller, name=f"Produk {n}", stock=1)["id"] for n in range(51)]
    for product_id in ids[:50]:
        assert client.put(f"{BASE}/cart/items/{product_id}", json={"quantity": 1}, headers=buyer).status_code == 200
    full = client.put(f"{BASE}/cart/items/{ids[50]}", json={"quantity": 1}, headers=buyer)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "cart_full"
