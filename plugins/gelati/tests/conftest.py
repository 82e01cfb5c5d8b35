"""The fixtures of ragem.testing (app, client, login_as...) and the marketplace's own for its tests.

Not ``pytest_plugins``: pytest refuses it outside the top-level conftest when the whole suite runs,
and tests/conftest.py is not loaded when only this folder runs. Importing the fixtures works both ways.
"""
import itertools
import uuid

import pytest

from ragem.testing import (  # noqa: F401
    app,
    client,
    db_session,
    fresh_database_url,
    login_as,
    make_app,
    ragem_database_url,
    ragem_instance_path,
    ragem_settings,
)

BASE = "/api/v1/gelati"
KELURAHAN = "36.73.01.1002"  # Cipare, kecamatan Serang
KECAMATAN = "36.73.01"
OTHER_KECAMATAN = "36.73.02"  # Kasemen

_keys = itertools.count(1)


def shop_body(**overrides) -> dict:
    """A valid shop application; ``overrides`` change fields (``None`` leaves one out)."""
    body = {"name": "Sate Bandeng Bu Haji", "description": "Sate bandeng tanpa duri khas Banten.",
            "category": "food", "kelurahan_code": KELURAHAN, "address": "Jl. Cipare No. 7",
            "phone": "0812-3456-7001", "nib": "9120001234567", "pirt_number": "2063604010207-23",
            "halal_number": "ID36110000123450223", "pickup_enabled": True, "delivery_enabled": True,
            "delivery_fees": [{"kecamatan_code": KECAMATAN, "fee": 5000},
                              {"kecamatan_code": OTHER_KECAMATAN, "fee": 10000}],
            "bank_name": "Bank Banten", "bank_account": "0123456789"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def product_body(**overrides) -> dict:
    """A valid active product."""
    body = {"name": "Sate bandeng", "description": "Sate bandeng bakar, isi 1 ekor.", "category": "food",
            "price": 35000, "stock": 20, "weight_grams": 400, "status": "active"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def idem(headers: dict, key: str | None = None) -> dict:
    """``headers`` with an Idempotency-Key (a fresh one unless given)."""
    return {**headers, "Idempotency-Key": key or f"k-{next(_keys)}-{uuid.uuid4().hex[:6]}"}


@pytest.fixture
def umkm_officer(login_as):
    """Headers of an officer of the UMKM office (DISKOPUKM)."""
    return login_as("officer", opd="DISKOPUKM")


@pytest.fixture
def open_shop(client, login_as, umkm_officer):
    """``open_shop(**fields)`` -> ``(seller_headers, shop_json)``: a citizen's shop, applied and verified."""

    def open_(**fields):
        seller = login_as("citizen")
        applied = client.post(f"{BASE}/my-shop", json=shop_body(**fields), headers=seller)
        assert applied.status_code == 201, applied.get_json()
        shop = applied.get_json()
        verified = client.post(f"{BASE}/office/shops/{shop['id']}/verify", headers=umkm_officer)
        assert verified.status_code == 200, verified.get_json()
        return seller, verified.get_json()

    return open_


@pytest.fixture
def add_product(client):
    """``add_product(seller_headers, **fields)`` -> the product's JSON (201 asserted)."""

    def add(seller, **fields):
        created = client.post(f"{BASE}/my-shop/products", json=product_body(**fields), headers=seller)
        assert created.status_code == 201, created.get_json()
        return created.get_json()

    return add


@pytest.fixture
def buy(client):
    """``buy(buyer_headers, product_id, quantity, **checkout)`` puts the product in the cart and checks
    out (cash, pick-up unless told); returns the checkout's response."""

    def buy_(buyer, product_id, quantity=1, **checkout):
        put = client.put(f"{BASE}/cart/items/{product_id}", json={"quantity": quantity}, headers=buyer)
        assert put.status_code == 200, put.get_json()
        body = {"payment_method": "cod", "fulfilment": "pickup", **checkout}
        return client.post(f"{BASE}/checkout", json=body, headers=idem(buyer))

    return buy_
