"""The rules of RABEG: filing, routing, deadlines and who may see what. Views only parse and dump."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg.calendar import add_working_time
from plugins.rabeg.models import Category, Complaint, IdempotencyRecord, TimelineEntry
from plugins.rabeg.seed import ensure_categories

FILE, HANDLE, ADMIN = "rabeg.file", "rabeg.handle", "rabeg.admin"

MSG_ASSIGNED = {
    "id": "Pengaduan Anda telah diterima dan langsung diteruskan ke {opd}.",
    "en": "Your complaint was received and sent straight to {opd}.",
}


def _category(code: str) -> Category:
    """The active category ``code``; the seed runs first so a fresh database has categories."""
    ensure_categories()
    category = toolkit.db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))
    if category is None:
        raise toolkit.ValidationError(
            message={"id": "Kategori pengaduan tidak dikenal.", "en": "Unknown complaint category."},
            details={"category": code[:40]},
        )
    return category


def route(category: Category, kelurahan_code: str | None) -> str:
    """The OPD that answers for ``category`` at ``kelurahan_code``: a kecamatan override, else the category's."""
    if kelurahan_code:
        region = toolkit.region(kelurahan_code)
        kecamatan = region.parent_code if region is not None else None
        override = (category.routing_overrides or {}).get(kecamatan)
        if override:
            return override
    return category.opd_code


def _check_location(lat, lon, kelurahan: str | None) -> None:
    """Coordinates come in pairs; a kelurahan must be one of Kota Serang's; some location is required."""
    if (lat is None) != (lon is None):
        raise toolkit.ValidationError(
            message={"id": "Lintang dan bujur harus diisi bersama.", "en": "Latitude and longitude go together."},
            details={"lat": "required with lon", "lon": "required with lat"},
        )
    if kelurahan is not None:
        region = toolkit.region(kelurahan)
        if region is None or region.level != "kelurahan":
            raise toolkit.ValidationError(
                message={"id": "Kelurahan tidak dikenal di Kota Serang.", "en": "Unknown kelurahan in Kota Serang."},
                details={"kelurahan": kelurahan},
            )
    if lat is None and kelurahan is None:
        raise toolkit.ValidationError(
            message={"id": "Isi lokasi: titik peta atau kelurahan.", "en": "Give a location: a map point or a kelurahan."},
            details={"location": "lat/lon or kelurahan required"},
        )


def _existing(user_id: str, key: str) -> Complaint | None:
    record = toolkit.db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    return toolkit.db.session.get(Complaint, record.complaint_id) if record else None


