"""Calls recorded by call-takers, prank control per number and per account, and the block list."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ragem import toolkit
from ragem.testing import audit_entries

from plugins.darurat112.models import Block, Incident

from .conftest import BASE, INCIDENTS, idem, incident_body

CALLS = f"{BASE}/calls"


def call(client, headers, **fields):
    body = {"channel": "phone", "caller_number": "0812-3456-7890", "type": "medical",
            "lat": -6.12, "lon": 106.15, "description": "Ibu pingsan di rumah.", **fields}
    return client.post(CALLS, json={k: v for k, v in body.items() if v is not None}, headers=headers)


def test_a_call_lands_in_the_same_queue_claimed_by_its_call_taker(client, call_taker, db_session):
    answer = call(client, call_taker, caller_number="+62 (812) 3456-7890")
    assert answer.status_code == 201, answer.get_json()
    incident = answer.get_json()
    assert incident["channel"] == "phone" and incident["state"] == "claimed"
    assert incident["caller_msisdn"] == "+6281234567890"  # staff see the number, normalised
    assert db_session.get(Incident, incident["id"]).recorded_by == call_taker["X-Test-User-Id"]


@pytest.mark.parametrize("fields", [
    {"caller_number": "12345"}, {"caller_number": "+1 202 555 0100"}, {"caller_number": None},
    {"channel": "fax"}, {"lat": -8.0}, {"lat": None}, {"type": "ufo"}, {"accuracy_m": 0},
])
def test_bad_calls_are_refused_and_record_nothing(client, call_taker, db_session, fields):
    answer = call(client, call_taker, **fields)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] in ("validation_error", "invalid_phone", "unprocessable_entity")
    assert db_session.scalar(select(func.count()).select_from(Incident)) == 0


@pytest.mark.parametrize("typed", ["0254-200112", "(0254) 200112", "+62 254 200112", "0254200112"])
def test_a_landline_caller_in_any_common_notation_is_one_e164_number(client, call_taker, db_session, typed):
    answer = call(client, call_taker, caller_number=typed)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["caller_msisdn"] == "+62254200112"
    assert db_session.scalar(select(func.count()).select_from(Incident).where(
        Incident.caller_msisdn == "+62254200112")) == 1


def test_a_landline_is_blocked_and_looked_up_in_any_notation(client, call_taker, login_as, db_session):
    for typed in ("0254-200112", "(0254) 200112", "+62 254 200112", "62254200112", "0254 200112", "0254200112"):
        assert call(client, call_taker, caller_number=typed, outcome="prank").status_code == 201
    [block] = db_session.scalars(select(Block)).all()
    assert block.value == "+62254200112" and block.nuisance_count == 6
    supervisor = login_as("admin")
    for typed in ("0254-200112", "+62 254 200112", "(0254)200112"):
        status = client.get(f"{BASE}/blocked-numbers/{typed}", headers=supervisor)
        assert status.status_code == 200 and status.get_json()["blocked"] is True, typed
    refused = client.get(f"{BASE}/blocked-numbers/0800-1-112112", headers={**supervisor, "Accept-Language": "en"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "invalid_phone"
    assert "Indonesian number" in refused.get_json()["error"]["message"]


def test_a_walk_in_needs_no_number(client, call_taker):
    answer = call(client, call_taker, channel="walk_in", caller_number=None)
    assert answer.status_code == 201 and answer.get_json()["caller_msisdn"] is None


def test_silent_and_prank_calls_are_recorded_and_closed_at_once(client, call_taker):
    for outcome in ("silent", "prank"):
        incident = call(client, call_taker, outcome=outcome, description=None, type=None).get_json()
        assert incident["state"] == "closed" and incident["outcome"] == outcome and incident["closed_at"]


def test_only_the_command_centre_records_calls(client, login_as, db_session):
    assert call(client, login_as("citizen")).status_code == 403
    assert call(client, login_as("officer", opd="DAMKAR")).status_code == 403
    assert call(client, login_as("admin")).status_code == 201


def test_more_than_five_pranks_in_a_day_block_the_number_and_the_telephony_sees_it(
        client, call_taker, login_as, make_app, db_session):
    for _ in range(5):
        call(client, call_taker, outcome="prank")
    assert db_session.scalar(select(func.count()).select_from(Block)) == 0  # five are tolerated
    call(client, call_taker, outcome="silent", caller_number="6281234567890")
    [block] = db_session.scalars(select(Block)).all()
    assert block.kind == "msisdn" and block.value == "+6281234567890" and block.nuisance_count == 6
    assert block.expires_at - block.created_at == timedelta(hours=24)
    [entry] = audit_entries(action="darurat112.block.create")
    assert entry.after["value"] == "+62812*****890"
    supervisor = login_as("admin")
    status = client.get(f"{BASE}/blocked-numbers/0812-3456-7890", headers=supervisor).get_json()
    assert status["blocked"] is True and status["msisdn"] == "+6281234567890" and status["until"].endswith("Z")
    other = client.get(f"{BASE}/blocked-numbers/081299998888", headers=supervisor).get_json()
    assert other == {"msisdn": "+6281299998888", "blocked": False, "until": None, "block_id": None}
    # A call from a blocked number that still reaches a call-taker is taken, and flagged.
    assert call(client, call_taker).get_json()["flagged"] is True


def test_the_limit_and_duration_are_settings(make_app, login_as):
    app = make_app(DARURAT112_PRANK_LIMIT=1, DARURAT112_BLOCK_HOURS=2)
    client = app.test_client()
    taker = login_as("officer", opd="DISKOMINFO", target_app=app)
    for _ in range(2):
        call(client, taker, outcome="prank")
    with app.app_context():
        [block] = toolkit.db.session.scalars(select(Block)).all()
        assert block.expires_at - block.created_at == timedelta(hours=2)


def test_a_blocked_account_is_held_for_review_and_flagged_not_refused(client, call_taker, login_as, db_session):
    citizen = login_as("citizen")
    for _ in range(6):
        incident = client.post(INCIDENTS, json=incident_body(), headers=idem(citizen)).get_json()
        # The command centre closes each as a prank (the mark route lands with the command centre).
        row = db_session.get(Incident, incident["id"])
        row.state, row.outcome, row.closed_at = "closed", "prank", toolkit.utcnow()
        db_session.commit()
        with client.application.test_request_context():
            from plugins.darurat112.services import blocks
            blocks.after_nuisance(db_session.get(Incident, incident["id"]))
            db_session.commit()
    kinds = {b.kind for b in db_session.scalars(select(Block))}
    assert "account" in kinds
    held = client.post(INCIDENTS, json=incident_body(), headers=idem(citizen))
    assert held.status_code == 201  # not refused
    row = db_session.get(Incident, held.get_json()["id"])
    assert row.state == "held" and row.flagged is True
    # The reporter never learns of the block: neither their list nor the incident says "flagged".
    mine = client.get(f"{INCIDENTS}/mine", headers=citizen).get_json()["items"]
    assert mine and all("flagged" not in item for item in mine)
    assert "flagged" not in client.get(f"{INCIDENTS}/{row.id}", headers=citizen).get_json()
    # The command centre sees it.
    assert client.get(f"{INCIDENTS}/{row.id}", headers=call_taker).get_json()["flagged"] is True


def test_a_supervisor_lifts_a_block_and_it_is_audited(client, call_taker, login_as, db_session):
    for _ in range(6):
        call(client, call_taker, outcome="prank")
    supervisor = login_as("admin")
    listed = client.get(f"{BASE}/blocks", headers=supervisor).get_json()
    [block] = listed["items"]
    assert block["active"] is True and block["kind"] == "msisdn"
    lifted = client.post(f"{BASE}/blocks/{block['id']}/lift", json={"reason": "Anak pemilik nomor, sudah ditegur"},
                         headers=supervisor)
    assert lifted.status_code == 200 and lifted.get_json()["active"] is False
    assert client.get(f"{BASE}/blocks", headers=supervisor).get_json()["items"] == []
    assert client.get(f"{BASE}/blocked-numbers/081234567890", headers=supervisor).get_json()["blocked"] is False
    [entry] = audit_entries(action="darurat112.block.lift")
    assert entry.reason == "Anak pemilik nomor, sudah ditegur" and entry.actor_id == supervisor["X-Test-User-Id"]
    again = client.post(f"{BASE}/blocks/{block['id']}/lift", json={"reason": "lagi"}, headers=supervisor)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "block_not_active"


def test_a_callers_name_is_held_to_the_contracts_limit(client, call_taker, db_session):
    """The contract says 120 characters: 121 is refused with the envelope and records no call,
    120 is recorded whole."""
    too_long = call(client, call_taker, caller_name="A" * 121)
    assert too_long.status_code == 422, too_long.get_json()
    assert "caller_name" in too_long.get_json()["error"]["details"]["fields"]["json"]
    assert db_session.scalar(select(func.count()).select_from(Incident)) == 0
    at_limit = call(client, call_taker, caller_name="A" * 120)
    assert at_limit.status_code == 201, at_limit.get_json()
    assert db_session.get(Incident, at_limit.get_json()["id"]).caller_name == "A" * 120
