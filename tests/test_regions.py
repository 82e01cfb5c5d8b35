"""Kota Serang's regions: seeded from the CSV, served as a tree or filtered, looked up by plugins."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem import toolkit
from ragem.database import seed_reference
from ragem.extensions import db
from ragem.regions.models import Region
from ragem.regions.seed import seed_regions
from ragem.regions.service import get_region, is_kelurahan

KECAMATAN = ["36.73.01", "36.73.02", "36.73.03", "36.73.04", "36.73.05", "36.73.06"]
KELURAHAN_PER_KECAMATAN = {"36.73.01": 12, "36.73.02": 10, "36.73.03": 14, "36.73.04": 10, "36.73.05": 8, "36.73.06": 13}


def _counts_by_level() -> dict[str, int]:
    return dict(db.session.execute(select(Region.level, func.count()).group_by(Region.level)).all())


def test_seed_loads_the_city_its_6_kecamatan_and_67_kelurahan(db_session):
    assert _counts_by_level() == {"kota": 1, "kecamatan": 6, "kelurahan": 67}
    city = db_session.get(Region, "36.73")
    assert (city.name, city.level, city.bps_code) == ("Kota Serang", "kota", "3673")
    # The CSV names province 36 as the city's parent; it is not in the table, so the city is the root.
    assert city.parent_code is None
    walantaka = db_session.get(Region, "36.73.03")
    assert (walantaka.name, walantaka.bps_code, walantaka.parent_code) == ("Walantaka", "3673020", "36.73")
    kelurahan = db_session.get(Region, "36.73.01.1001")
    assert (kelurahan.name, kelurahan.level, kelurahan.bps_code, kelurahan.parent_code) == (
        "Serang", "kelurahan", None, "36.73.01",
    )


def test_seeding_again_changes_nothing_and_repairs_an_edited_row(db_session):
    before = _counts_by_level()
    assert seed_regions(db_session) == 0
    seed_reference()
    seed_reference()
    assert _counts_by_level() == before

    db_session.get(Region, "36.73.02.1001").name = "Salah Ketik"
    db_session.commit()
    assert seed_regions(db_session) == 1
    db_session.commit()
    assert db_session.get(Region, "36.73.02.1001").name == "Kasemen"
    assert _counts_by_level() == before


def test_the_tree_nests_kecamatan_and_kelurahan_in_code_order(client):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    [city] = response.json["items"]
    assert (city["code"], city["name"], city["parent_code"]) == ("36.73", "Kota Serang", None)
    assert [k["code"] for k in city["children"]] == KECAMATAN
    for kecamatan in city["children"]:
        codes = [kel["code"] for kel in kecamatan["children"]]
        assert len(codes) == KELURAHAN_PER_KECAMATAN[kecamatan["code"]]
        assert codes == sorted(codes)
        assert all(kel["parent_code"] == kecamatan["code"] and kel["level"] == "kelurahan" for kel in kecamatan["children"])
        assert all(kel["children"] == [] for kel in kecamatan["children"])
    assert sum(len(k["children"]) for k in city["children"]) == 67


def test_filter_by_parent_lists_direct_children(client):
    kecamatan = client.get("/api/v1/regions?parent=36.73").json["items"]
    assert [k["code"] for k in kecamatan] == KECAMATAN
    assert all("children" not in k for k in kecamatan)
    serang = client.get("/api/v1/regions?parent=36.73.01").json["items"]
    assert [k["name"] for k in serang][:3] == ["Serang", "Cipare", "Sumur Pecung"]
    assert len(serang) == 12
    assert client.get("/api/v1/regions?parent=36.73.01.1001").json["items"] == []


def test_filter_by_level_alone_or_under_a_parent(client):
    def codes(query):
        response = client.get(f"/api/v1/regions?{query}")
        assert response.status_code == 200, query
        return [item["code"] for item in response.json["items"]]

    assert codes("level=kota") == ["36.73"]
    assert codes("level=kecamatan") == KECAMATAN
    every_kelurahan = codes("level=kelurahan")
    assert len(every_kelurahan) == 67 and every_kelurahan == sorted(every_kelurahan)
    # With a parent, the level reaches every region under it, not only direct children.
    assert codes("parent=36.73&level=kelurahan") == every_kelurahan
    assert codes("parent=36.73.05&level=kelurahan") == codes("parent=36.73.05")
    assert codes("parent=36.73.01&level=kecamatan") == []


def test_one_region_with_its_parent_and_children(client):
    city = client.get("/api/v1/regions/36.73").json
    assert city["parent_code"] is None and [c["code"] for c in city["children"]] == KECAMATAN
    curug = client.get("/api/v1/regions/36.73.04").json
    assert (curug["name"], curug["level"], curug["parent_code"]) == ("Curug", "kecamatan", "36.73")
    assert len(curug["children"]) == 10
    kelurahan = client.get("/api/v1/regions/36.73.04.1001").json
    assert kelurahan["parent_code"] == "36.73.04" and kelurahan["children"] == []


def test_unknown_regions_answer_404_and_bad_filters_422(client):
    for url in ("/api/v1/regions/36.73.09", "/api/v1/regions/36", "/api/v1/regions/nonsense",
                "/api/v1/regions?parent=36.74", "/api/v1/regions?parent=36.73.01.9999&level=kelurahan"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json["error"]["code"] == "not_found"
        assert response.json["error"]["message"] == "Wilayah tidak ditemukan."
    english = client.get("/api/v1/regions/36.73.09", headers={"Accept-Language": "en"})
    assert english.json["error"]["message"] == "Region not found."

    for query, field in (("level=desa", "level"), ("level=", "level"), ("parent=abc", "parent"),
                         ("parent=36.73.01.1001.5", "parent"), ("levle=kelurahan", "levle")):
        response = client.get(f"/api/v1/regions?{query}")
        assert response.status_code == 422, query
        assert response.json["error"]["code"] == "validation_error"
        assert field in response.json["error"]["details"]["fields"]["query"], query

    refused = client.post("/api/v1/regions", json={"code": "36.73.07", "name": "Baru"})
    assert refused.status_code == 405 and refused.json["error"]["code"] == "method_not_allowed"
    assert client.get("/api/v1/regions?level=kecamatan").json["items"][-1]["code"] == "36.73.06"


def test_lookups_for_other_modules_and_plugins(app):
    with app.app_context():
        assert get_region("36.73.06.1001").name == "Taktakan"
        assert is_kelurahan("36.73.06.1001") is True
        assert is_kelurahan("36.73.06") is False  # a kecamatan
        assert is_kelurahan("36.73") is False
        for bad in ("36.73.06.9999", "", None, 3673, ["36.73.06.1001"]):
            assert get_region(bad) is None
            assert is_kelurahan(bad) is False
        # Plugins reach the same data through the toolkit, e.g. the kecamatan of a kelurahan.
        assert toolkit.region("36.73.02.1001").parent_code == "36.73.02"
        assert toolkit.region("99.99") is None
