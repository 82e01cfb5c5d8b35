"""RABEG complaints as GeoReport service requests: the query of ``GET requests`` and each request's fields.

``service_request_id`` is the complaint's public number (``RBG-2026-000123``), the one citizens
quote, in every answer and in ``requests/{id}``. ``status`` is ``open`` while the OPD still owes
an answer (submitted, assigned, in progress, reopened) and ``closed`` otherwise (resolved, closed,
rejected). What leaves here is what the public view shows (``services.public``): only published
complaints (a private one is "not found"), text with NIK, phone numbers and email addresses masked,
no reporter, no contact details, no name and no address text (the kelurahan code and the map point,
rounded to about 110 m, locate the problem).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from flask import request
from sqlalchemy import func, select

from ragem import toolkit

from plugins.rabeg.models import OPEN_STATES, STATES, Category, Complaint, Photo, TimelineEntry
from plugins.rabeg.open311.dates import parse_w3c, w3c
from plugins.rabeg.open311.formats import Open311Error
from plugins.rabeg.open311.services import category_name, opd_name
from plugins.rabeg.services.public import public_description, public_point, public_text, published

#: The specification's default and largest window, and its default page of requests.
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
#: How long a photo link in a request works: dashboards cache answers for a while.
MEDIA_URL_TTL_SECONDS = 24 * 3600
STATUS_STATES = {"open": OPEN_STATES, "closed": tuple(s for s in STATES if s not in OPEN_STATES)}
#: Timeline kinds whose public message is meant for the reporter alone, never for ``status_notes``:
#: the reporter's own verdict comment and the moderation notice (it names what was removed and why).
REPORTER_ONLY_KINDS = ("confirmation", "moderation")


def status_of(complaint: Complaint) -> str:
    """``open`` or ``closed``, the only two statuses of GeoReport v2."""
    return "open" if complaint.state in OPEN_STATES else "closed"


def _csv(value: str | None, name: str, limit: int = MAX_REQUESTS) -> list[str]:
    """The non-empty items of a comma-separated argument (400 beyond ``limit`` items)."""
    items = list(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))
    if len(items) > limit:
        raise Open311Error(400, f"{name}: at most {limit} values")
    return items


def _date(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None  # "optional" means an empty argument is no argument
    try:
        return parse_w3c(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a w3c datetime with its time zone, "
                                f"e.g. 2026-11-01T00:00:00+07:00 or 2026-11-01T00:00:00Z") from None


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The requested range of ``requested_datetime``; 90 days at most, the latest 90 days by default."""
    if start is None and end is None:
        end = toolkit.utcnow()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _positive(value: str | None, name: str, default: int, maximum: int) -> int:
    text = (value or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 7 or not 1 <= int(text) <= maximum:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {maximum}")
    return int(text)


def search(args: dict[str, Any]) -> list[Complaint]:
    """The complaints ``GET requests`` asks for, newest first.

    ``service_request_id`` (comma-separated) overrides every other argument; otherwise
    ``service_code`` and ``status`` (comma-separated), ``start_date``/``end_date`` (at most 90
    days apart, the latest 90 days by default), ``page`` and ``page_size`` (at most 1000).
    """
    session = toolkit.db.session
    newest_first = (Complaint.created_at.desc(), Complaint.id.desc())
    ids = _csv(args.get("service_request_id"), "service_request_id")
    if ids:
        return list(session.scalars(select(Complaint).where(Complaint.public_number.in_(ids), published())
                                    .order_by(*newest_first)))
    stmt = select(Complaint).where(published())
    codes = _csv(args.get("service_code"), "service_code", limit=100)
    if codes:
        stmt = stmt.join(Category, Category.id == Complaint.category_id).where(Category.code.in_(codes))
    statuses = _csv(args.get("status"), "status", limit=2)
    unknown = [s for s in statuses if s not in STATUS_STATES]
    if unknown:
        raise Open311Error(400, f"status must be open or closed (comma-separated), not {unknown[0][:20]!r}")
    if statuses:
        stmt = stmt.where(Complaint.state.in_([state for s in statuses for state in STATUS_STATES[s]]))
    start, end = _window(_date(args.get("start_date"), "start_date"), _date(args.get("end_date"), "end_date"))
    stmt = stmt.where(Complaint.created_at >= start, Complaint.created_at <= end)
    page = _positive(args.get("page"), "page", 1, 1_000_000)
    page_size = _positive(args.get("page_size"), "page_size", MAX_REQUESTS, MAX_REQUESTS)
    stmt = stmt.order_by(*newest_first).offset((page - 1) * page_size).limit(page_size)
    return list(session.scalars(stmt))


def find(service_request_id: str) -> Complaint:
    """The published complaint with public number ``service_request_id``; 404 if there is none (a private
    one is not found either: the answer must not tell that it exists)."""
    complaint = None
    if 0 < len(service_request_id) <= 24:
        complaint = toolkit.db.session.scalar(
            select(Complaint).where(Complaint.public_number == service_request_id, published()))
    if complaint is None:
        raise Open311Error(404, f"service_request_id {service_request_id[:40]!r} was not found")
    return complaint


def find_by_token(token: str) -> Complaint:
    """The complaint filed with Open311 ``token``; 404 if there is none."""
    complaint = None
    if 0 < len(token) <= 64:
        complaint = toolkit.db.session.scalar(select(Complaint).where(Complaint.open311_token == token))
    if complaint is None:
        raise Open311Error(404, f"token {token[:64]!r} was not found")
    return complaint


def _latest_notes(ids: list[int]) -> tuple[dict[int, str], dict[int, datetime]]:
    """Per complaint: the latest public message meant for everyone (``status_notes``) and the time of its
    latest change."""
    notes: dict[int, str] = {}
    changed: dict[int, datetime] = {}
    if not ids:
        return notes, changed
    session = toolkit.db.session
    for complaint_id, at in session.execute(
        select(TimelineEntry.complaint_id, func.max(TimelineEntry.at))
        .where(TimelineEntry.complaint_id.in_(ids)).group_by(TimelineEntry.complaint_id)
    ):
        changed[complaint_id] = at
    rows = session.execute(
        select(TimelineEntry.complaint_id, TimelineEntry.public_message)
        .where(TimelineEntry.complaint_id.in_(ids), TimelineEntry.public_message.is_not(None),
               TimelineEntry.kind.not_in(REPORTER_ONLY_KINDS))
        .order_by(TimelineEntry.complaint_id, TimelineEntry.at, TimelineEntry.id)
    )
    for complaint_id, message in rows:
        notes[complaint_id] = message  # ordered by time: the last one written wins
    return notes, changed


def _first_photos(ids: list[int]) -> dict[int, str]:
    """Per complaint: the file id of its first visible report photo."""
    if not ids:
        return {}
    rows = toolkit.db.session.execute(
        select(Photo.complaint_id, Photo.file_id)
        .where(Photo.complaint_id.in_(ids), Photo.kind == "report", Photo.hidden.is_(False))
        .order_by(Photo.complaint_id, Photo.position.desc(), Photo.id.desc())
    )
    return {complaint_id: file_id for complaint_id, file_id in rows}  # the lowest position is written last


def _media_url(complaint: Complaint, file_id: str | None) -> str | None:
    """A link to the first public photo (signed, absolute), else the link the Open311 client sent."""
    if file_id:
        return request.host_url.rstrip("/") + toolkit.signed_url(file_id, MEDIA_URL_TTL_SECONDS)
    return (complaint.media_urls or [None])[0]


def service_notice(complaint: Complaint, agency: str) -> str:
    """What happens next: who handles it and by when (first answer and resolution targets, WIB)."""
    return toolkit.translate({
        "id": f"Diteruskan langsung ke {agency}. Target tanggapan pertama {w3c(complaint.first_response_due)}, "
              f"target penyelesaian {w3c(complaint.resolution_due)}.",
        "en": f"Sent straight to {agency}. First answer due {w3c(complaint.first_response_due)}, "
              f"resolution due {w3c(complaint.resolution_due)}.",
    })


def present(complaints: Iterable[Complaint]) -> list[dict[str, Any]]:
    """The complaints as GeoReport service requests (every field of the specification, in its order)."""
    complaints = list(complaints)
    ids = [c.id for c in complaints]
    notes, changed = _latest_notes(ids)
    photos = _first_photos(ids)
    session = toolkit.db.session
    categories = {c.id: c for c in session.scalars(
        select(Category).where(Category.id.in_({c.category_id for c in complaints})))} if complaints else {}
    agencies: dict[str, str] = {}
    out = []
    for c in complaints:
        category = categories[c.category_id]
        agency = agencies.setdefault(c.opd_code, opd_name(c.opd_code))
        status = status_of(c)
        updated = max(filter(None, (c.created_at, c.updated_at, changed.get(c.id))))
        if status == "closed":
            # "For requests with status=closed, this will be the date the request was closed."
            updated = c.closed_at or c.resolved_at or updated
        # A duplicate shows only that it existed (its text, point and photos are its original's),
        # as in the public view (public.py).
        merged = c.duplicate_of_id is not None
        lat, lon = (None, None) if merged else public_point(c)  # rounded to about 110 m
        out.append({
            "service_request_id": c.public_number,
            "status": status,
            "status_notes": public_text(notes.get(c.id)),
            "service_name": category_name(category),
            "service_code": category.code,
            "description": None if merged else public_description(c),
            "agency_responsible": agency,
            "service_notice": service_notice(c, agency),
            "requested_datetime": w3c(c.created_at),
            "updated_datetime": w3c(updated),
            "expected_datetime": w3c(c.resolution_due),
            # The address text can be where the reporter lives: never public (the public view
            # hides it too); the kelurahan code and the map point say where the problem is.
            "address": None,
            "address_id": c.kelurahan_code,
            "zipcode": None,
            "lat": lat,
            "long": lon,
            "media_url": None if merged else _media_url(c, photos.get(c.id)),
        })
    return out
