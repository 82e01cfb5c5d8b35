"""Service levels: the deadlines a complaint carries, the moment each one starts to be at risk, and
whether each is met, breached, at risk or on track (in Python for one complaint, in SQL for lists)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, not_, or_

from ragem import toolkit

from plugins.rabeg.calendar import add_working_time
from plugins.rabeg.models import OPEN_STATES, Category, Complaint

#: Share of a deadline's span after which an open deadline counts as "at risk".
AT_RISK_SHARE = 0.75


def risk_moment(start: datetime, due: datetime) -> datetime:
    """The moment ``AT_RISK_SHARE`` of the span from ``start`` to ``due`` has passed."""
    return start + (due - start) * AT_RISK_SHARE


def set_deadlines(complaint: Complaint, category: Category, start: datetime) -> None:
    """Start both clocks of a new complaint at ``start`` (first response and resolution)."""
    complaint.first_response_due = add_working_time(start, category.first_response_target, category.first_response_unit)
    complaint.resolution_due = add_working_time(start, category.resolution_target, category.resolution_unit)
    complaint.first_response_risk_at = risk_moment(start, complaint.first_response_due)
    complaint.resolution_risk_at = risk_moment(start, complaint.resolution_due)


def restart_resolution(complaint: Complaint, category: Category, start: datetime) -> None:
    """A reopened complaint gets a fresh resolution deadline from ``start`` (a new breach can escalate again)."""
    complaint.resolution_due = add_working_time(start, category.resolution_target, category.resolution_unit)
    complaint.resolution_risk_at = risk_moment(start, complaint.resolution_due)


# --- Status of each deadline -------------------------------------------------------------------
#
# The status is computed from the stored columns and "now", never stored: a deadline moves from
# on_track to at_risk to breached by the clock alone, and storing it would need a job to rewrite
# a million rows. The same rule is written twice, in Python (for one complaint) and in SQL (for the
# queue filter); tests check that the two agree.

STATUSES = ("on_track", "at_risk", "breached", "met")
DEADLINES = ("first_response", "resolution")


def resolution_done_at(complaint: Complaint) -> datetime | None:
    """When the complaint stopped waiting for a resolution: resolved, or rejected (``closed_at``, the rejection time)."""
    if complaint.state == "rejected":
        return complaint.closed_at or complaint.resolved_at
    return complaint.resolved_at


def deadline_status(*, is_open: bool, done_at: datetime | None, due: datetime, risk_at: datetime | None,
                    now: datetime) -> str:
    """``met``, ``breached``, ``at_risk`` or ``on_track`` for one deadline.

    A finished deadline is met when done by ``due`` (a finished complaint with no recorded moment
    counts as met); an open one is breached after ``due``, at risk from ``risk_at``, else on track.
    """
    if not is_open:
        return "breached" if done_at is not None and done_at > due else "met"
    if now > due:
        return "breached"
    if risk_at is not None and now >= risk_at:
        return "at_risk"
    return "on_track"


def _first_response_open(complaint: Complaint) -> bool:
    return complaint.first_responded_at is None and complaint.state in OPEN_STATES


def sla_block(complaint: Complaint, now: datetime | None = None) -> dict[str, dict]:
    """``{"first_response": {"due", "status"}, "resolution": {"due", "status"}}`` for ``complaint`` at ``now``."""
    now = now or toolkit.utcnow()
    first_done = complaint.first_responded_at or resolution_done_at(complaint)
    return {
        "first_response": {
            "due": complaint.first_response_due,
            "status": deadline_status(is_open=_first_response_open(complaint), done_at=first_done,
                                      due=complaint.first_response_due, risk_at=complaint.first_response_risk_at,
                                      now=now),
        },
        "resolution": {
            "due": complaint.resolution_due,
            "status": deadline_status(is_open=complaint.state in OPEN_STATES, done_at=resolution_done_at(complaint),
                                      due=complaint.resolution_due, risk_at=complaint.resolution_risk_at, now=now),
        },
    }


def _columns(deadline: str):
    """(is_open, done_at, due, risk_at) of ``deadline`` as SQL expressions."""
    resolution_done = case((Complaint.state == "rejected", func.coalesce(Complaint.closed_at, Complaint.resolved_at)),
                           else_=Complaint.resolved_at)
    open_state = Complaint.state.in_(OPEN_STATES)
    if deadline == "resolution":
        return open_state, resolution_done, Complaint.resolution_due, Complaint.resolution_risk_at
    if deadline == "first_response":
        return (and_(Complaint.first_responded_at.is_(None), open_state),
                func.coalesce(Complaint.first_responded_at, resolution_done),
                Complaint.first_response_due, Complaint.first_response_risk_at)
    raise ValueError(f"unknown deadline {deadline!r}")


def status_filter(deadline: str, status: str, now: datetime):
    """A SQL condition selecting complaints whose ``deadline`` has ``status`` at ``now`` (for the queue filter).

    Written so that the open-state branches compare the deadline column with a constant, which an
    index on ``(opd_code, state, resolution_due)`` serves.
    """
    is_open, done_at, due, risk_at = _columns(deadline)
    if status == "met":
        return and_(not_(is_open), or_(done_at.is_(None), done_at <= due))
    if status == "breached":
        return or_(and_(is_open, due < now), and_(not_(is_open), done_at > due))
    if status == "at_risk":
        return and_(is_open, due >= now, risk_at <= now)
    if status == "on_track":
        return and_(is_open, due >= now, or_(risk_at.is_(None), risk_at > now))
    raise ValueError(f"unknown SLA status {status!r}")
