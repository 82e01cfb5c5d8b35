"""200 buyers race for the last 10 items through a real HTTP server with real threads: exactly 10
orders, the rest a clear out-of-stock answer, no 500, no oversell. Run on PostgreSQL
(RAGEM_TEST_DATABASE_URL) as production does; it runs on SQLite too."""
import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from werkzeug.serving import make_server

from .conftest import BASE, idem

BUYERS = 200
STOCK = 10


@pytest.fixture
def live_server(app):
    """The app served by a threaded werkzeug server on a free port: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def post(url: str, headers: dict, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_200_buyers_race_for_the_last_10_items(client, open_shop, add_product, login_as, live_server):
    seller, _shop = open_shop()
    product = add_product(seller, stock=STOCK, price=40000)
    buyers = [login_as("citizen") for _ in range(BUYERS)]
    for buyer in buyers:
        assert client.put(f"{BASE}/cart/items/{product['id']}", json={"quantity": 1}, headers=buyer).status_code == 200
    start = threading.Barrier(BUYERS)
    results: list[tuple[int, dict]] = [None] * BUYERS  # type: ignore[list-item]

    def checkout(index: int) -> None:
        headers = {k: v for k, v in idem(buyers[index]).items() if k != "X-Test-User-Id"}
        start.wait()
        results[index] = post(f"{live_server}{BASE}/checkout", headers,
                              {"payment_method": "cod", "fulfilment": "pickup"})

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: STOCK, 409: BUYERS - STOCK}, statuses
    assert {body["error"]["code"] for status, body in results if status == 409} == {"out_of_stock"}
    assert client.get(f"{BASE}/products/{product['id']}").get_json()["stock"] == 0
    orders = client.get(f"{BASE}/my-shop/orders?limit=100", headers=seller).get_json()["items"]
    assert len(orders) == STOCK and sum(o["items"][0]["quantity"] for o in orders) == STOCK
