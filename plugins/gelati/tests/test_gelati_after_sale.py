"""After the sale: reviews and replies, the seller dashboard, the KPIs."""
import pytest

from ragem import toolkit

from .conftest import BASE


@pytest.fixture
def completed(client, open_shop, add_product, login_as, buy):
    """``(seller, buyer, order)``: an order of 3 items handed over."""
    seller, shop = open_shop()
    product = add_product(seller, stock=10, price=30000)
    buyer = login_as("citizen")
    order = buy(buyer, product["id"], 3).get_json()["orders"][0]
    for action in ("confirm", "ready", "complete"):
        assert client.post(f"{BASE}/my-shop/orders/{order['id']}/{action}", headers=seller).status_code == 200
    return seller, buyer, client.get(f"{BASE}/orders/{order['id']}", headers=buyer).get_json(), shop


def test_a_buyer_reviews_each_item_once_and_the_shop_replies_once(client, completed):
    seller, buyer, order, shop = completed
    item = order["items"][0]
    review = client.post(f"{BASE}/orders/{order['id']}/reviews", headers=buyer,
                         json={"order_item_id": item["id"], "rating": 5, "text": "Enak, tanpa duri!"})
    assert review.status_code == 201, review.get_json()
    again = client.post(f"{BASE}/orders/{order['id']}/reviews", headers=buyer,
                        json={"order_item_id": item["id"], "rating": 1})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_reviewed"
    review_id = review.get_json()["id"]
    replied = client.post(f"{BASE}/my-shop/reviews/{review_id}/reply", json={"reply": "Terima kasih!"}, headers=seller)
    assert replied.status_code == 200 and replied.get_json()["reply"] == "Terima kasih!"
    assert client.post(f"{BASE}/my-shop/reviews/{review_id}/reply", json={"reply": "Lagi"},
                       headers=seller).status_code == 409
    public = client.get(f"{BASE}/shops/{shop['id']}/reviews").get_json()["items"]
    assert [(r["rating"], r["text"], r["reply"]) for r in public] == [(5, "Enak, tanpa duri!", "Terima kasih!")]
    assert "buyer_id" not in public[0]
    assert client.get(f"{BASE}/shops/{shop['id']}").get_json()["rating"] == {"average": 5.0, "count": 1}
    assert client.get(f"{BASE}/orders/{order['id']}", headers=buyer).get_json()["items"][0]["reviewed"] is True


def test_reviews_only_for_completed_orders_of_ones_own(client, open_shop, add_product, login_as, buy, completed):
    seller, buyer, order, _shop = completed
    stranger = login_as("citizen")
    body = {"order_item_id": order["items"][0]["id"], "rating": 4}
    assert client.post(f"{BASE}/orders/{order['id']}/reviews", json=body, headers=stranger).status_code == 404
    other_seller, _ = open_shop(name="Toko Lain")
    product = add_product(other_seller)
    pending = buy(buyer, product["id"], 1).get_json()["orders"][0]
    early = client.post(f"{BASE}/orders/{pending['id']}/reviews", headers=buyer,
                        json={"order_item_id": pending["items"][0]["id"], "rating": 4})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "order_not_completed"
    for rating in (0, 6, 4.5, "5"):
        assert client.post(f"{BASE}/orders/{order['id']}/reviews", headers=buyer,
                           json={**body, "rating": rating}).status_code == 422
    # Another shop cannot reply to this shop's reviews.
    review = client.post(f"{BASE}/orders/{order['id']}/reviews", json=body, headers=buyer).get_json()
    assert client.post(f"{BASE}/my-shop/reviews/{review['id']}/reply", json={"reply": "x"},
                       headers=other_seller).status_code == 404


def test_the_seller_dashboard(client, completed, add_product, login_as, buy):
    seller, _buyer, _order, _shop = completed
    low = add_product(seller, name="Otak-otak", stock=2)
    buy(login_as("citizen"), low["id"], 1)
    board = client.get(f"{BASE}/my-shop/dashboard", headers=seller).get_json()
    assert board["waiting"]["awaiting_confirmation"] == 1 and board["needs_action"] == 1
    [today] = board["sales_per_day"]
    assert (today["orders"], today["revenue"]) == (1, 90000)
    assert board["sales_per_month"][0]["revenue"] == 90000
    assert board["best_sellers"] == [{"product_id": board["best_sellers"][0]["product_id"], "name": "Sate bandeng",
                                      "quantity": 3, "revenue": 90000}]
    assert [p["name"] for p in board["low_stock"]] == ["Otak-otak"]
    assert client.get(f"{BASE}/my-shop/dashboard", headers=login_as("citizen")).status_code == 404


def test_kpis_of_the_period(client, completed, app, login_as, open_shop, add_product, buy):
    seller, _buyer, _order, _shop = completed
    product = add_product(seller, name="Emping", stock=5, price=10000)
    cancelled = buy(login_as("citizen"), product["id"], 1).get_json()["orders"][0]
    client.post(f"{BASE}/my-shop/orders/{cancelled['id']}/cancel", json={"reason": "Habis"}, headers=seller)
    with app.app_context():
        period = toolkit.parse_period(toolkit.utcnow().strftime("%Y-%m"))
        values = {slug_kpi.key: slug_kpi.value for slug, slug_kpi in toolkit.collect_kpis(period) if slug == "gelati"}
    assert values["gelati.verified_shops"] == 1 and values["gelati.new_shops"] == 1
    assert values["gelati.active_products"] == 2
    assert values["gelati.orders"] == 2 and values["gelati.completed_orders"] == 1
    assert values["gelati.gmv"] == 90000
    assert values["gelati.median_hours_to_completion"] == 0.0
    assert values["gelati.seller_cancellation_share"] == 50.0
