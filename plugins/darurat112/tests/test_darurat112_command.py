"""The command centre: the queue and its change feed, claiming (raced), triage, marks, dispatch with
per-agency states, closing, the append-only timeline and what the citizen is told."""
import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from ragem.testing import inbox

from plugins.darurat112.models import Incident, IncidentTimelineEntry, TimelineImmutable
from plugins.darurat112.services import queue

from .conftest import BASE, INCIDENTS

QUEUE = f"{BASE}/queue"


def act(client, headers, incident_id, step, body=None):
    return client.post(f"{INCIDENTS}/{incident_id}/{step}", json=body if body is not None else {}, headers=headers)


def test_the_queue_is_ordered_by_priority_then_age_and_pages(client, call_taker, login_as, raise_incident):
    citizen = login_as("citizen")
    tree = raise_incident(citizen, type="fallen_tree")  # P3
    fire = raise_incident(citizen, type="fire")  # P1
    medical = raise_incident(citizen, type="medical")  # P1, younger than the fire
    crime = raise_incident(citizen, type="crime")  # P2
    first = client.get(f"{QUEUE}?limit=2", headers=call_taker).get_json()
    second = client.get(f"{QUEUE}?limit=2&cursor={first['next_cursor']}", headers=call_taker).get_json()
    assert [i["id"] for i in first["items"] + second["items"]] == [fire["id"], medical["id"], crime["id"], tree["id"]]
    assert second["next_cursor"] is None
    only_fire = client.get(f"{QUEUE}?type=fire,crime", headers=call_taker).get_json()
    assert [i["id"] for i in only_fire["items"]] == [fire["id"], crime["id"]]
    assert client.get(f"{QUEUE}?channel=phone", headers=call_taker).get_json()["items"] == []
    assert client.get(f"{QUEUE}?state=nope", headers=call_taker).status_code == 422


def test_the_change_feed_sends_only_what_changed(client, call_taker, login_as, raise_incident, monkeypatch):
    # Every change counts as committed at once (the settle margin is the next test's subject).
    monkeypatch.setattr(queue, "SETTLE", timedelta(0))
    start = client.get(f"{QUEUE}/changes", headers=call_taker).get_json()
    incident = raise_incident(login_as("citizen"))
    feed = client.get(f"{QUEUE}/changes?changed_since={start['cursor']}", headers=call_taker).get_json()
    assert [i["id"] for i in feed["items"]] == [incident["id"]] and feed["more"] is False
    quiet = client.get(f"{QUEUE}/changes?changed_since={feed['cursor']}", headers=call_taker).get_json()
    assert quiet["items"] == [] and quiet["cursor"] == feed["cursor"]
    act(client, call_taker, incident["id"], "claim")
    moved = client.get(f"{QUEUE}/changes?changed_since={feed['cursor']}", headers=call_taker).get_json()
    assert [(i["id"], i["state"]) for i in moved["items"]] == [(incident["id"], "claimed")]
    for junk in ("bm90LWEtY3Vyc29y", "%25%25", "WyJ4IiwgMV0"):
        bad = client.get(f"{QUEUE}/changes?changed_since={junk}", headers=call_taker)
        assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_cursor"


def test_a_change_too_recent_to_be_sure_of_comes_again(client, call_taker, login_as, raise_incident, monkeypatch):
    # A change younger than the settle margin may have a slower sibling still committing: the cursor
    # stays behind it, so the next poll sends it again instead of skipping the sibling.
    monkeypatch.setattr(queue, "SETTLE", timedelta(hours=1))
    start = client.get(f"{QUEUE}/changes", headers=call_taker).get_json()
    incident = raise_incident(login_as("citizen"))
    first = client.get(f"{QUEUE}/changes?changed_since={start['cursor']}", headers=call_taker).get_json()
    again = client.get(f"{QUEUE}/changes?changed_since={first['cursor']}", headers=call_taker).get_json()
    assert [i["id"] for i in first["items"]] == [i["id"] for i in again["items"]] == [incident["id"]]


