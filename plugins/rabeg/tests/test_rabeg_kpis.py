"""KPIs of a period: hand-computed figures overall, per OPD and per category; who may see what."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select


from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import ensure_categories

URL = "/api/v1/rabeg/kpis"
OCTOBER = "from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z"
H = timedelta(hours=1)


def add(session, cats, n, *, code, opd, created, state, fr_due, res_due, responded=None, resolved=None, closed=None,
        reroutes=0, reopens=0, rating=None):
    session.add(Complaint(
        public_number=f"KPI-{n}", category_id=cats[code], opd_code=opd, state=state, description="x" * 12,
        created_at=created, first_response_due=created + fr_due * H, resolution_due=created + res_due * H,
        first_response_risk_at=created + fr_due * H * 0.75, resolution_risk_at=created + res_due * H * 0.75,
        first_responded_at=None if responded is None else created + responded * H,
        resolved_at=None if resolved is None else created + resolved * H,
        closed_at=None if closed is None else created + closed * H,
        reroute_count=reroutes, reopen_count=reopens, rating=rating,
    ))


@pytest.fixture
def october(db_session):
    """Five complaints received in October 2026 (and one on 1 November, outside it); see the expected figures."""
    ensure_categories()
    cats = dict(db_session.execute(select(Category.code, Category.id)).all())
    day = lambda d: datetime(2026, 10, d)  # noqa: E731
    # C1 on the period's first instant: answered in 2 h, resolved in 10 h (both on time), rated 5.
    add(db_session, cats, 1, code="JALAN_RUSAK", opd="DPUPR", created=day(1), state="closed", fr_due=8, res_due=100,
        responded=2, resolved=10, closed=30, rating=5)
    # C2: answered in 4 h (on time), resolved in 200 h (late), re-routed once, rated 3.
    add(db_session, cats, 2, code="JALAN_RUSAK", opd="DPUPR", created=day(6), state="resolved", fr_due=8, res_due=100,
        responded=4, resolved=200, reroutes=1, rating=3)
    # C3: answered in 20 h (late), still open past its resolution deadline, reopened once.
    add(db_session, cats, 3, code="BANJIR", opd="DPUPR", created=day(7), state="in_progress", fr_due=8, res_due=100,
        responded=20, reopens=1)
    # C4: never answered, both deadlines long past.
    add(db_session, cats, 4, code="SAMPAH", opd="DLH", created=day(8), state="assigned", fr_due=8, res_due=50)
    # C5: rejected after 1 h: the first response and the resolution, both on time.
    add(db_session, cats, 5, code="SAMPAH", opd="DLH", created=day(9), state="rejected", fr_due=8, res_due=50,
        responded=1, closed=1)
    # C6: the period's end is exclusive.
    add(db_session, cats, 6, code="SAMPAH", opd="DLH", created=datetime(2026, 11, 1), state="assigned", fr_due=8,
        res_due=50)
    db_session.commit()


OVERALL = {
    "received": 5, "resolved": 2,
    "median_hours_to_first_response": 3.0,  # 1, 2, 4, 20
    "median_hours_to_resolve": 105.0,  # 10, 200
    "first_response_within_target": 0.6,  # C1, C2, C5 of 5
    "resolution_within_target": 0.4,  # C1, C5 of 5
    "rerouted_share": 0.2, "reopened_share": 0.2, "average_rating": 4.0,
}
DPUPR = {"key": "DPUPR", "received": 3, "resolved": 2, "median_hours_to_first_response": 4.0,
         "median_hours_to_resolve": 105.0, "first_response_within_target": 0.6667, "resolution_within_target": 0.3333,
         "rerouted_share": 0.3333, "reopened_share": 0.3333, "average_rating": 4.0}
DLH = {"key": "DLH", "received": 2, "resolved": 0, "median_hours_to_first_response": 1.0,
       "median_hours_to_resolve": None, "first_response_within_target": 0.5, "resolution_within_target": 0.5,
       "rerouted_share": 0.0, "reopened_share": 0.0, "average_rating": None}


def kpis(client, headers, query):
    answer = client.get(f"{URL}?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_overall_and_per_opd(client, login_as, october):
    report = kpis(client, login_as("admin"), f"{OCTOBER}&group_by=opd")
    assert report["overall"] == OVERALL
    assert report["groups"] == [DLH, DPUPR]
    assert report["from"] == "2026-10-01T00:00:00Z" and report["to"] == "2026-11-01T00:00:00Z"
    assert report["opd"] is None


def test_per_category(client, login_as, october):
    groups = {g["key"]: g for g in kpis(client, login_as("admin"), f"{OCTOBER}&group_by=category")["groups"]}
    assert set(groups) == {"BANJIR", "JALAN_RUSAK", "SAMPAH"}
    assert groups["JALAN_RUSAK"] == {
        "key": "JALAN_RUSAK", "received": 2, "resolved": 2, "median_hours_to_first_response": 3.0,
        "median_hours_to_resolve": 105.0, "first_response_within_target": 1.0, "resolution_within_target": 0.5,
        "rerouted_share": 0.5, "reopened_share": 0.0, "average_rating": 4.0}
    assert groups["BANJIR"] == {
        "key": "BANJIR", "received": 1, "resolved": 0, "median_hours_to_first_response": 20.0,
        "median_hours_to_resolve": None, "first_response_within_target": 0.0, "resolution_within_target": 0.0,
        "rerouted_share": 0.0, "reopened_share": 1.0, "average_rating": None}
    assert groups["SAMPAH"] == {**DLH, "key": "SAMPAH"}


def test_an_officer_sees_only_their_opd(client, login_as, october):
    report = kpis(client, login_as("officer", opd="DLH"), f"{OCTOBER}&group_by=opd")
    assert report["opd"] == "DLH"
    assert report["overall"] == {k: v for k, v in DLH.items() if k != "key"}
    assert report["groups"] == [DLH]


def test_an_empty_period_has_no_figures(client, login_as, october):
    report = kpis(client, login_as("admin"), "from=2025-01-01&to=2025-02-01&group_by=category")
    assert report["overall"]["received"] == 0 and report["groups"] == []
    assert report["overall"]["median_hours_to_resolve"] is None and report["overall"]["rerouted_share"] is None


def test_a_wib_date_range(client, login_as, october):
    # 2026-10-01 as a WIB day starts at 2026-09-30 17:00 UTC: C1 (00:00 UTC on the 1st) is inside;
    # to=2026-10-06 (exclusive, WIB) ends at 2026-10-05 17:00 UTC: C2 (6 Oct 00:00 UTC) is outside.
    report = kpis(client, login_as("admin"), "from=2026-10-01&to=2026-10-06")
    assert report["overall"]["received"] == 1


def test_citizens_may_not_and_bad_arguments_are_422(client, login_as):
    assert client.get(f"{URL}?{OCTOBER}", headers=login_as("citizen")).status_code == 403
    assert client.get(f"{URL}?{OCTOBER}").status_code == 401
    admin = login_as("admin")
    for query, field in (("to=2026-11-01", "from"), ("from=2026-10-01", "to"), ("from=october&to=2026-11-01", "from"),
                         (f"{OCTOBER}&group_by=kecamatan", "group_by"),
                         ("from=2026-11-01&to=2026-10-01", "from")):
        answer = client.get(f"{URL}?{query}", headers=admin)
        assert answer.status_code == 422, (query, answer.get_json())
        assert field in str(answer.get_json()["error"]["details"]), (query, answer.get_json())


def test_the_evaluation_hook_reports_the_overall_figures(client, login_as, october):
    answer = client.get("/api/v1/admin/evaluation?period=2026-10", headers=login_as("admin"))
    assert answer.status_code == 200, answer.get_json()
    items = {i["key"]: i for i in answer.get_json()["items"] if i["key"].startswith("rabeg.")}
    assert items["rabeg.received"]["value"] == 5 and items["rabeg.resolved"]["value"] == 2
    assert items["rabeg.first_response_within_target"]["value"] == 60.0  # percent
    assert items["rabeg.resolution_within_target"]["value"] == 40.0
    assert items["rabeg.median_hours_to_first_response"]["value"] == 3.0
    assert items["rabeg.average_rating"]["value"] == 4.0
    assert items["rabeg.rerouted_share"]["value"] == 20.0 and items["rabeg.reopened_share"]["value"] == 20.0
    assert not [w for w in answer.get_json()["warnings"] if "rabeg" in str(w)]


def test_the_evaluation_counts_a_complaint_of_six_in_the_morning_wib_in_its_wib_month(client, login_as, october, db_session):
    # 06:00 WIB on 1 November is 23:00 UTC on 31 October: the city counts it in November.
    cats = dict(db_session.execute(select(Category.code, Category.id)).all())
    add(db_session, cats, 7, code="SAMPAH", opd="DLH", created=datetime(2026, 10, 31, 23, 0), state="assigned",
        fr_due=8, res_due=50)
    db_session.commit()
    admin = login_as("admin")

    def received(period):
        answer = client.get(f"/api/v1/admin/evaluation?period={period}", headers=admin)
        assert answer.status_code == 200, answer.get_json()
        return {i["key"]: i for i in answer.get_json()["items"]}["rabeg.received"]["value"]

    assert received("2026-10") == 5  # C1 to C5, not the early-morning complaint
    assert received("2026-11") == 2  # C6 and the early-morning complaint
