"""How a complaint is shown: the summary in lists and the detail with its timeline."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.access import is_staff_for
from plugins.rabeg.models import Category, Complaint, TimelineEntry
from plugins.rabeg.photos import photo_list
from plugins.rabeg.sla import sla_block


def summary(complaint: Complaint, category_code: str) -> dict[str, Any]:
    """The fields of ``complaint`` shown in every list."""
    return {
        "id": complaint.id, "public_number": complaint.public_number, "category": category_code,
        "opd": complaint.opd_code, "state": complaint.state, "description": complaint.description,
        "created_at": complaint.created_at, "first_response_due": complaint.first_response_due,
        "resolution_due": complaint.resolution_due, "sla": sla_block(complaint),
        "supporters_count": complaint.supporters_count or 0,
    }


def complaint_view(complaint: Complaint, user: Any) -> dict[str, Any]:
    """The complaint as ``user`` may see it: internal notes only for the OPD's staff."""
    staff = is_staff_for(user, complaint)
    entries = toolkit.db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.complaint_id == complaint.id).order_by(TimelineEntry.at, TimelineEntry.id)
    )
    timeline = []
    for e in entries:
        item = {"at": e.at, "from_state": e.from_state, "to_state": e.to_state, "public_message": e.public_message}
        if staff:
            item["internal_note"] = e.internal_note
        timeline.append(item)
    category = toolkit.db.session.get(Category, complaint.category_id)
    return {
        **summary(complaint, category.code), "lat": complaint.lat, "lon": complaint.lon,
        "kelurahan": complaint.kelurahan_code, "address": complaint.address,
        "show_name_publicly": complaint.show_name_publicly, "first_responded_at": complaint.first_responded_at,
        "resolved_at": complaint.resolved_at, "escalated": complaint.escalated, "timeline": timeline,
        "anonymous": complaint.anonymous, "answers": complaint.answers or {},
        # Moderated (hidden) photos only for the OPD's staff, flagged; signed links that expire.
        "photos": photo_list(complaint, include_hidden=staff),
    }


