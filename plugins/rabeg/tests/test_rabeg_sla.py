"""Service-level status: met, breached, at risk or on track, for the first response and the resolution."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ragem.toolkit import utcnow

from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import ensure_categories
from plugins.rabeg.services.sla import STATUSES, deadline_status, sla_block, status_filter

URL = "/api/v1/rabeg/complaints"
NOW = datetime(2026, 11, 25, 5)  # Wed 12:00 WIB
DUE = datetime(2026, 11, 26, 5)
RISK = datetime(2026, 11, 26, 0)


@pytest.mark.parametrize("is_open,done_at,now,expected", [
    (False, DUE - timedelta(hours=1), NOW, "met"),
    (False, DUE, NOW, "met"),  # done exactly at the deadline is on time
    (False, DUE + timedelta(minutes=1), NOW, "breached"),
    (True, None, DUE + timedelta(seconds=1), "breached"),
    (True, None, DUE, "at_risk"),  # exactly at the deadline: not late yet
    (True, None, RISK, "at_risk"),
    (True, None, RISK - timedelta(seconds=1), "on_track"),
    (False, DUE + timedelta(days=3), NOW, "breached"),  # late stays late, whatever "now" is
])
def test_deadline_status_rules(is_open, done_at, now, expected):
    assert deadline_status(is_open=is_open, done_at=done_at, due=DUE, risk_at=RISK, now=now) == expected


def file(client, headers, category="JALAN_RUSAK"):
    answer = client.post(URL, json={"category": category, "description": "Jalan berlubang besar di depan pasar.",
                                    "kelurahan": "36.73.01.1001"}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def shift_clock(app, complaint_id, hours):
    """Move a complaint's whole life ``hours`` into the past (filed, deadlines, responses)."""
    from ragem.toolkit import db

    with app.app_context():
        c = db.session.get(Complaint, complaint_id)
        delta = timedelta(hours=hours)
        for column in ("created_at", "first_response_due", "resolution_due", "first_response_risk_at",
                       "resolution_risk_at", "first_responded_at", "resolved_at", "closed_at"):
            if getattr(c, column) is not None:
                setattr(c, column, getattr(c, column) - delta)
        db.session.commit()


def test_a_new_complaint_is_on_track_in_lists_and_detail(client, login_as):
    citizen = login_as("citizen")
    created = file(client, citizen)
    assert created["sla"]["first_response"] == {"due": created["first_response_due"], "status": "on_track"}
    assert created["sla"]["resolution"] == {"due": created["resolution_due"], "status": "on_track"}
    mine = client.get(f"{URL}/mine", headers=citizen).get_json()["items"][0]
    assert mine["sla"] == created["sla"]
    queue = client.get(f"{URL}?scope=my-opd", headers=login_as("officer", opd="DPUPR")).get_json()["items"][0]
    assert queue["sla"] == created["sla"]


def test_an_unanswered_complaint_becomes_at_risk_then_breached(app, client, login_as):
    citizen = login_as("citizen")
    cid = file(client, citizen)["id"]
    with app.app_context():
        from ragem.toolkit import db

        c = db.session.get(Complaint, cid)
        c.first_response_risk_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"{URL}/{cid}", headers=citizen).get_json()["sla"]["first_response"]["status"] == "at_risk"
    shift_clock(app, cid, 24 * 30)  # a month ago: both deadlines are past
    sla = client.get(f"{URL}/{cid}", headers=citizen).get_json()["sla"]
    assert sla["first_response"]["status"] == "breached" and sla["resolution"]["status"] == "breached"


def test_answered_and_resolved_on_time_is_met(client, login_as):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file(client, citizen)["id"]
    client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer)
    sla = client.get(f"{URL}/{cid}", headers=citizen).get_json()["sla"]
    assert sla["first_response"]["status"] == "met" and sla["resolution"]["status"] == "on_track"
    client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer)
    sla = client.get(f"{URL}/{cid}", headers=citizen).get_json()["sla"]
    assert sla == {"first_response": {"due": sla["first_response"]["due"], "status": "met"},
                   "resolution": {"due": sla["resolution"]["due"], "status": "met"}}


