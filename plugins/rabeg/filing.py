"""Filing a complaint: checking it, routing it to the responsible OPD and starting its clocks."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.rabeg.models import Category, Complaint, IdempotencyRecord, TimelineEntry
from plugins.rabeg.seed import ensure_categories
from plugins.rabeg.sla import set_deadlines

MSG_ASSIGNED = {
    "id": "Pengaduan Anda telah diterima dan langsung diteruskan ke {opd}.",
    "en": "Your complaint was received and sent straight to {opd}.",
}


def active_category(code: str) -> Category:
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


def _kecamatan(kelurahan_code: str | None) -> str | None:
    """The kecamatan code of a kelurahan (kept on the complaint for filters and KPIs)."""
    region = toolkit.region(kelurahan_code) if kelurahan_code else None
    return region.parent_code if region is not None else None


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
    cat = active_category(category)
    opd = route(cat, kelurahan)
    now = toolkit.utcnow()
    complaint = Complaint(
        public_number=uuid.uuid4().hex[:24], reporter_id=reporter.id, category_id=cat.id, opd_code=opd,
        state="assigned", description=description, lat=lat, lon=lon, kelurahan_code=kelurahan,
        address=(address or "").strip() or None, show_name_publicly=show_name_publicly, created_at=now,
        escalated=False, kecamatan_code=_kecamatan(kelurahan),
    )
    set_deadlines(complaint, cat, now)
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


