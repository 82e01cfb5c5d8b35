"""What RABEG does for a citizen's data rights: summary, export and erasure of their complaints.

Erasure anonymises rather than deletes: a complaint about a damaged road is a public record that
officers and other supporters still work on, so the complaint stays and loses its link to the
person (reporter id, address text, name display). The description is the citizen's own words and
stays, as the issue asks (the public record remains).
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from ragem import toolkit

from plugins.rabeg.models import (  # noqa: F401  (OPEN_STATES re-exported)
    OPEN_STATES,
    Complaint,
    IdempotencyRecord,
    Photo,
    Supporter,
    TimelineEntry,
)
from plugins.rabeg.seed import category_codes



def summary(user) -> dict:
    """The citizen's open complaints: how many, and the five most recent."""
    db = toolkit.db
    open_filter = (Complaint.reporter_id == user.id) & Complaint.state.in_(OPEN_STATES)
    count = db.session.scalar(select(func.count()).select_from(Complaint).where(open_filter))
    latest = db.session.scalars(
        select(Complaint).where(open_filter).order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(5)
    )
    return {
        "open_complaints": int(count or 0),
        "latest": [{"id": c.id, "public_number": c.public_number, "state": c.state,
                    "created_at": toolkit.isoformat_z(c.created_at)} for c in latest],
    }


def _public_timeline(complaint_ids: list[int]) -> dict[int, list[dict]]:
    """What the citizen was told about each complaint (never the officers' internal notes)."""
    entries = toolkit.db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.complaint_id.in_(complaint_ids))
        .where(TimelineEntry.kind != "note").order_by(TimelineEntry.at, TimelineEntry.id)
    ) if complaint_ids else ()
    timeline: dict[int, list[dict]] = {}
    for e in entries:
        timeline.setdefault(e.complaint_id, []).append({
            "at": toolkit.isoformat_z(e.at), "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
            "public_message": e.public_message,
        })
    return timeline


def forget_complainant(complaint_id: int, user: toolkit.Account, *, reason: str) -> Complaint:
    """Erase the name and phone of a complainant without an account, at their request (they cannot use
    ``DELETE /me``): the staff of the assigned OPD or an admin does it for them; audited with ``reason``.

    The complaint stays, as every erased reporter's does; no SMS reaches the complainant any more.
    A complaint linked to an account keeps no copy to erase: that account erases itself (409 here).
    """
    from plugins.rabeg.access import staff_complaint

    complaint = staff_complaint(complaint_id, user)
    if complaint.reporter_id is not None:
        raise toolkit.Conflict(
            message={"id": "Pengaduan ini milik akun warga; warga menghapus datanya sendiri dari aplikasi.",
                     "en": "This complaint belongs to a citizen's account; the citizen erases their own data."},
            details={"complaint_id": complaint_id},
        )
    had = complaint.complainant_name_ciphertext is not None or complaint.complainant_phone_ciphertext is not None
    complaint.complainant_name = None
    complaint.complainant_phone = None
    complaint.address = None
    complaint.updated_at = toolkit.utcnow()
    if had:
        toolkit.audit("rabeg.complaint.complainant_erased", "rabeg_complaint", str(complaint.id), reason=reason,
                      actor=user)
    toolkit.db.session.commit()
    return complaint


def export(user) -> dict:
    """Every complaint the citizen filed (what they wrote, where, their answers, photos, verdict and
    what they were told), and the complaints they supported."""
    session = toolkit.db.session
    complaints = list(session.scalars(select(Complaint).where(Complaint.reporter_id == user.id).order_by(Complaint.id)))
    ids = [c.id for c in complaints]
    codes = category_codes() if complaints else {}
    photos: dict[int, int] = dict(session.execute(
        select(Photo.complaint_id, func.count()).where(Photo.complaint_id.in_(ids), Photo.uploader_id == user.id)
        .group_by(Photo.complaint_id)
    ).all()) if ids else {}
    timeline = _public_timeline(ids)
    supported = session.execute(
        select(Complaint.public_number, Supporter.created_at).join(Supporter, Supporter.complaint_id == Complaint.id)
        .where(Supporter.user_id == user.id).order_by(Supporter.id)
    ).all()
    return {
        "complaints": [
            {"public_number": c.public_number, "category": codes.get(c.category_id), "state": c.state,
             "opd": c.opd_code, "channel": c.source, "description": c.description, "lat": c.lat, "lon": c.lon,
             "kelurahan": c.kelurahan_code, "address": c.address, "answers": c.answers or {},
             "anonymous": c.anonymous, "private": c.private, "show_name_publicly": c.show_name_publicly,
             "name_shown": c.reporter_display_name, "photos_uploaded": photos.get(c.id, 0),
             "confirmation": c.confirmation, "rating": c.rating,
             "created_at": toolkit.isoformat_z(c.created_at), "timeline": timeline.get(c.id, [])}
            for c in complaints
        ],
        "supported": [{"public_number": number, "since": toolkit.isoformat_z(at)} for number, at in supported],
    }


def erase(user) -> toolkit.ErasureReport:
    """Unlink the citizen from their complaints (kept, anonymised) and forget their retry keys."""
    session = toolkit.db.session
    result = session.execute(
        update(Complaint)
        .where(Complaint.reporter_id == user.id)
        .values(reporter_id=None, address=None, show_name_publicly=False, reporter_display_name=None,
                contact_ciphertext=None, complainant_name_ciphertext=None, complainant_phone_ciphertext=None,
                complainant_phone_hash=None)
        .execution_options(synchronize_session=False)
    )
    # An officer who recorded complaints for citizens: the complaints stay, no longer naming the officer.
    session.execute(
        update(Complaint).where(Complaint.filed_by_id == user.id).values(filed_by_id=None)
        .execution_options(synchronize_session=False)
    )
    deleted = session.execute(
        IdempotencyRecord.__table__.delete().where(IdempotencyRecord.user_id == user.id)
    ).rowcount
    # The timeline keeps what happened, no longer who did it (the "submitted" and verdict entries).
    session.execute(
        update(TimelineEntry).where(TimelineEntry.actor_id == user.id).values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    # The core erases the files the citizen uploaded, so their photo rows go too; "me too" rows
    # go as well (the complaint keeps its supporters_count: how many, not who).
    deleted += session.execute(Photo.__table__.delete().where(Photo.uploader_id == user.id)).rowcount or 0
    deleted += session.execute(Supporter.__table__.delete().where(Supporter.user_id == user.id)).rowcount or 0
    return toolkit.ErasureReport(
        deleted=deleted or 0, anonymised=result.rowcount or 0,
        kept_reason="complaints are a public record; kept without the reporter",
    )
