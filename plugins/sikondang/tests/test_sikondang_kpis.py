"""Every service's KPIs become monthly open data, and SIKONDANG measures its own use."""
from __future__ import annotations

from datetime import timedelta

from ragem import toolkit
from ragem.testing import run_due_jobs
from ragem.toolkit import hookimpl

from plugins.sikondang.tests.support import DATASETS

from plugins.sikondang.services import kpi_datasets


class Parks:
    """A service an OPD adds later: it joins the KPI datasets by itself."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(slug="taman", name={"id": "Taman", "en": "Parks"},
                                  description={"id": "Uji.", "en": "Test."}, opd="DLH", version="1")

    @hookimpl
    def ragem_kpis(self, period):
        visits = 100.5 + period.first_day.month if period.kind == "month" else None
        return [toolkit.KpiValue("taman.visits", {"id": "Kunjungan", "en": "Visits"}, visits, unit="orang",
                                 cumulative=True),
                toolkit.KpiValue("taman.unmeasured", {"id": "Belum diukur", "en": "Not measured"}, None)]


def test_the_monthly_job_publishes_every_services_kpis_once(make_app):
    app = make_app(extra_plugins=[("taman", Parks())])
    client = app.test_client()
    with app.app_context():
        first = kpi_datasets.publish_month(toolkit.parse_period("2020-01"))
        assert {"kpi-core", "kpi-sikondang", "kpi-taman"} <= set(first)  # and every other installed service's
        today = toolkit.utcnow()
        # The month before today on the city's calendar (WIB), as the job sees it.
        previous = (toolkit.to_wib(today).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        # The job runs daily at 03:00 WIB (20:00 UTC) and publishes the month before, once.
        assert "sikondang.kpi-datasets" in run_due_jobs(now=today.replace(hour=20, minute=0))
        assert "sikondang.kpi-datasets" in run_due_jobs(now=today.replace(hour=20, minute=0) + timedelta(days=1))

    parks = client.get(f"{DATASETS}/kpi-taman").get_json()
    assert parks["state"] == "published" and parks["frequency"] == "monthly" and parks["revision_count"] == 2
    assert parks["temporal_coverage"] == f"2020-01 - {previous}"
    assert [v["code"] for v in parks["dimensions"][1]["values"]] == ["taman.visits"]
    rows = client.get(f"{DATASETS}/kpi-taman/data").get_json()["items"]
    month = int(previous[5:])
    assert rows == [{"month": "2020-01", "indicator": "taman.visits", "value": 101.5},
                    {"month": previous, "indicator": "taman.visits", "value": 100.5 + month}]
    series = client.get(f"{DATASETS}/kpi-taman/series?by=indicator", headers={"Accept-Language": "en"}).get_json()
    assert series["x"]["values"] == ["2020-01", previous]
    assert series["series"] == [{"key": "taman.visits", "label": {"id": "Kunjungan (orang)", "en": "Visits (orang)"},
                                 "values": [101.5, 100.5 + month]}]
    core = client.get(f"{DATASETS}/kpi-core").get_json()
    assert core["state"] == "published" and core["row_count"] > 0
    names = {d["name"] for d in client.get(f"{DATASETS}?tag=kpi&limit=100").get_json()["items"]}
    assert {"kpi-core", "kpi-taman", "kpi-sikondang"} <= names


def test_sikondang_counts_its_own_use(client, published, officer):
    client.get(f"/api/v1/sikondang/datasets/{published}/download.csv").get_data()
    client.get(f"/api/v1/sikondang/datasets/{published}/download.json").get_data()
    client.get(f"/api/v1/sikondang/datasets/{published}/download.csv", headers=officer).get_data()
    client.get("/satudata/api/3/action/package_list")
    client.get("/satudata/api/3/action/nope")  # refused calls are not counted
    with client.application.app_context():
        now = toolkit.utcnow()
        kpis = {kpi.key: kpi.value for slug, kpi in toolkit.collect_kpis(toolkit.parse_period(f"{now.year}-{now.month:02d}"))
                if slug == "sikondang"}
    assert kpis == {"sikondang.datasets_published": 1.0, "sikondang.updated_on_schedule": 100.0,
                    "sikondang.revisions": 1.0, "sikondang.downloads": 3.0, "sikondang.api_calls": 1.0}
