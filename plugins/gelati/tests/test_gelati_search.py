"""Product search: full text (FTS5 on SQLite, tsvector on PostgreSQL: run this file on both), filters,
sorts and keyset pages; only active products of verified shops."""
import pytest

from .conftest import BASE


@pytest.fixture
def catalogue(open_shop, add_product, client):
    """Two shops in two kecamatan with a handful of products (and a draft)."""
    food, food_shop = open_shop()
    batik, batik_shop = open_shop(name="Batik Banten Kasemen", category="batik", kelurahan_code="36.73.02.1001")
    made = {
        "sate": add_product(food, name="Sate bandeng", description="Bandeng tanpa duri dibakar bumbu", price=35000),
        "otak": add_product(food, name="Otak-otak bandeng", description="Ikan bandeng kukus", price=20000),
        "emping": add_product(food, name="Emping melinjo", description="Camilan khas Serang, gurih", price=18000),
        "batik": add_product(batik, name="Kain batik motif Surosowan", category="batik",
                             description="Batik tulis khas Banten", price=350000),
        "kemeja": add_product(batik, name="Kemeja batik pria", category="batik", description="Motif Datulaya",
                              price=225000),
        "draft": add_product(batik, name="Batik draf rahasia", category="batik", status="draft", price=1000),
    }
    return {"food_shop": food_shop, "batik_shop": batik_shop, **{k: v["id"] for k, v in made.items()}}


def names(client, query: str) -> list[str]:
    answer = client.get(f"{BASE}/products?{query}")
    assert answer.status_code == 200, answer.get_json()
    return [p["name"] for p in answer.get_json()["items"]]


def test_full_text_finds_words_in_names_and_descriptions(client, catalogue):
    assert sorted(names(client, "q=bandeng")) == ["Otak-otak bandeng", "Sate bandeng"]
    assert names(client, "q=duri") == ["Sate bandeng"]  # only in the description
    assert names(client, "q=bandeng%20sate") == ["Sate bandeng"]  # every word must match
    assert sorted(names(client, "q=bati")) == ["Kain batik motif Surosowan", "Kemeja batik pria"]  # a prefix
    assert names(client, "q=BANTEN") == ["Kain batik motif Surosowan"]
    assert names(client, "q=rendang") == []


def test_drafts_and_suspended_shops_are_never_found(client, catalogue, umkm_officer):
    assert "Batik draf rahasia" not in names(client, "q=rahasia")
    client.post(f"{BASE}/office/shops/{catalogue['batik_shop']['id']}/suspend", json={"reason": "uji"},
                headers=umkm_officer)
    assert names(client, "q=batik") == []


def test_relevance_puts_the_name_first(client, catalogue):
    # "bandeng" is in both names; "ikan" only in one description: the name match ranks higher.
    found = names(client, "q=bandeng&sort=relevance")
    assert set(found) == {"Sate bandeng", "Otak-otak bandeng"}
    assert names(client, "q=banten")[0] == "Kain batik motif Surosowan"


def test_filters(client, catalogue):
    assert sorted(names(client, "category=batik")) == ["Kain batik motif Surosowan", "Kemeja batik pria"]
    assert sorted(names(client, "kecamatan=36.73.02")) == ["Kain batik motif Surosowan", "Kemeja batik pria"]
    assert sorted(names(client, f"shop={catalogue['food_shop']['id']}&min_price=19000")) == [
        "Otak-otak bandeng", "Sate bandeng"]
    assert names(client, "min_price=20000&max_price=30000") == ["Otak-otak bandeng"]
    assert names(client, "q=bandeng&max_price=25000") == ["Otak-otak bandeng"]


def test_sorts(client, catalogue):
    assert names(client, "sort=price_asc") == ["Emping melinjo", "Otak-otak bandeng", "Sate bandeng",
                                               "Kemeja batik pria", "Kain batik motif Surosowan"]
    assert names(client, "sort=price_desc")[0] == "Kain batik motif Surosowan"
    assert names(client, "sort=newest")[0] == "Kemeja batik pria"


@pytest.mark.parametrize("sort", ["relevance", "newest", "price_asc", "price_desc"])
def test_keyset_pages_cover_every_match_once(client, open_shop, add_product, sort):
    seller, _ = open_shop()
    for n in range(7):
        add_product(seller, name=f"Keripik {n}", description="keripik singkong " * (n + 1), price=1000 * (n % 3))
    seen, cursor = [], None
    while True:
        url = f"{BASE}/products?q=keripik&sort={sort}&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and len(set(seen)) == 7


@pytest.mark.parametrize("query", ["q=%22%20OR%20*", "q=NEAR(a%20b)", "q=a%27%3B--", "q=%00", "q=-", "q=" + "x" * 201,
                                   "cursor=bm90LWpzb24", "cursor=WzEsIDJd&q=a", "min_price=-1", "sort=random",
                                   "shop=99999999999", "kecamatan=jakarta"])
def test_hostile_search_input_is_a_clear_4xx_or_an_empty_page(client, catalogue, query):
    answer = client.get(f"{BASE}/products?{query}")
    assert answer.status_code in (200, 400, 422), answer.get_json()
    if answer.status_code == 200:
        assert isinstance(answer.get_json()["items"], list)