def test_claiming_twice_is_refused(client, call_taker, login_as, raise_incident):
    incident = raise_incident(login_as("citizen"))
    assert act(client, call_taker, incident["id"], "claim").status_code == 200
    other = act(client, login_as("officer", opd="DISKOMINFO"), incident["id"], "claim")
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "already_claimed"


@pytest.mark.skipif(not (os.environ.get("RAGEM_TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="concurrent writers need PostgreSQL (SQLite locks the whole file)")
def test_two_call_takers_claiming_at_once_never_both_succeed(app, login_as, raise_incident, db_session):
    takers = [login_as("officer", opd="DISKOMINFO") for _ in range(6)]
    for _round in range(3):
        incident = raise_incident(login_as("citizen"))
        barrier = threading.Barrier(len(takers), timeout=30)
        answers = [None] * len(takers)

        def run(index, headers, incident_id=incident["id"]):
            client = app.test_client()
            barrier.wait()
            answers[index] = client.post(f"{INCIDENTS}/{incident_id}/claim", json={}, headers=headers)

        threads = [threading.Thread(target=run, args=(i, h)) for i, h in enumerate(takers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] + [409] * (len(takers) - 1), codes
        db_session.expire_all()
        winner = next(h for h, a in zip(takers, answers) if a.status_code == 200)
        assert db_session.get(Incident, incident["id"]).claimed_by == winner["X-Test-User-Id"]
        claims = db_session.scalars(select(IncidentTimelineEntry).where(
            IncidentTimelineEntry.incident_id == incident["id"], IncidentTimelineEntry.kind == "claimed")).all()
        assert len(claims) == 1


def test_from_claim_to_dispatch_to_close(client, call_taker, login_as, raise_incident, db_session):
    citizen = login_as("citizen")
    incident = raise_incident(citizen, type="traffic_accident")
    iid = incident["id"]
    assert act(client, call_taker, iid, "dispatches", {"agencies": ["DAMKAR"]}).status_code == 409  # claim first
    act(client, call_taker, iid, "claim")
    triaged = act(client, call_taker, iid, "triage", {"priority": 1, "kelurahan": "36.73.01.1001",
                                                      "note": "Dua motor, satu korban tidak sadar"}).get_json()
    assert triaged["priority"] == 1 and triaged["kelurahan"] == "36.73.01.1001" and triaged["kecamatan"] == "36.73.01"
    sent = act(client, call_taker, iid, "dispatches", {"agencies": ["DINKES", "POLRESTA"]})
    assert sent.status_code == 201 and sent.get_json()["state"] == "dispatched"
    dispatches = {d["agency"]: d for d in sent.get_json()["dispatches"]}
    assert set(dispatches) == {"DINKES", "POLRESTA"}
    assert act(client, call_taker, iid, "dispatches", {"agencies": ["DINKES"]}).status_code == 409
    assert act(client, call_taker, iid, "dispatches", {"agencies": ["NOPE"]}).status_code == 422
    health, police = login_as("officer", opd="DINKES"), login_as("officer", opd="POLRESTA")
    url = f"{BASE}/dispatches/{dispatches['DINKES']['id']}/state"
    assert client.post(url, json={"state": "on_scene"}, headers=police).status_code == 404  # not police's
    for state in ("acknowledged", "en_route", "on_scene"):
        answer = client.post(url, json={"state": state}, headers=health)
        assert answer.status_code == 200 and answer.get_json()["state"] == state
    back = client.post(url, json={"state": "en_route"}, headers=health)
    assert back.status_code == 409 and back.get_json()["error"]["code"] == "dispatch_state"
    refused = act(client, call_taker, iid, "close", {"outcome": "resolved"})
    assert refused.status_code == 409 and refused.get_json()["error"]["details"]["agencies"] == ["DINKES", "POLRESTA"]
    client.post(url, json={"state": "completed"}, headers=health)
    client.post(f"{BASE}/dispatches/{dispatches['POLRESTA']['id']}/state", json={"state": "cancelled"}, headers=police)
    closed = act(client, call_taker, iid, "close", {"outcome": "resolved"})
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    row = db_session.get(Incident, iid)
    assert row.claimed_at and row.dispatched_at and row.on_scene_at and row.closed_at
    # The citizen saw each public step, in their language, and nothing internal.
    public = client.get(f"{INCIDENTS}/{iid}", headers={**citizen, "Accept-Language": "en"}).get_json()["timeline"]
    assert [e["kind"] for e in public] == ["created", "claimed", "dispatched", "dispatch_update", "dispatch_update",
                                           "dispatch_update", "dispatch_update", "closed"]
    assert "Dua motor" not in str(public) and public[-1]["message"].startswith("The incident was handled")
    assert len(inbox(citizen["X-Test-User-Id"])) == len(public)
    staff = client.get(f"{INCIDENTS}/{iid}", headers=call_taker).get_json()["timeline"]
    assert any(e["kind"] == "triaged" and e["message"] == "Dua motor, satu korban tidak sadar" for e in staff)


def test_marking_prank_silent_and_duplicate(client, call_taker, login_as, raise_incident, db_session):
    citizen = login_as("citizen")
    original, copy, prank = (raise_incident(citizen) for _ in range(3))
    for incident in (original, copy, prank):
        act(client, call_taker, incident["id"], "claim")
    merged = act(client, call_taker, copy["id"], "mark", {"as": "duplicate", "duplicate_of": original["id"]})
    assert merged.status_code == 200
    assert merged.get_json()["outcome"] == "duplicate" and merged.get_json()["duplicate_of"] == original["number"]
    original_steps = client.get(f"{INCIDENTS}/{original['id']}", headers=call_taker).get_json()["timeline"]
    assert original_steps[-1]["kind"] == "merged" and original_steps[-1]["data"]["merged"] == copy["number"]
    assert act(client, call_taker, prank["id"], "mark", {"as": "duplicate", "duplicate_of": prank["id"]}).status_code == 422
    assert act(client, call_taker, prank["id"], "mark", {"as": "prank", "duplicate_of": original["id"]}).status_code == 422
    marked = act(client, call_taker, prank["id"], "mark", {"as": "prank"})
    assert marked.get_json()["state"] == "closed" and marked.get_json()["outcome"] == "prank"
    assert act(client, call_taker, prank["id"], "mark", {"as": "silent"}).status_code == 409


def test_the_timeline_is_append_only(client, call_taker, login_as, raise_incident, db_session):
    incident = raise_incident(login_as("citizen"))
    entry = db_session.scalars(select(IncidentTimelineEntry).where(
        IncidentTimelineEntry.incident_id == incident["id"])).first()
    entry.message = "rewritten"
    with pytest.raises(TimelineImmutable):
        db_session.flush()
    db_session.rollback()
    db_session.delete(db_session.get(IncidentTimelineEntry, entry.id))
    with pytest.raises(TimelineImmutable):
        db_session.flush()
    db_session.rollback()
    with pytest.raises(TimelineImmutable):
        db_session.execute(update(IncidentTimelineEntry).values(message="x"))
    with pytest.raises(TimelineImmutable):
        db_session.execute(delete(IncidentTimelineEntry))
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(IncidentTimelineEntry, entry.id).message.startswith("Laporan darurat Anda diterima")


def test_a_held_incident_is_claimed_after_review_and_stays_flagged(client, call_taker, login_as, raise_incident,
                                                                    db_session):
    citizen = login_as("citizen")
    for _ in range(6):
        incident = raise_incident(citizen)
        act(client, call_taker, incident["id"], "claim")
        act(client, call_taker, incident["id"], "mark", {"as": "prank"})
    held = raise_incident(citizen)
    assert client.get(f"{QUEUE}?flagged=true", headers=call_taker).get_json()["items"][0]["id"] == held["id"]
    claimed = act(client, call_taker, held["id"], "claim").get_json()
    assert claimed["state"] == "claimed" and claimed["flagged"] is True