def test_a_late_answer_stays_breached_after_it_is_given(app, client, login_as):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file(client, citizen)["id"]
    shift_clock(app, cid, 24 * 30)
    client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer)
    sla = client.get(f"{URL}/{cid}", headers=citizen).get_json()["sla"]
    assert sla["first_response"]["status"] == "breached" and sla["resolution"]["status"] == "breached"


def test_a_rejection_counts_as_the_resolution(app, client, login_as):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    on_time = file(client, citizen)["id"]
    late = file(client, citizen)["id"]
    shift_clock(app, late, 24 * 30)
    for cid in (on_time, late):
        answer = client.post(f"{URL}/{cid}/transitions", json={"to": "rejected", "reason": "invalid"}, headers=officer)
        assert answer.status_code == 200
    assert client.get(f"{URL}/{on_time}", headers=citizen).get_json()["sla"]["resolution"]["status"] == "met"
    assert client.get(f"{URL}/{late}", headers=citizen).get_json()["sla"]["resolution"]["status"] == "breached"
    with app.app_context():
        from ragem.toolkit import db

        assert db.session.get(Complaint, late).closed_at is not None  # the rejection moment is kept


def _row(category_id, n, **fields):
    base = dict(public_number=f"SLA-{n}", reporter_id=None, category_id=category_id, opd_code="DPUPR",
                state="assigned", description="x" * 12, created_at=NOW - timedelta(days=2),
                first_response_due=DUE, resolution_due=DUE + timedelta(days=5),
                first_response_risk_at=RISK, resolution_risk_at=DUE + timedelta(days=4))
    base.update(fields)
    return Complaint(**base)


def test_sql_filters_agree_with_the_python_rule(db_session):
    ensure_categories()
    cat = db_session.scalar(select(Category.id).where(Category.code == "JALAN_RUSAK"))
    later = DUE + timedelta(days=30)
    rows = [
        _row(cat, 1),  # on track
        _row(cat, 2, state="in_progress", first_responded_at=NOW),
        _row(cat, 3, first_response_due=NOW - timedelta(hours=1), first_response_risk_at=NOW - timedelta(hours=2),
             resolution_due=NOW + timedelta(hours=1), resolution_risk_at=NOW - timedelta(minutes=5)),  # at risk
        _row(cat, 4, resolution_due=NOW - timedelta(hours=1), resolution_risk_at=NOW - timedelta(hours=3)),
        _row(cat, 5, state="resolved", first_responded_at=NOW, resolved_at=NOW),
        _row(cat, 6, state="closed", first_responded_at=later, resolved_at=later, closed_at=later),
        _row(cat, 7, state="rejected", first_responded_at=NOW, closed_at=NOW),
        _row(cat, 8, state="rejected", first_responded_at=later, closed_at=later),
        _row(cat, 9, state="reopened", first_responded_at=NOW, resolved_at=NOW,
             resolution_due=NOW - timedelta(minutes=1)),  # reopened past its new deadline: breached
        _row(cat, 10, resolution_risk_at=None, first_response_risk_at=None),
        _row(cat, 11, state="rejected", first_responded_at=None, closed_at=None),
    ]
    db_session.add_all(rows)
    db_session.commit()
    ids = [r.id for r in rows]
    seen = {"first_response": set(), "resolution": set()}
    for deadline in seen:
        for status in STATUSES:
            found = set(db_session.scalars(select(Complaint.id).where(Complaint.id.in_(ids),
                                                                      status_filter(deadline, status, NOW))))
            expected = {r.id for r in rows if sla_block(r, NOW)[deadline]["status"] == status}
            assert found == expected, (deadline, status)
            assert not (found & seen[deadline]), "a complaint in two statuses"
            seen[deadline] |= found
        assert seen[deadline] == set(ids), "every complaint has a status"
    # And the Python rule gives what the rows were built for.
    assert [sla_block(r, NOW)["resolution"]["status"] for r in rows] == [
        "on_track", "on_track", "at_risk", "breached", "met", "breached", "met", "breached", "breached", "on_track", "met",
    ]


def test_unknown_status_or_deadline_is_a_programming_error():
    with pytest.raises(ValueError):
        status_filter("resolution", "late", NOW)
    with pytest.raises(ValueError):
        status_filter("triage", "met", NOW)
