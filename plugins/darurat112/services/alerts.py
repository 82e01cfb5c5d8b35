"""Public alerts: issuing, updating and cancelling CAP 1.2 messages, and reading the current ones.

A CAP message never changes once sent. An update or a cancellation is a new message that references
the one it replaces (CAP ``msgType`` Update or Cancel, ``<references>``); the replaced message is
marked ``superseded_at`` and leaves the current list. Only the newest message of a chain can be
replaced, so two officers updating the same alert at once cannot fork it.

Everything is checked before anything is written: bad input is a 4xx and no row, no audit entry.
"""
from __future__ import annotations

import math
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from ragem import toolkit

from plugins.darurat112 import settings
from plugins.darurat112.models import Alert
from plugins.darurat112.services import alert_fanout
from plugins.darurat112.services.intake import LAT_RANGE, LON_RANGE

#: The longest an alert may stay in force: a longer one is a typing mistake (a year for a day).
MAX_SPAN = timedelta(days=30)
#: The widest circle: Kota Serang is about 25 km across, a flood warning may reach beyond it.
MAX_RADIUS_KM = 50.0
#: How many region codes and polygon points an area may list.
MAX_CODES, MAX_POINTS = 100, 200

MSG_BAD_AREA = {"id": "Wilayah peringatan tidak valid.", "en": "The alert's area is invalid."}
MSG_BAD_TIMES = {"id": "Waktu berlaku peringatan tidak valid.", "en": "The alert's validity period is invalid."}
MSG_SUPERSEDED = {"id": "Peringatan ini sudah diperbarui atau dibatalkan; ubah versi terbarunya.",
                  "en": "This alert was already updated or cancelled; change its newest version."}


# --- Checking what an officer sends ---------------------------------------------------------------

def _area_error(field: str, problem: str) -> toolkit.ValidationError:
    """The 422 for a bad part of the area."""
    return toolkit.ValidationError("invalid_alert_area", MSG_BAD_AREA, details={"area": {field: problem}})


