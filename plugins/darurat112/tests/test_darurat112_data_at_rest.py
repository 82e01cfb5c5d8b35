"""A caller's number and name are kept only sealed: the call, the prank count per number, the block
and the telephony system's check all work, and no table holds them in clear."""
from sqlalchemy import select

from ragem.testing import account, stored_text_containing

from plugins.darurat112.models import Block, Incident

from .conftest import BASE
from .test_darurat112_calls_and_blocks import call

NAME = "Rina Marlina"
TYPED = "0813-1112-2233"
NUMBER = "+6281311122233"


def secrets() -> list[str]:
    """The number in every notation a copy of the database could show it in, and the name."""
    return [NUMBER, NUMBER[1:], "0" + NUMBER[3:], NUMBER[3:], TYPED, NAME, "Marlina"]


def test_a_caller_blocked_after_pranks_leaves_no_clear_number_or_name(client, call_taker, login_as, db_session):
    first = call(client, call_taker, caller_number=TYPED, caller_name=NAME)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["caller_msisdn"], first.get_json()["caller_name"]) == (NUMBER, NAME)  # staff see both
    for _ in range(6):
        assert call(client, call_taker, caller_number=TYPED, caller_name=NAME, outcome="prank").status_code == 201

    [block] = db_session.scalars(select(Block)).all()
    assert block.kind == "msisdn" and block.value == NUMBER and block.nuisance_count == 6
    supervisor = login_as("admin")
    [listed] = client.get(f"{BASE}/blocks", headers=supervisor).get_json()["items"]
    assert listed["value"] == "+62813*****233"  # masked for supervisors
    status = client.get(f"{BASE}/blocked-numbers/{TYPED}", headers=supervisor).get_json()
    assert status["blocked"] is True and status["block_id"] == block.id
    assert call(client, call_taker, caller_number=TYPED).get_json()["flagged"] is True
    assert db_session.scalar(select(Incident).where(Incident.id == first.get_json()["id"])).caller_name == NAME

    assert stored_text_containing("Ibu pingsan")  # the call's own text is there: the check reads the 112 rows
    assert stored_text_containing(*secrets()) == []


def test_an_app_incident_keeps_the_reporters_number_and_name_sealed(client, login_as, raise_incident, db_session):
    citizen = login_as("citizen")
    raised = raise_incident(citizen)
    reporter = account(citizen["X-Test-User-Id"])
    row = db_session.get(Incident, raised["id"])
    assert (row.caller_msisdn, row.caller_name) == (reporter.phone, reporter.name)
    assert stored_text_containing(reporter.phone, reporter.phone[3:]) == []
    # The core keeps account names in clear (docs/privacy.md); the 112 tables do not copy it.
    assert stored_text_containing(reporter.name)
    assert [hit for hit in stored_text_containing(reporter.name) if hit.startswith("darurat112_")] == []
