"""Escalation: a complaint past a deadline is flagged and its OPD's officers and the admins are told, once.

The periodic job (``escalate_breaches``, every 5 minutes) may run in several workers at once. What
makes each breach escalate exactly once is the unique key of ``rabeg_escalation``
``(complaint_id, kind, due)``: the first worker's insert wins, every other one hits an
``IntegrityError`` and skips. Because ``due`` is part of the key, a reopened complaint with a new
resolution deadline escalates again when that new deadline passes.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, exists, select, text
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg.models import OPEN_PREDICATE, OPEN_STATES, Complaint, Escalation, TimelineEntry

log = logging.getLogger("ragem.plugins.rabeg")

EVERY_SECONDS = 300
#: Breaches handled per run and kind; the rest wait for the next run (5 minutes later).
BATCH = 500
KINDS = ("first_response", "resolution")
NAMES = {
    "first_response": {"id": "tanggapan pertama", "en": "first response"},
    "resolution": {"id": "penyelesaian", "en": "resolution"},
}


def _breached(kind: str):
    """(deadline column, SQL condition 'this deadline is breached and still open')."""
    # The literal predicate of the partial indexes on open complaints, so PostgreSQL can use them.
    open_state = text(OPEN_PREDICATE)
    if kind == "first_response":
        return Complaint.first_response_due, and_(open_state, Complaint.first_responded_at.is_(None))
    return Complaint.resolution_due, open_state


def _still_breached(complaint: Complaint, kind: str, due: datetime, now: datetime) -> bool:
    """The breach seen in the query still holds on the fresh row (an officer may have answered since)."""
    if complaint.state not in OPEN_STATES:
        return False
    if kind == "first_response":
        return complaint.first_responded_at is None and complaint.first_response_due == due and due < now
    return complaint.resolution_due == due and due < now


def find_breaches(now: datetime, limit: int = BATCH) -> list[tuple[int, str, datetime]]:
    """``(complaint_id, kind, due)`` of open deadlines past ``now`` that were not escalated yet, oldest first."""
    found = []
    for kind in KINDS:
        due_column, condition = _breached(kind)
        already = exists().where(Escalation.complaint_id == Complaint.id, Escalation.kind == kind,
                                 Escalation.due == due_column)
        stmt = (select(Complaint.id, due_column).where(condition, due_column < now, ~already)
                .order_by(due_column, Complaint.id).limit(limit))
        found.extend((cid, kind, due) for cid, due in toolkit.db.session.execute(stmt))
    return found


def escalate_one(complaint_id: int, kind: str, due: datetime, now: datetime) -> bool:
    """Escalate one breach unless another worker already did; commits. Returns whether this call escalated it."""
    session = toolkit.db.session
    session.add(Escalation(complaint_id=complaint_id, kind=kind, due=due, at=now))
    try:
        # The claim: on PostgreSQL a concurrent insert of the same key waits for this transaction
        # and then fails, so the side effects below happen in one worker only.
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    complaint = session.get(Complaint, complaint_id, populate_existing=True)
    if complaint is None or not _still_breached(complaint, kind, due, now):
        session.rollback()
        return False
    complaint.escalated = True
    names = NAMES[kind]
    session.add(TimelineEntry(
        complaint_id=complaint.id, actor_id=None, at=now, from_state=complaint.state, to_state=complaint.state,
        kind="escalation",
        internal_note=f"{names['en']} deadline {toolkit.isoformat_z(due)} passed: escalated to the OPD's officers "
                      f"and the admins",
    ))
    _notify_staff(complaint, kind, due)
    session.commit()
    return True


def _notify_staff(complaint: Complaint, kind: str, due: datetime) -> None:
    """Tell the assigned OPD's officers and every admin (each once, even if they hold both roles)."""
    names = NAMES[kind]
    recipients = toolkit.account_ids_with_role("officer", opd=complaint.opd_code)
    recipients += [uid for uid in toolkit.account_ids_with_role("admin") if uid not in recipients]
    due_text = toolkit.isoformat_z(due)
    for user_id in recipients:
        toolkit.notify(
            user_id, kind="rabeg.complaint.escalated", service="rabeg",
            title={"id": f"Pengaduan {complaint.public_number} melewati batas waktu {names['id']}",
                   "en": f"Complaint {complaint.public_number} missed its {names['en']} deadline"},
            body={"id": f"Batas waktu {names['id']} ({due_text}) terlewati. Segera tindak lanjuti.",
                  "en": f"The {names['en']} deadline ({due_text}) has passed. Please act on it now."},
            data={"complaint_id": complaint.id, "deadline": kind, "due": due_text},
        )


def escalate_breaches(now: datetime | None = None) -> int:
    """The periodic job: escalate every breached deadline not escalated yet; returns how many this run did."""
    now = now or toolkit.utcnow()
    done = 0
    for complaint_id, kind, due in find_breaches(now):
        if escalate_one(complaint_id, kind, due, now):
            done += 1
    if done:
        log.info("rabeg escalations", extra={"escalated": done})
    return done