def file_complaint(*, reporter: Any, idempotency_key: str | None = None, category: str, description: str,
                   lat=None, lon=None, kelurahan=None, address=None, show_name_publicly=False) -> tuple[Complaint, bool]:
    """File a complaint for ``reporter``, routed at once to its OPD with deadlines running.

    :returns: ``(complaint, created)``; ``created`` is ``False`` when ``idempotency_key`` was
        already used by this reporter (the first complaint is returned, nothing new is filed).
    """
    session = toolkit.db.session
    if idempotency_key:
        earlier = _existing(reporter.id, idempotency_key)
        if earlier is not None:
            return earlier, False
    description = description.strip()
    if len(description) < 10:
        raise toolkit.ValidationError(details={"description": "at least 10 characters"})
    _check_location(lat, lon, kelurahan)
    cat = _category(category)
    opd = route(cat, kelurahan)
    now = toolkit.utcnow()
    complaint = Complaint(
        public_number=uuid.uuid4().hex[:24], reporter_id=reporter.id, category_id=cat.id, opd_code=opd,
        state="assigned", description=description, lat=lat, lon=lon, kelurahan_code=kelurahan,
        address=(address or "").strip() or None, show_name_publicly=show_name_publicly, created_at=now,
        first_response_due=add_working_time(now, cat.first_response_target, cat.first_response_unit),
        resolution_due=add_working_time(now, cat.resolution_target, cat.resolution_unit), escalated=False,
    )
    session.add(complaint)
    session.flush()
    complaint.public_number = f"RBG-{now.year}-{complaint.id:06d}"
    opd_row = toolkit.opd(opd)
    opd_name = {"id": opd_row.name_id, "en": opd_row.name_en} if opd_row else {"id": opd, "en": opd}
    session.add(TimelineEntry(complaint_id=complaint.id, actor_id=reporter.id, at=now, from_state=None,
                              to_state="submitted"))
    session.add(TimelineEntry(
        complaint_id=complaint.id, actor_id=None, at=now, from_state="submitted", to_state="assigned",
        public_message=MSG_ASSIGNED["id"].format(opd=opd_name["id"]),
        internal_note=f"routed to {opd} ({'kecamatan override' if opd != cat.opd_code else 'category default'})",
    ))
    if idempotency_key:
        session.add(IdempotencyRecord(user_id=reporter.id, key=idempotency_key, complaint_id=complaint.id, created_at=now))
    toolkit.audit("rabeg.complaint.file", "rabeg_complaint", str(complaint.id), after={"opd": opd, "category": cat.code},
                  actor=reporter)
    toolkit.notify(
        reporter, kind="rabeg.complaint.assigned", service="rabeg",
        title={"id": f"Pengaduan {complaint.public_number} diterima", "en": f"Complaint {complaint.public_number} received"},
        body={k: MSG_ASSIGNED[k].format(opd=opd_name[k]) for k in ("id", "en")},
        data={"complaint_id": complaint.id},
    )
    try:
        session.commit()
    except IntegrityError:
        # Two retries raced with the same key: the other one won; answer with its complaint.
        session.rollback()
        earlier = _existing(reporter.id, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return earlier, False
    return complaint, True


def _is_staff_for(user: Any, complaint: Complaint) -> bool:
    """Admins (rabeg.admin) and officers of the assigned OPD (rabeg.handle)."""
    if toolkit.can(user, ADMIN, complaint):
        return True
    return toolkit.can(user, HANDLE, complaint) and getattr(user, "opd_code", None) == complaint.opd_code


def _summary(complaint: Complaint, category_code: str) -> dict[str, Any]:
    return {
        "id": complaint.id, "public_number": complaint.public_number, "category": category_code,
        "opd": complaint.opd_code, "state": complaint.state, "description": complaint.description,
        "created_at": complaint.created_at, "first_response_due": complaint.first_response_due,
        "resolution_due": complaint.resolution_due,
    }


def complaint_view(complaint: Complaint, user: Any) -> dict[str, Any]:
    """The complaint as ``user`` may see it: internal notes only for the OPD's staff."""
    staff = _is_staff_for(user, complaint)
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
        **_summary(complaint, category.code), "lat": complaint.lat, "lon": complaint.lon,
        "kelurahan": complaint.kelurahan_code, "address": complaint.address,
        "show_name_publicly": complaint.show_name_publicly, "first_responded_at": complaint.first_responded_at,
        "resolved_at": complaint.resolved_at, "escalated": complaint.escalated, "timeline": timeline,
    }


def get_complaint(complaint_id: int, user: Any) -> dict[str, Any]:
    """One complaint for its reporter, the assigned OPD's officers or an admin; 404 for anyone else."""
    complaint = toolkit.db.session.get(Complaint, complaint_id) if 0 < complaint_id < 2**31 else None
    if complaint is None or not (complaint.reporter_id == user.id or _is_staff_for(user, complaint)):
        # 404, not 403: others must not learn that the number exists.
        raise toolkit.NotFound(details={"complaint_id": complaint_id})
    return complaint_view(complaint, user)


def my_complaints(user: Any, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The reporter's own complaints, newest first (keyset pagination)."""
    stmt = select(Complaint).where(Complaint.reporter_id == user.id)
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.created_at, Complaint.id],
                                         limit=limit, cursor=cursor)
    codes = dict(toolkit.db.session.execute(select(Category.id, Category.code)).all()) if rows else {}
    return {"items": [_summary(c, codes[c.category_id]) for c in rows], "next_cursor": next_cursor}


