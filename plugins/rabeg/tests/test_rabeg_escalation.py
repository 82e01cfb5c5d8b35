"""Escalation: a breached deadline flags the complaint and tells the OPD's officers and the admins, once."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ragem.toolkit import db
from ragem.toolkit import utcnow

from plugins.rabeg.services.escalation import escalate_breaches, escalate_one, find_breaches
from plugins.rabeg.models import Complaint, Escalation

URL = "/api/v1/rabeg/complaints"


def shift_clock(app, complaint_id, hours):
    """Move a complaint's whole life ``hours`` into the past."""
    with app.app_context():
        c = db.session.get(Complaint, complaint_id)
        for column in ("created_at", "first_response_due", "resolution_due", "first_response_risk_at",
                       "resolution_risk_at", "first_responded_at", "resolved_at", "closed_at"):
            if getattr(c, column) is not None:
                setattr(c, column, getattr(c, column) - timedelta(hours=hours))
        db.session.commit()


def escalations(app, complaint_id):
    with app.app_context():
        return sorted((e.kind, e.due) for e in db.session.scalars(
            select(Escalation).where(Escalation.complaint_id == complaint_id)))


def escalation_messages(client, headers):
    inbox = client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]
    return [n for n in inbox if n["kind"] == "rabeg.complaint.escalated"]


def run_job(app):
    with app.app_context():
        return escalate_breaches()


def test_the_job_is_registered_and_runs_from_the_scheduler(app, client, login_as, file_complaint):
    admin = login_as("admin")
    jobs = {j["name"]: j for j in client.get("/api/v1/admin/jobs", headers=admin).get_json()["items"]}
    assert jobs["rabeg.escalate"]["every_seconds"] == 300
    cid = file_complaint(login_as("citizen"))["id"]
    shift_clock(app, cid, 24 * 30)
    # The scheduler thread (web process in the embedded default, `ragem worker` in production)
    # ticks run_due_jobs: no manual step escalates the complaint.
    from ragem.testing import run_due_jobs

    with app.app_context():
        assert "rabeg.escalate" in run_due_jobs()
    assert [kind for kind, _due in escalations(app, cid)] == ["first_response", "resolution"]
    last = {j["name"]: j for j in client.get("/api/v1/admin/jobs", headers=admin).get_json()["items"]}
    assert last["rabeg.escalate"]["last_ok"] is True


def test_a_breach_escalates_once_to_the_opd_officers_and_the_admins(app, client, login_as, file_complaint):
    citizen, officer, admin = login_as("citizen"), login_as("officer", opd="DPUPR"), login_as("admin")
    other_officer = login_as("officer", opd="DLH")
    cid = file_complaint(citizen)["id"]
    assert run_job(app) == 0  # nothing is late yet
    shift_clock(app, cid, 24 * 30)
    assert run_job(app) == 2  # first response and resolution, both past
    assert run_job(app) == 0  # the second run finds nothing new
    assert len(escalations(app, cid)) == 2
    detail = client.get(f"{URL}/{cid}", headers=officer).get_json()
    assert detail["escalated"] is True
    notes = [e["internal_note"] or "" for e in detail["timeline"]]
    assert sum("escalated" in n for n in notes) == 2
    for headers in (officer, admin):
        messages = escalation_messages(client, headers)
        assert len(messages) == 2 and all(m["data"]["complaint_id"] == cid for m in messages)
    assert escalation_messages(client, other_officer) == []
    assert escalation_messages(client, citizen) == []
    # The reporter sees that nothing public changed: no internal note in their view.
    assert all("internal_note" not in e for e in client.get(f"{URL}/{cid}", headers=citizen).get_json()["timeline"])


def test_a_met_deadline_never_escalates(app, client, login_as, file_complaint):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    answered = file_complaint(citizen)["id"]
    resolved = file_complaint(citizen)["id"]
    client.post(f"{URL}/{answered}/transitions", json={"to": "in_progress"}, headers=officer)
    client.post(f"{URL}/{resolved}/transitions", json={"to": "resolved"}, headers=officer)
    shift_clock(app, answered, 24 * 30)
    shift_clock(app, resolved, 24 * 30)
    run_job(app)
    assert [kind for kind, _ in escalations(app, answered)] == ["resolution"]  # answered on time, never resolved
    assert escalations(app, resolved) == []
    assert client.get(f"{URL}/{resolved}", headers=officer).get_json()["escalated"] is False


def test_a_reopened_complaint_escalates_again_for_its_new_deadline(app, client, login_as, file_complaint):
    officer = login_as("officer", opd="DPUPR")
    cid = file_complaint(login_as("citizen"))["id"]
    client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer)
    shift_clock(app, cid, 24 * 30)
    run_job(app)
    first = escalations(app, cid)
    assert [kind for kind, _ in first] == ["resolution"]
    with app.app_context():  # resolved, then reopened by the reporter with a fresh deadline
        c = db.session.get(Complaint, cid)
        c.state, c.resolved_at = "reopened", utcnow() - timedelta(days=3)
        c.resolution_due = utcnow() + timedelta(days=1)
        c.resolution_risk_at = utcnow()
        db.session.commit()
    assert run_job(app) == 0  # the new deadline is not past yet
    with app.app_context():
        c = db.session.get(Complaint, cid)
        c.resolution_due = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert run_job(app) == 1
    assert run_job(app) == 0
    again = escalations(app, cid)
    assert len(again) == 2 and [k for k, _ in again] == ["resolution", "resolution"] and again[0][1] != again[1][1]


def test_a_breach_answered_meanwhile_is_not_escalated(app, client, login_as, file_complaint):
    officer = login_as("officer", opd="DPUPR")
    cid = file_complaint(login_as("citizen"))["id"]
    shift_clock(app, cid, 24 * 30)
    with app.app_context():
        seen = [b for b in find_breaches(utcnow()) if b[0] == cid]
    client.post(f"{URL}/{cid}/transitions", json={"to": "rejected", "reason": "invalid"}, headers=officer)
    with app.app_context():
        assert [escalate_one(*b, utcnow()) for b in seen] == [False, False]
    assert escalations(app, cid) == []


def test_two_workers_at_the_same_time_escalate_once(app, client, login_as, file_complaint):
    """Two threads, each with its own app context and database session, race on the same breaches."""
    officer = login_as("officer", opd="DPUPR")
    ids = [file_complaint(login_as("citizen"))["id"] for _ in range(3)]
    for cid in ids:
        shift_clock(app, cid, 24 * 30)
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                now = utcnow()
                breaches = [b for b in find_breaches(now) if b[0] in ids]
                barrier.wait()  # both have seen every breach as not yet escalated
                results.append(sum(escalate_one(*b, now) for b in breaches))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors and app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and "locked" in str(errors[0]):
        pytest.skip("SQLite refused the concurrent writer ('database is locked'); the race runs on PostgreSQL")
    assert not errors, errors
    assert sum(results) == 6  # 3 complaints x 2 deadlines, each escalated by exactly one worker
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Escalation)) == 6
    assert len(escalation_messages(client, officer)) == 6
