"""GELATI's rows of the authorisation matrix: every route, as each of the six actors.

Citizens A and B each run a verified shop with a product; "nobody"'s resources belong to a third
citizen's shop (or order). A row on an order as a buyer uses an order A (or B) placed at the third
shop; a row on a shop's order uses one the third citizen placed at A's (or B's) shop. The "own"
officer is of DISKOPUKM, the UMKM office that verifies shops; the "other" of DLH.
"""
from __future__ import annotations

import io
import uuid

from PIL import Image

from ragem.testing import (ALLOWED, LOGIN, AccessRow, access_world, bearer, create_account, matrix_gaps, plugin_routes,
                           run_access_matrix)

URL = "/api/v1/gelati"
SHOP = {"name": "Sate Bandeng Bu Haji", "description": "Sate bandeng tanpa duri khas Banten.",
        "category": "food", "kelurahan_code": "36.73.01.1001", "address": "Jl. Cipare No. 7",
        "phone": "0812-3456-7001", "nib": "9120001234567", "pirt_number": "2063604010207-23",
        "halal_number": "ID36110000123450223", "pickup_enabled": True, "delivery_enabled": False,
        "bank_name": "Bank Banten", "bank_account": "0123456789"}
PRODUCT = {"name": "Sate bandeng", "description": "Sate bandeng bakar, isi 1 ekor.", "category": "food",
           "price": 35000, "stock": 1000, "weight_grams": 400, "status": "active"}
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
PUBLIC = dict.fromkeys(ACTORS, ALLOWED)
LOGGED_IN = {**PUBLIC, "anonymous": 401}
SELLERS = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "citizen_a": ALLOWED, "citizen_b": ALLOWED}
#: A's own record in A's shop: B learns nothing of it (404); staff do not sell (403).
SELLERS_OWN = {**SELLERS, "citizen_b": 404}
#: A's own order as a buyer: anyone else learns nothing of it.
BUYERS_OWN = {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "citizen_a": ALLOWED}
OFFICE = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "officer_own": ALLOWED, "admin": ALLOWED}


def key() -> dict:
    """A fresh Idempotency-Key."""
    return {"Idempotency-Key": f"matrix-{uuid.uuid4().hex}"}


def _seller(world, owner) -> dict:
    """Headers of the seller ``owner`` ("a", "b", or "nobody": a third citizen), its shop open and verified."""
    sellers = world.__dict__.setdefault("gelati_sellers", {})
    if owner not in sellers:
        client = world.app.test_client()
        headers = (world.headers[f"citizen_{owner}"] if owner != "nobody"
                   else bearer(world.app, create_account(world.app, "citizen")[0]))
        applied = client.post(f"{URL}/my-shop", json=SHOP, headers=headers)
        assert applied.status_code == 201, applied.get_json()
        shop = applied.get_json()["id"]
        verified = client.post(f"{URL}/office/shops/{shop}/verify", headers=world.headers["officer_own"])
        assert verified.status_code == 200, verified.get_json()
        product = client.post(f"{URL}/my-shop/products", json=PRODUCT, headers=headers)
        assert product.status_code == 201, product.get_json()
        sellers[owner] = {"headers": headers, "shop_id": shop, "product_id": product.get_json()["id"]}
    return sellers[owner]


def _order(world, buyer: dict, seller: dict) -> dict:
    client = world.app.test_client()
    put = client.put(f"{URL}/cart/items/{seller['product_id']}", json={"quantity": 1}, headers=buyer)
    assert put.status_code == 200, put.get_json()
    done = client.post(f"{URL}/checkout", json={"payment_method": "cod", "fulfilment": "pickup"},
                       headers={**buyer, **key()})
    assert done.status_code == 201, done.get_json()
    created = done.get_json()
    return (created.get("orders") or [created])[0]


def shop(world, owner):
    """The shop of ``owner``."""
    return {"shop_id": _seller(world, owner)["shop_id"]}


def product(world, owner):
    """The product of ``owner``'s shop."""
    return {"product_id": _seller(world, owner)["product_id"]}


def bought(world, owner):
    """An order ``owner`` placed as a buyer at the third shop (nobody's: the third citizen's own)."""
    third = _seller(world, "nobody")
    buyer = world.headers[f"citizen_{owner}"] if owner != "nobody" else bearer(world.app, create_account(world.app, "citizen")[0])
    order = _order(world, buyer, third)
    return {"order_id": order["id"], "order_item_id": order["items"][0]["id"]}


def sold(world, owner):
    """An order a fresh citizen placed at ``owner``'s shop."""
    buyer = bearer(world.app, create_account(world.app, "citizen")[0])
    return {"order_id": _order(world, buyer, _seller(world, owner))["id"]}


def _jpeg() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "JPEG")
    return picture.getvalue()


