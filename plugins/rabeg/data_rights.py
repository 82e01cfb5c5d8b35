"""What RABEG does for a citizen's data rights: summary, export and erasure of their complaints.

Erasure anonymises rather than deletes: a complaint about a damaged road is a public record that
officers and other supporters still work on, so the complaint stays and loses its link to the
person (reporter id, address text, name display). The description is the citizen's own words and
stays, as the issue asks (the public record remains).
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from ragem import toolkit

from plugins.rabeg.models import OPEN_STATES, Complaint, IdempotencyRecord, Photo, Supporter  # noqa: F401  (OPEN_STATES re-exported)



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


def export(user) -> dict:
    """Every complaint the citizen filed, with what they wrote and where."""
    complaints = toolkit.db.session.scalars(
        select(Complaint).where(Complaint.reporter_id == user.id).order_by(Complaint.id)
    )
    return {
        "complaints": [
            {"public_number": c.public_number, "state": c.state, "opd": c.opd_code,
             "description": c.description, "lat": c.lat, "lon": c.lon, "kelurahan": c.kelurahan_code,
             "address": c.address, "show_name_publicly": c.show_name_publicly,
             "created_at": toolkit.isoformat_z(c.created_at)}
            for c in complaints
        ]
    }


def erase(user) -> toolkit.ErasureReport:
    """Unlink the citizen from their complaints (kept, anonymised) and forget their retry keys."""
    session = toolkit.db.session
    result = session.execute(
        update(Complaint)
        .where(Complaint.reporter_id == user.id)
        .values(reporter_id=None, address=None, show_name_publicly=False, reporter_display_name=None, contact=None)
        .execution_options(synchronize_session=False)
    )
    deleted = session.execute(
        IdempotencyRecord.__table__.delete().where(IdempotencyRecord.user_id == user.id)
    ).rowcount
    # The core erases the files the citizen uploaded, so their photo rows go too; "me too" rows
    # go as well (the complaint keeps its supporters_count: how many, not who).
    deleted += session.execute(Photo.__table__.delete().where(Photo.uploader_id == user.id)).rowcount or 0
    deleted += session.execute(Supporter.__table__.delete().where(Supporter.user_id == user.id)).rowcount or 0
    return toolkit.ErasureReport(
        deleted=deleted or 0, anonymised=result.rowcount or 0,
        kept_reason="complaints are a public record; kept without the reporter",
    )
