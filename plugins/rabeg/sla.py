"""Service levels: the deadlines a complaint carries and the moment each one starts to be at risk."""
from __future__ import annotations

from datetime import datetime

from plugins.rabeg.calendar import add_working_time
from plugins.rabeg.models import Category, Complaint

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