def _photo(world, seller: dict) -> dict:
    """A new product of ``seller``'s shop with one photo (a product holds at most eight)."""
    client = world.app.test_client()
    product = client.post(f"{URL}/my-shop/products", json=PRODUCT, headers=seller["headers"])
    assert product.status_code == 201, product.get_json()
    product_id = product.get_json()["id"]
    answer = client.post(f"{URL}/my-shop/products/{product_id}/photos", headers=seller["headers"],
                         data={"file": (io.BytesIO(_jpeg()), "foto.jpg")}, content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    return {"product_id": product_id, "photo_id": answer.get_json()["id"]}


def own_photo(world, owner):
    """A photo of a product of ``owner``'s shop."""
    return _photo(world, _seller(world, owner))


def foreign_photo(world, owner):
    """``owner``'s product with the id of a photo of the third shop's product."""
    return {"product_id": _seller(world, owner)["product_id"],
            "photo_id": _photo(world, _seller(world, "nobody"))["photo_id"]}


def _completed(world, buyer: dict, seller: dict) -> dict:
    """An order ``buyer`` placed at ``seller``'s shop, handed over (it may be reviewed)."""
    order = _order(world, buyer, seller)
    client = world.app.test_client()
    for action in ("confirm", "ready", "complete"):
        done = client.post(f"{URL}/my-shop/orders/{order['id']}/{action}", headers=seller["headers"])
        assert done.status_code == 200, done.get_json()
    return order


def review(world, owner):
    """A review a fresh buyer left on ``owner``'s shop."""
    buyer = bearer(world.app, create_account(world.app, "citizen")[0])
    order = _completed(world, buyer, _seller(world, owner))
    answer = world.app.test_client().post(f"{URL}/orders/{order['id']}/reviews", headers=buyer,
                                          json={"order_item_id": order["items"][0]["id"], "rating": 5})
    assert answer.status_code == 201, answer.get_json()
    return {"review_id": answer.get_json()["id"]}


def foreign_item(world, owner):
    """A completed order of ``owner`` as a buyer, with the item id of another buyer's order."""
    third = _seller(world, "nobody")
    buyer = world.headers[f"citizen_{owner}"] if owner != "nobody" else bearer(world.app, create_account(world.app, "citizen")[0])
    mine = _completed(world, buyer, third)
    theirs = _completed(world, bearer(world.app, create_account(world.app, "citizen")[0]), third)
    return {"order_id": mine["id"], "order_item_id": theirs["items"][0]["id"]}


def shop_page(action: str | None = None):
    """A resource factory: the console page of a new shop awaiting verification (and one of its forms).
    A citizen runs one shop and A's and B's are verified already: a fresh citizen applies each time."""

    def make(world, owner):
        headers = bearer(world.app, create_account(world.app, "citizen")[0])
        applied = world.app.test_client().post(f"{URL}/my-shop", json=SHOP, headers=headers)
        assert applied.status_code == 201, applied.get_json()
        values = {"slug": "gelati", "name": "shop", "tail": str(applied.get_json()["id"])}
        return {**values, "action": action} if action else values

    return make


#: The console's shop pages: the UMKM office (the own officer) and admins; another OPD's officer is refused.
CONSOLE_OFFICE = {"anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN, "officer_own": ALLOWED,
                  "officer_other": 403, "admin": ALLOWED}

ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/health", PUBLIC),
    AccessRow("GET", f"{URL}/payment-methods", PUBLIC),
    AccessRow("GET", f"{URL}/products", PUBLIC),
    AccessRow("GET", f"{URL}/products/<int:product_id>", PUBLIC, resource=product),
    AccessRow("GET", f"{URL}/shops", PUBLIC),
    AccessRow("GET", f"{URL}/shops/<int:shop_id>", PUBLIC, resource=shop),
    AccessRow("GET", f"{URL}/shops/<int:shop_id>/reviews", PUBLIC, resource=shop),
    # The buyer's side: anyone logged in shops; an order is its buyer's own.
    AccessRow("GET", f"{URL}/cart", LOGGED_IN),
    AccessRow("PUT", f"{URL}/cart/items/<int:product_id>", LOGGED_IN, resource=product, body={"quantity": 1}),
    AccessRow("DELETE", f"{URL}/cart/items/<int:product_id>", LOGGED_IN, resource=product),
    AccessRow("POST", f"{URL}/checkout", LOGGED_IN, body={}, headers=key),
    AccessRow("GET", f"{URL}/orders", LOGGED_IN),
    AccessRow("GET", f"{URL}/orders/<int:order_id>", BUYERS_OWN, resource=bought),
    AccessRow("POST", f"{URL}/orders/<int:order_id>/cancel", BUYERS_OWN, resource=bought, body={"reason": "batal"}),
    AccessRow("POST", f"{URL}/orders/<int:order_id>/reviews", BUYERS_OWN, resource=bought,
              body=lambda world, values: {"order_item_id": values["order_item_id"], "rating": 5}),
    # The seller's side: a citizen's own shop.
    AccessRow("POST", f"{URL}/my-shop", SELLERS, body={}),
    AccessRow("GET", f"{URL}/my-shop", SELLERS),
    AccessRow("PATCH", f"{URL}/my-shop", SELLERS, body={}),
    AccessRow("GET", f"{URL}/my-shop/dashboard", SELLERS),
    AccessRow("GET", f"{URL}/my-shop/products", SELLERS),
    AccessRow("POST", f"{URL}/my-shop/products", SELLERS, body={}),
    AccessRow("PATCH", f"{URL}/my-shop/products/<int:product_id>", SELLERS_OWN, resource=product, body={}),
    # A post without its file is refused before the product is looked up: the same 422 for any id.
    AccessRow("POST", f"{URL}/my-shop/products/<int:product_id>/photos", {**SELLERS, "citizen_a": 422, "citizen_b": 422},
              resource=product),
    AccessRow("DELETE", f"{URL}/my-shop/products/<int:product_id>/photos/<int:photo_id>",
              {**SELLERS_OWN, "citizen_a": 404}, resource=lambda world, owner: {**product(world, owner), "photo_id": 999999}),
    AccessRow("GET", f"{URL}/my-shop/orders", SELLERS),
    AccessRow("GET", f"{URL}/my-shop/orders/<int:order_id>", SELLERS_OWN, resource=sold),
    AccessRow("GET", f"{URL}/my-shop/orders/<int:order_id>/buyer", SELLERS_OWN, resource=sold),
    AccessRow("POST", f"{URL}/my-shop/orders/<int:order_id>/confirm", SELLERS_OWN, resource=sold, body={}),
    AccessRow("POST", f"{URL}/my-shop/orders/<int:order_id>/confirm-payment", SELLERS_OWN, resource=sold, body={}),
    AccessRow("POST", f"{URL}/my-shop/orders/<int:order_id>/ready", SELLERS_OWN, resource=sold, body={}),
    AccessRow("POST", f"{URL}/my-shop/orders/<int:order_id>/ship", SELLERS_OWN, resource=sold, body={}),
    AccessRow("POST", f"{URL}/my-shop/orders/<int:order_id>/complete", SELLERS_OWN, resource=sold, body={}),
    AccessRow("POST", f"{URL}/my-shop/orders/<int:order_id>/cancel", SELLERS_OWN, resource=sold, body={"reason": "habis"}),
    AccessRow("POST", f"{URL}/my-shop/reviews/<int:review_id>/reply", {**SELLERS, "citizen_a": 404, "citizen_b": 404},
              values={"review_id": 999999}, body={"reply": "Terima kasih."}),
    # Real records of someone else: a review of A's shop is A's to answer; B's shop learns nothing of it.
    AccessRow("POST", f"{URL}/my-shop/reviews/<int:review_id>/reply", SELLERS_OWN, resource=review,
              body={"reply": "Terima kasih."}),
    AccessRow("DELETE", f"{URL}/my-shop/products/<int:product_id>/photos/<int:photo_id>", SELLERS_OWN,
              resource=own_photo),
    # A's product with another shop's photo: not found there (the photo stays).
    AccessRow("DELETE", f"{URL}/my-shop/products/<int:product_id>/photos/<int:photo_id>",
              {**SELLERS_OWN, "citizen_a": 404}, resource=foreign_photo),
    # A's order with another buyer's item in the body: not found there.
    AccessRow("POST", f"{URL}/orders/<int:order_id>/reviews", {**BUYERS_OWN, "citizen_a": 404}, resource=foreign_item,
              body=lambda world, values: {"order_item_id": values["order_item_id"], "rating": 1}),
    # The UMKM office verifies shops.
    AccessRow("GET", f"{URL}/office/shops", OFFICE),
    AccessRow("GET", f"{URL}/office/shops/<int:shop_id>", OFFICE, resource=shop),
    AccessRow("POST", f"{URL}/office/shops/<int:shop_id>/verify", OFFICE, resource=shop, body={}),
    AccessRow("POST", f"{URL}/office/shops/<int:shop_id>/reject", OFFICE, resource=shop, body={}),
    AccessRow("POST", f"{URL}/office/shops/<int:shop_id>/suspend", OFFICE, resource=shop, body={}),
    AccessRow("POST", f"{URL}/office/shops/<int:shop_id>/reinstate", OFFICE, resource=shop, body={}),
    # The console's pages and forms (core routes, GELATI's values).
    AccessRow("GET", "/console/p/<slug>/<name>", CONSOLE_OFFICE, values={"slug": "gelati", "name": "shops"}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", CONSOLE_OFFICE, resource=shop_page()),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_OFFICE,
              resource=shop_page("verify")),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_OFFICE,
              resource=shop_page("reject"), body={"reason": "Dokumen NIB tidak terbaca."}),
]


def test_every_gelati_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "gelati"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    world = access_world(make_app(RATELIMIT_ENABLED=False), opd_own="DISKOPUKM", opd_other="DLH")
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
