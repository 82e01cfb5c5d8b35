"""`ragem demo load` publishes the two BPS tables of Banten, once, readable by the API and by CKAN clients."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem.testing import load_demo
from ragem.toolkit import db

from plugins.sikondang.models import Dataset, Observation, Revision


def test_the_demo_publishes_the_bps_tables_once(app, client):
    with app.app_context():
        load_demo()
        counts = [db.session.scalar(select(func.count()).select_from(model)) for model in (Dataset, Observation, Revision)]
        load_demo()  # a second run changes nothing
        again = [db.session.scalar(select(func.count()).select_from(model)) for model in (Dataset, Observation, Revision)]
    assert counts == again == [2, 27 + 8, 2]

    listed = client.get("/api/v1/sikondang/datasets").get_json()["items"]
    assert sorted(d["name"] for d in listed) == ["akses-internet-banten", "penduduk-luas-wilayah-banten-2025"]
    series = client.get("/api/v1/sikondang/datasets/akses-internet-banten/series?region_code=36.73").get_json()
    assert series["x"]["values"] == [2018, 2019, 2020] and series["series"][0]["values"] == [41.26, 51.98, 57.91]
    serang = client.get("/api/v1/sikondang/datasets/penduduk-luas-wilayah-banten-2025/data?region_code=36.73").get_json()
    assert serang["items"] == [{"region_code": "36.73", "population_male": 387152, "population_female": 372777,
                                "population_total": 759929, "area_km2": 266.314}]
    labels = client.get("/api/v1/sikondang/datasets/akses-internet-banten/download.csv?year=2020&region_code=36,36.01")
    assert labels.get_data(as_text=True).splitlines()[1:] == ["36.01,Kabupaten Pandeglang,2020,34.65",
                                                              "36,Provinsi Banten,2020,58.63"]
    harvested = client.get("/satudata/api/3/action/package_search?fq=tags:bps").get_json()["result"]
    assert [p["name"] for p in harvested["results"]] == ["akses-internet-banten"]
