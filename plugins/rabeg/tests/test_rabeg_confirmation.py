"""After resolution the reporter confirms (closes) or says "not fixed" (reopens); unanswered for 7 days it
closes itself."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plugins.rabeg.services.autoclose import close_unconfirmed
from plugins.rabeg.services.lifecycle import change_state
from plugins.rabeg.models import Complaint
from ragem import toolkit
from ragem.testing import periodic_jobs, run_due_jobs
from ragem.toolkit import isoformat_z, utcnow

URL = "/api/v1/rabeg/complaints"


def resolved_complaint(client, login_as, **officer_opd):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json={"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
                                 "kelurahan": "36.73.01.1001"}, headers=reporter).get_json()["id"]
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer).status_code == 200
    return cid, reporter, officer


def confirm(client, cid, headers, **body):
    return client.post(f"{URL}/{cid}/confirmation", json={"fixed": True, "rating": 5, **body}, headers=headers)


def kinds(client, headers):
    return [n["kind"] for n in client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]]


def test_fixed_closes_with_the_rating(client, login_as):
    cid, reporter, officer = resolved_complaint(client, login_as)
    answer = confirm(client, cid, reporter, rating=4, comment="Terima kasih, sudah rapi.")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["state"] == "closed" and body["closed_at"] and body["confirmed_at"]
    assert body["confirmation"] == "fixed" and body["rating"] == 4
    last = body["timeline"][-1]
    assert (last["kind"], last["from_state"], last["to_state"]) == ("confirmation", "resolved", "closed")
    assert last["public_message"] == "Terima kasih, sudah rapi."
    assert client.get(f"{URL}/{cid}", headers=officer).get_json()["rating"] == 4
    assert "rabeg.complaint.closed" in kinds(client, reporter)
    # Once: a closed complaint takes no second verdict.
    again = confirm(client, cid, reporter, fixed=False)
    assert again.status_code == 409 and again.get_json()["error"]["details"] == {"from": "closed", "to": "reopened"}


def test_not_fixed_reopens_with_a_new_deadline_and_tells_the_officers(client, login_as, db_session):
    cid, reporter, officer = resolved_complaint(client, login_as)
    other_opd = login_as("officer", opd="DLH")
    # The first deadline has long passed; the reopened complaint gets a fresh one, counted from now.
    db_session.execute(update(Complaint).where(Complaint.id == cid)
                       .values(created_at=utcnow() - timedelta(days=20), resolution_due=utcnow() - timedelta(days=6)))
    db_session.commit()
    answer = confirm(client, cid, reporter, fixed=False, rating=2, comment="Lubangnya masih ada.")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["state"] == "reopened" and body["confirmation"] == "not_fixed" and body["rating"] == 2
    assert body["reopen_count"] == 1 and body["resolved_at"] is None
    assert body["resolution_due"] > isoformat_z(utcnow())
    assert "rabeg.complaint.reopened" in kinds(client, officer)
    assert "rabeg.complaint.reopened" not in kinds(client, other_opd)
    # The OPD works it again; a second resolution can be confirmed again.
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer).status_code == 200
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer).status_code == 200
    closed = confirm(client, cid, reporter, rating=3)
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    assert closed.get_json()["reopen_count"] == 1


def test_only_the_reporter_confirms_and_only_while_resolved(client, login_as):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json={"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
                                 "kelurahan": "36.73.01.1001"}, headers=reporter).get_json()["id"]
    early = confirm(client, cid, reporter)
    assert early.status_code == 409 and early.get_json()["error"]["details"] == {"from": "assigned", "to": "closed"}
    client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer)
    assert confirm(client, cid, login_as("citizen")).status_code == 404
    assert confirm(client, cid, login_as("officer", opd="DLH")).status_code == 404
    assert confirm(client, cid, officer).status_code == 403
    assert confirm(client, cid, login_as("admin")).status_code == 403
    assert client.post(f"{URL}/{cid}/confirmation", json={"fixed": True}, headers=officer).status_code == 422
    for bad in ({"fixed": True, "rating": 0}, {"fixed": True, "rating": 6}, {"fixed": "maybe", "rating": 3},
                {"rating": 3}, {"fixed": True, "rating": 3, "comment": ""}, {"fixed": True, "rating": 3, "x": 1}):
        assert client.post(f"{URL}/{cid}/confirmation", json=bad, headers=reporter).status_code == 422, bad
    assert client.get(f"{URL}/{cid}", headers=reporter).get_json()["state"] == "resolved"


def test_unanswered_for_seven_days_it_closes_itself(client, login_as, db_session):
    cid, reporter, _officer = resolved_complaint(client, login_as)
    fresh, _r, _o = resolved_complaint(client, login_as)
    db_session.execute(update(Complaint).where(Complaint.id == cid).values(resolved_at=utcnow() - timedelta(days=8)))
    db_session.execute(update(Complaint).where(Complaint.id == fresh).values(resolved_at=utcnow() - timedelta(days=6)))
    db_session.commit()
    assert close_unconfirmed() == 1
    assert close_unconfirmed() == 0  # a second run finds nothing more
    states = dict(db_session.execute(select(Complaint.id, Complaint.state)).all())
    assert states[cid] == "closed" and states[fresh] == "resolved"
    body = client.get(f"{URL}/{cid}", headers=reporter).get_json()
    assert body["closed_at"] and body["confirmation"] is None
    last = body["timeline"][-1]
    assert (last["from_state"], last["to_state"]) == ("resolved", "closed") and "7 hari" in last["public_message"]
    assert "rabeg.complaint.closed" in kinds(client, reporter)
    # Too late to answer now.
    assert confirm(client, cid, reporter, fixed=False).status_code == 409


def test_auto_close_is_a_registered_periodic_job(app, client, login_as, db_session):
    jobs = periodic_jobs(app)
    assert jobs["rabeg.autoclose"].every_seconds == 3600
    cid, _reporter, _officer = resolved_complaint(client, login_as)
    db_session.execute(update(Complaint).where(Complaint.id == cid).values(resolved_at=utcnow() - timedelta(days=9)))
    db_session.commit()
    assert "rabeg.autoclose" in run_due_jobs()
    db_session.expire_all()
    assert db_session.get(Complaint, cid).state == "closed"


def test_a_verdict_and_the_auto_close_cannot_both_win(client, login_as, db_session):
    cid, _reporter, _officer = resolved_complaint(client, login_as)
    stale = db_session.get(Complaint, cid)  # what the job read: still resolved
    assert stale.state == "resolved"
    # Meanwhile another worker records the reporter's "not fixed" and commits (its own session).
    with Session(toolkit.db.engine) as other:
        other.execute(update(Complaint).where(Complaint.id == cid).values(state="reopened"))
        other.commit()
    assert stale.state == "resolved"  # this session has not seen it
    with pytest.raises(toolkit.Conflict):
        change_state(stale, "closed", utcnow(), closed_at=utcnow())
    db_session.expire_all()
    assert db_session.get(Complaint, cid).state == "reopened"
    assert db_session.get(Complaint, cid).closed_at is None
