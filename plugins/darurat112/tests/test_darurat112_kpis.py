"""KPIs against the 15-minute target: counts by channel, the nuisance share, times to each step."""
from datetime import datetime, timedelta

from sqlalchemy import select

from plugins.darurat112.models import Dispatch, Incident
from plugins.darurat112.services.kpis import percentile

from .conftest import BASE, INCIDENTS

T = datetime(2026, 11, 10, 3, 0)


def minutes(n):
    return T + timedelta(minutes=n)


def handled(client, call_taker, incident_id, agency):
    client.post(f"{INCIDENTS}/{incident_id}/claim", json={}, headers=call_taker)
    client.post(f"{INCIDENTS}/{incident_id}/dispatches", json={"agencies": [agency]}, headers=call_taker)


def test_the_period_endpoint_and_the_evaluation(client, call_taker, login_as, raise_incident, db_session):
    citizen = login_as("citizen")
    fire = raise_incident(citizen, type="fire")
    medical = client.post(f"{BASE}/calls", json={"channel": "phone", "caller_number": "081234567890",
                                                 "type": "medical"}, headers=call_taker).get_json()
    client.post(f"{BASE}/calls", json={"channel": "phone", "caller_number": "081234567891", "outcome": "prank"},
                headers=call_taker)
    cancelled = raise_incident(citizen, type="animal")
    client.post(f"{INCIDENTS}/{cancelled['id']}/cancel", json={}, headers=citizen)
    handled(client, call_taker, fire["id"], "DAMKAR")
    client.post(f"{INCIDENTS}/{medical['id']}/dispatches", json={"agencies": ["DINKES"]}, headers=call_taker)
    # The clocks of a real day: fire on scene in 12 minutes, the ambulance in 20.
    times = {fire["id"]: (1, 3, 12, 40), medical["id"]: (2, 5, 20, 60)}
    for incident in db_session.scalars(select(Incident)):
        incident.created_at = T
        if incident.id in times:
            claim, dispatch, scene, close = times[incident.id]
            incident.claimed_at, incident.dispatched_at = minutes(claim), minutes(dispatch)
            incident.on_scene_at, incident.closed_at = minutes(scene), minutes(close)
            [sent] = db_session.scalars(select(Dispatch).where(Dispatch.incident_id == incident.id)).all()
            sent.created_at, sent.on_scene_at = minutes(dispatch), minutes(scene)
    db_session.commit()

    report = client.get(f"{BASE}/kpis?from=2026-11-01&to=2026-12-01", headers=call_taker)
    assert report.status_code == 200, report.get_json()
    overall = report.get_json()["overall"]
    assert overall["incidents"] == 4 and overall["by_channel"] == {"phone": 2, "app": 2, "sms": 0, "walk_in": 0}
    assert overall["nuisance_share"] == 0.25
    assert overall["median_minutes_to_claim"] == 1.5 and overall["median_minutes_to_on_scene"] == 16.0
    assert overall["p90_minutes_to_close"] == 58.0
    assert overall["on_scene_within_target"] == 0.5
    agencies = {group["key"]: group for group in report.get_json()["agencies"]}
    assert agencies["DAMKAR"]["on_scene_within_target"] == 1.0 and agencies["DINKES"]["on_scene_within_target"] == 0.0
    types = {group["key"]: group["incidents"] for group in report.get_json()["types"]}
    assert types == {"fire": 1, "medical": 1, "other": 1, "animal": 1}
    empty = client.get(f"{BASE}/kpis?from=2025-01-01&to=2025-02-01", headers=call_taker).get_json()["overall"]
    assert empty["incidents"] == 0 and empty["median_minutes_to_claim"] is None

    evaluation = client.get("/api/v1/admin/evaluation?period=2026-11", headers=login_as("admin")).get_json()
    values = {item["key"]: item["value"] for item in _kpi_items(evaluation)}
    units = {item["key"]: item["unit"] for item in _kpi_items(evaluation)}
    assert values["darurat112.incidents"] == 4 and values["darurat112.on_scene_within_target"] == 50.0
    # Shares are percentages in the evaluation, as every service gives them.
    assert values["darurat112.nuisance_share"] == 25.0
    assert units["darurat112.nuisance_share"] == units["darurat112.on_scene_within_target"] == "%"


def _kpi_items(evaluation):
    """The KPI entries of an evaluation answer, wherever the core nests them."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "key" in node and "value" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(evaluation)
    return found


def test_the_kpis_are_for_the_command_centre_and_supervisors(client, login_as):
    url = f"{BASE}/kpis?from=2026-11-01&to=2026-12-01"
    assert client.get(url, headers=login_as("citizen")).status_code == 403
    assert client.get(url, headers=login_as("officer", opd="DLH")).status_code == 403
    assert client.get(url, headers=login_as("admin")).status_code == 200
    assert client.get(f"{BASE}/kpis?from=2026-12-01&to=2026-11-01", headers=login_as("admin")).status_code == 422


def test_percentiles_interpolate():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile(list(map(float, range(1, 11))), 0.9) == 9.1
