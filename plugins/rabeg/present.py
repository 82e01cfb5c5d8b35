"""How a complaint is shown: the summary in lists and the detail with its timeline."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem import toolkit

from plugins.rabeg.access import is_staff_for
from plugins.rabeg.models import Category, Complaint, TimelineEntry
from plugins.rabeg.photos import photo_list, photos_by_entry
from plugins.rabeg.services.sla import sla_block


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
    entry_photos = photos_by_entry(complaint, include_hidden=staff)
    for e in entries:
        if e.kind == "note" and not staff:
            continue  # internal notes never reach the reporter
        item = {"at": e.at, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
                "public_message": toolkit.translate({"id": e.public_message, "en": e.public_message_en})
                if e.public_message_en else e.public_message, "photos": entry_photos.get(e.id, [])}
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
        # `description` stays the reporter's original; the public sees `moderated_description` when set.
        "moderated_description": complaint.moderated_description,
        "duplicate_of": _public_number(complaint.duplicate_of_id), "closed_at": complaint.closed_at,
        "confirmation": complaint.confirmation, "confirmed_at": complaint.confirmed_at, "rating": complaint.rating,
        "reopen_count": complaint.reopen_count or 0, "reroute_count": complaint.reroute_count or 0,
    }


def _public_number(complaint_id: int | None) -> str | None:
    """The public number of complaint ``complaint_id`` (the original a duplicate points to)."""
    if complaint_id is None:
        return None
    return toolkit.db.session.scalar(select(Complaint.public_number).where(Complaint.id == complaint_id))