# The life of a complaint, as far as this slice goes: officers move it along or reject it.
TRANSITIONS = {
    "assigned": {"in_progress", "resolved", "rejected"},
    "in_progress": {"resolved", "rejected"},
    "reopened": {"in_progress", "resolved", "rejected"},
}
REJECT_REASONS = ("not_our_responsibility", "duplicate", "invalid")
STATE_NAMES = {
    "in_progress": {"id": "sedang ditangani", "en": "in progress"},
    "resolved": {"id": "selesai ditangani", "en": "resolved"},
    "rejected": {"id": "ditolak", "en": "rejected"},
}


def transition(complaint_id: int, actor: Any, *, to: str, public_message: str | None = None,
               internal_note: str | None = None, reason: str | None = None) -> dict[str, Any]:
    """Move a complaint to state ``to`` (officers of the assigned OPD and admins); 409 if not allowed now."""
    session = toolkit.db.session
    complaint = session.get(Complaint, complaint_id) if 0 < complaint_id < 2**31 else None
    if complaint is None or not (complaint.reporter_id == actor.id or _is_staff_for(actor, complaint)):
        raise toolkit.NotFound(details={"complaint_id": complaint_id})
    if not _is_staff_for(actor, complaint):
        raise toolkit.Forbidden(
            message={"id": "Hanya petugas OPD yang ditugaskan yang dapat mengubah status.",
                     "en": "Only officers of the assigned agency can change the state."},
            details={"required_permission": HANDLE},
        )
    if to not in TRANSITIONS.get(complaint.state, set()):
        raise toolkit.Conflict(
            message={"id": "Perubahan status ini tidak diizinkan.", "en": "This state change is not allowed."},
            details={"from": complaint.state, "to": to},
        )
    if to == "rejected" and reason not in REJECT_REASONS:
        raise toolkit.ValidationError(
            message={"id": "Sebutkan alasan penolakan.", "en": "Give the reason for the rejection."},
            details={"reason": f"one of {', '.join(REJECT_REASONS)}"},
        )
    now = toolkit.utcnow()
    before = complaint.state
    complaint.state = to
    if complaint.first_responded_at is None:
        complaint.first_responded_at = now
    if to == "resolved":
        complaint.resolved_at = now
    note = internal_note
    if to == "rejected":
        note = f"reason: {reason}" + (f"; {internal_note}" if internal_note else "")
    session.add(TimelineEntry(complaint_id=complaint.id, actor_id=actor.id, at=now, from_state=before, to_state=to,
                              public_message=public_message, internal_note=note))
    toolkit.audit("rabeg.complaint.transition", "rabeg_complaint", str(complaint.id),
                  before={"state": before}, after={"state": to, "reason": reason}, actor=actor)
    if complaint.reporter_id:
        names = STATE_NAMES[to]
        toolkit.notify(
            complaint.reporter_id, kind=f"rabeg.complaint.{to}", service="rabeg",
            title={"id": f"Pengaduan {complaint.public_number} {names['id']}",
                   "en": f"Complaint {complaint.public_number} {names['en']}"},
            body=public_message or {"id": f"Status pengaduan Anda: {names['id']}.", "en": f"Your complaint is now {names['en']}."},
            data={"complaint_id": complaint.id},
        )
    session.commit()
    return complaint_view(complaint, actor)


def opd_queue(user: Any, *, scope: str, state: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """The complaints an officer's OPD must handle (``all``: every OPD, admins only), nearest deadline first."""
    stmt = select(Complaint)
    if scope == "all":
        if not toolkit.can(user, ADMIN):
            raise toolkit.Forbidden(details={"required_permission": ADMIN})
    else:
        opd = getattr(user, "opd_code", None)
        if not opd:
            raise toolkit.Forbidden(
                message={"id": "Akun Anda tidak terhubung dengan OPD.", "en": "Your account belongs to no agency."},
                details={"scope": scope},
            )
        stmt = stmt.where(Complaint.opd_code == opd)
    if state:
        stmt = stmt.where(Complaint.state == state)
    rows, next_cursor = toolkit.paginate(toolkit.db.session, stmt, [Complaint.resolution_due, Complaint.id],
                                         limit=limit, cursor=cursor, descending=False)
    codes = dict(toolkit.db.session.execute(select(Category.id, Category.code)).all()) if rows else {}
    return {"items": [_summary(c, codes[c.category_id]) for c in rows], "next_cursor": next_cursor}