def _point(text: str, field: str) -> tuple[float, float]:
    """``lat,lon`` inside Kota Serang's bounding box."""
    parts = text.split(",")
    try:
        lat, lon = (float(part) for part in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        lat = lon = math.nan
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise _area_error(field, f"points are 'lat,lon' in decimal degrees, not {text[:40]!r}")
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        raise _area_error(field, f"point {lat},{lon} is outside Kota Serang "
                                 f"(lat {LAT_RANGE[0]} to {LAT_RANGE[1]}, lon {LON_RANGE[0]} to {LON_RANGE[1]})")
    return lat, lon


def parse_circle(text: str | None) -> str | None:
    """``"lat,lon radius_km"`` checked and written back in CAP's form (``-6.12,106.15 2.5``)."""
    if text is None:
        return None
    parts = text.split()
    if len(parts) != 2:
        raise _area_error("circle", "'lat,lon radius_km', e.g. '-6.12,106.15 2.5'")
    lat, lon = _point(parts[0], "circle")
    try:
        radius = float(parts[1])
    except ValueError:
        radius = math.nan
    if not (math.isfinite(radius) and 0 < radius <= MAX_RADIUS_KM):
        raise _area_error("circle", f"the radius is in kilometres, more than 0 and at most {MAX_RADIUS_KM:g}")
    return f"{lat:g},{lon:g} {radius:g}"


def parse_polygon(text: str | None) -> str | None:
    """``"lat,lon lat,lon ..."``: a closed ring (first point repeated last) of at least 4 points."""
    if text is None:
        return None
    parts = text.split()
    if not 4 <= len(parts) <= MAX_POINTS:
        raise _area_error("polygon", f"a closed ring of 4 to {MAX_POINTS} 'lat,lon' points separated by spaces")
    points = [_point(part, "polygon") for part in parts]
    if points[0] != points[-1]:
        raise _area_error("polygon", "the ring must be closed: the last point repeats the first")
    if len(set(points)) < 3:
        raise _area_error("polygon", "the ring needs at least three distinct points")
    return " ".join(f"{lat:g},{lon:g}" for lat, lon in points)


def check_area(area: dict) -> dict:
    """The area's columns from the request's ``area``: region codes known to the core at the right
    level, without repeats, at least one; the circle and polygon checked and normalised."""
    kecamatan = list(dict.fromkeys(area.get("kecamatan") or []))
    kelurahan = list(dict.fromkeys(area.get("kelurahan") or []))
    if not kecamatan and not kelurahan:
        raise _area_error("kecamatan", "name at least one kecamatan or kelurahan (Kemendagri codes)")
    if len(kecamatan) + len(kelurahan) > MAX_CODES:
        raise _area_error("kelurahan", f"at most {MAX_CODES} region codes")
    for level, codes in (("kecamatan", kecamatan), ("kelurahan", kelurahan)):
        unknown = [code[:40] for code in codes if getattr(toolkit.region(code), "level", None) != level]
        if unknown:
            raise _area_error(level, f"not a {level} of Kota Serang: {', '.join(unknown[:10])}")
    return {"kecamatan_codes": kecamatan, "kelurahan_codes": kelurahan,
            "circle": parse_circle(area.get("circle")), "polygon": parse_polygon(area.get("polygon"))}


def check_times(effective, expires, now):
    """``effective`` (now when omitted) before ``expires``, which is in the future and within 30 days."""
    effective = (effective or now).replace(microsecond=0)
    expires = expires.replace(microsecond=0)
    if expires <= now:
        raise toolkit.ValidationError("invalid_alert_times", MSG_BAD_TIMES,
                                      details={"expires": "must be in the future"})
    if expires <= effective:
        raise toolkit.ValidationError("invalid_alert_times", MSG_BAD_TIMES,
                                      details={"expires": "must be after effective"})
    if expires - effective > MAX_SPAN or effective - now > MAX_SPAN:
        raise toolkit.ValidationError("invalid_alert_times", MSG_BAD_TIMES,
                                      details={"expires": f"an alert lasts at most {MAX_SPAN.days} days and "
                                                          f"starts within {MAX_SPAN.days} days"})
    return effective, expires


def _content(fields: dict, now) -> dict:
    """The columns of a message's content from a validated request body."""
    effective, expires = check_times(fields.get("effective"), fields["expires"], now)
    instruction = fields.get("instruction") or {}
    return {
        "event": fields["event"].strip(), "category": fields["category"], "urgency": fields["urgency"],
        "severity": fields["severity"], "certainty": fields["certainty"],
        "headline_id": fields["headline"]["id"].strip(), "headline_en": fields["headline"]["en"].strip(),
        "description_id": fields["description"]["id"].strip(),
        "description_en": fields["description"]["en"].strip(),
        "instruction_id": (instruction.get("id") or "").strip() or None,
        "instruction_en": (instruction.get("en") or "").strip() or None,
        "effective": effective, "expires": expires, **check_area(fields["area"]),
    }


# --- Issuing ------------------------------------------------------------------------------------

def _new_message(user: toolkit.Account, msg_type: str, content: dict, now, *, references: Alert | None = None,
                 note: str | None = None) -> Alert:
    """Add one message (identifier, sender and sent fixed here for good), audit it, and queue its
    fan-out to the area's citizens (run once the caller commits)."""
    alert = Alert(identifier=f"ragem-112-{uuid.uuid4().hex}", sender=settings.CAP_SENDER.value(), sent=now,
                  msg_type=msg_type, references_id=references.id if references else None, note=note,
                  issued_by=user.id, issuer_opd=user.opd_code, **content)
    toolkit.db.session.add(alert)
    toolkit.db.session.flush()
    toolkit.audit(f"darurat112.alert.{msg_type.lower()}", "darurat112_alert", str(alert.id),
                  after={"identifier": alert.identifier, "msg_type": msg_type, "event": alert.event,
                         "severity": alert.severity, "references": references.identifier if references else None,
                         "kecamatan": alert.kecamatan_codes, "kelurahan": alert.kelurahan_codes,
                         "expires": toolkit.isoformat_z(alert.expires)},
                  reason=note, actor=user)
    toolkit.enqueue(alert_fanout.fan_out_alert, alert.id)
    return alert


def issue(user: toolkit.Account, **fields) -> Alert:
    """Issue a new alert (CAP msgType Alert); commits."""
    now = toolkit.utcnow().replace(microsecond=0)
    alert = _new_message(user, "Alert", _content(fields, now), now)
    toolkit.db.session.commit()
    return alert


def _replace(alert_id: int, now) -> Alert:
    """The current message ``alert_id``, marked superseded at ``now`` in the same statement that checks
    it is still current (so of two officers replacing it at once, one gets 409)."""
    original = get_alert(alert_id)
    claimed = toolkit.db.session.execute(
        update(Alert).where(Alert.id == original.id, Alert.superseded_at.is_(None), Alert.msg_type != "Cancel")
        .values(superseded_at=now)
    ).rowcount
    if claimed != 1:
        toolkit.db.session.rollback()
        raise toolkit.Conflict("alert_superseded", MSG_SUPERSEDED, details={"alert_id": alert_id})
    toolkit.db.session.refresh(original)
    return original


def update_alert(alert_id: int, user: toolkit.Account, **fields) -> Alert:
    """A new version of a current alert (CAP msgType Update, referencing it); the body is the whole new
    content. 409 ``alert_superseded`` when the alert was already updated, cancelled or is a
    cancellation. Commits."""
    now = toolkit.utcnow().replace(microsecond=0)
    content = _content(fields, now)  # checked before anything is claimed
    original = _replace(alert_id, now)
    alert = _new_message(user, "Update", content, now, references=original)
    toolkit.db.session.commit()
    return alert


def cancel(alert_id: int, user: toolkit.Account, *, note: str) -> Alert:
    """Withdraw a current alert (CAP msgType Cancel, referencing it, with the reason as ``<note>``); the
    cancellation repeats the alert's content so a reader sees what is withdrawn. Commits."""
    now = toolkit.utcnow().replace(microsecond=0)
    original = _replace(alert_id, now)
    content = {column: getattr(original, column) for column in (
        "event", "category", "urgency", "severity", "certainty", "headline_id", "headline_en", "description_id",
        "description_en", "instruction_id", "instruction_en", "effective", "kecamatan_codes", "kelurahan_codes",
        "circle", "polygon")}
    # A withdrawn alert ends now (the original's expiry may be past already: keep the earlier one).
    content["expires"] = max(min(original.expires, now), original.effective + timedelta(seconds=1))
    alert = _new_message(user, "Cancel", content, now, references=original, note=note.strip())
    toolkit.db.session.commit()
    return alert


# --- Reading ------------------------------------------------------------------------------------

def get_alert(alert_id: int) -> Alert:
    """Any message by id (public: alerts are for everyone); 404 when unknown."""
    alert = toolkit.db.session.get(Alert, alert_id) if 0 < alert_id < 2**31 else None
    if alert is None:
        raise toolkit.NotFound(details={"alert_id": alert_id})
    return alert


def current_filter(now):
    """Messages in force at ``now``: not replaced, not a cancellation, not expired."""
    return (Alert.superseded_at.is_(None), Alert.msg_type != "Cancel", Alert.expires > now)


def list_alerts(*, active: bool, limit: int, cursor: str | None):
    """Messages newest first: only those in force (``active``), or every message ever sent."""
    stmt = select(Alert)
    if active:
        stmt = stmt.where(*current_filter(toolkit.utcnow()))
    return toolkit.paginate(toolkit.db.session, stmt, [Alert.sent, Alert.id], limit=limit,
                            cursor=cursor)


def current_alerts(limit: int = 200) -> list[Alert]:
    """The messages in force, newest first (the Atom index lists them all; a city has a handful)."""
    return list(toolkit.db.session.scalars(
        select(Alert).where(*current_filter(toolkit.utcnow())).order_by(Alert.sent.desc(), Alert.id.desc())
        .limit(limit)))


def kelurahan_of_area(alert: Alert) -> list[str]:
    """Every kelurahan the area covers: those named, and all of each named kecamatan."""
    codes = set(alert.kelurahan_codes)
    for kecamatan in alert.kecamatan_codes:
        codes.update(region.code for region in toolkit.regions(level="kelurahan", parent=kecamatan))
    return sorted(codes)
