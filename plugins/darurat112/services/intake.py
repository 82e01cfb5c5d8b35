"""How an incident enters the queue: raised by a citizen in the app (idempotent), or recorded by a
call-taker from a phone call, an SMS or someone walking in (silent and prank calls included)."""
from __future__ import annotations

import uuid

from ragem import toolkit

from plugins.darurat112.models import IncidentIdempotencyRecord, Incident
from plugins.darurat112.services import blocks, timeline

SLUG = "darurat112"

#: Until a call-taker triages it, an incident's priority follows its type: life first.
DEFAULT_PRIORITY = {"medical": 1, "fire": 1, "crime": 2, "traffic_accident": 2, "disaster": 1,
                    "electrical_hazard": 2, "fallen_tree": 3, "animal": 3, "other": 3}

# Kota Serang's bounding box (the toolkit's): a point outside it is a mistake or another city's emergency.
LAT_RANGE, LON_RANGE = toolkit.KOTA_SERANG_BOUNDS.lat, toolkit.KOTA_SERANG_BOUNDS.lon

MSG_KEY_REUSED = {
    "id": "Idempotency-Key ini sudah dipakai untuk laporan dengan isi lain. Kirim laporan baru dengan kunci baru.",
    "en": "This Idempotency-Key was already used for a report with another body. Send a new report with a new key.",
}
MSG_OUTSIDE = {
    "id": "Lokasi di luar Kota Serang. Untuk keadaan darurat di luar kota, hubungi 112 langsung.",
    "en": "The location is outside Kota Serang. For an emergency elsewhere, call 112 directly.",
}
MSG_NUMBER_NEEDED = {
    "id": "Nomor penelepon wajib untuk panggilan telepon dan SMS.",
    "en": "The caller's number is required for phone calls and SMS.",
}


def check_location(lat: float | None, lon: float | None) -> None:
    """Coordinates come in pairs and lie inside Kota Serang (422 otherwise)."""
    if (lat is None) != (lon is None):
        raise toolkit.ValidationError(
            message={"id": "Lintang dan bujur harus diisi bersama.", "en": "Latitude and longitude go together."},
            details={"lat": "required with lon", "lon": "required with lat"})
    if lat is not None and not toolkit.KOTA_SERANG_BOUNDS.contains(lat, lon):
        raise toolkit.ValidationError("outside_kota_serang", MSG_OUTSIDE, details={"lat": lat, "lon": lon})


#: Incidents raised from the app by Idempotency-Key: a retry gets the first incident again.
INCIDENT_KEYS = toolkit.IdempotencyKeys(
    IncidentIdempotencyRecord, answer=lambda record: toolkit.db.session.get(Incident, record.incident_id),
    message=MSG_KEY_REUSED, reused="already used for a report with another body")


def _new_incident(**columns) -> Incident:
    """Add the incident and give it its number (which needs the id); flushed, not committed."""
    now = toolkit.utcnow()
    incident = Incident(number=uuid.uuid4().hex[:24], created_at=now, changed_at=now, **columns)
    toolkit.db.session.add(incident)
    toolkit.db.session.flush()
    incident.number = f"112-{now.year}-{incident.id:06d}"
    return incident


def raise_incident(reporter: toolkit.Account, *, idempotency_key: str, type: str, lat: float, lon: float,
                   accuracy_m: float, address: str | None = None, description: str | None = None
                   ) -> tuple[Incident, bool]:
    """A citizen raises an incident from the app: ``(incident, True)``, committed before the answer.

    Name and number to call back come from the profile (the read is shown in the citizen's access
    log). A blocked account's or number's incident is not refused: it is held for a call-taker's
    review and flagged. A retry with the same ``idempotency_key`` and body returns the first
    incident: ``(incident, False)``; the same key with another body is 422 ``idempotency_key_reused``.
    """
    check_location(lat, lon)
    request = {"type": type, "lat": lat, "lon": lon, "accuracy_m": accuracy_m,
               "address": (address or "").strip() or None, "description": (description or "").strip() or None}
    return INCIDENT_KEYS.once(reporter.id, idempotency_key, request,
                              lambda print_: _raise_from_app(reporter, idempotency_key, print_, **request))


def _raise_from_app(reporter: toolkit.Account, key: str, print_: str, *, type: str, lat: float, lon: float,
                    accuracy_m: float, address: str | None, description: str | None) -> Incident:
    """The work of a first ``raise_incident`` under ``key``; committed."""
    # The name and number are kept in the incident this transaction creates and shown to nobody
    # before its commit: the citizen's access record commits with it (one commit, not two).
    profile = toolkit.read_profile(SLUG, reporter, ["name", "phone"], purpose="call the reporter back in an emergency",
                                   with_caller=True)
    msisdn = profile.get("phone")
    held = blocks.is_blocked(msisdn=msisdn, account_id=reporter.id)
    incident = _new_incident(
        channel="app", reporter_id=reporter.id, caller_name=(profile.get("name") or "")[:120] or None,
        caller_msisdn=msisdn, type=type, priority=DEFAULT_PRIORITY[type], state="held" if held else "new",
        flagged=held, lat=lat, lon=lon, accuracy_m=accuracy_m, address=address, description=description)
    INCIDENT_KEYS.claim(IncidentIdempotencyRecord(user_id=reporter.id, key=key, incident_id=incident.id,
                                                  fingerprint=print_, created_at=incident.created_at))
    timeline.public_step(incident, kind="created", actor="reporter", message=timeline.MSG_RECEIVED,
                         data={"channel": "app", "type": type}, at=incident.created_at)
    if held:
        timeline.append(incident, kind="held", actor="system",
                        message="held for review: the account or its number is on the block list")
    toolkit.audit("darurat112.incident.raise", "darurat112_incident", str(incident.id),
                  after={"channel": "app", "type": type, "held": held}, actor=reporter)
    toolkit.db.session.commit()
    return incident


def record_call(call_taker: toolkit.Account, *, channel: str, caller_number: str | None, type: str = "other",
                lat: float | None = None, lon: float | None = None, accuracy_m: float | None = None,
                address: str | None = None, description: str | None = None, caller_name: str | None = None,
                outcome: str | None = None, priority: int | None = None) -> Incident:
    """A call-taker records a call (or an SMS, or someone walking in) as an incident, claimed by them.

    ``outcome`` ``silent`` or ``prank`` closes it at once with that outcome and counts towards blocking
    the number. A number on the block list still gets through (the call-taker took it): the incident
    is flagged. Committed before the answer.
    """
    msisdn = (toolkit.normalise_phone(caller_number, field="caller_number", landline=True)
              if caller_number else None)
    if msisdn is None and channel in ("phone", "sms"):
        raise toolkit.ValidationError(message=MSG_NUMBER_NEEDED, details={"caller_number": f"required for {channel}"})
    check_location(lat, lon)
    now = toolkit.utcnow()
    nuisance = outcome in ("silent", "prank")
    incident = _new_incident(
        channel=channel, reporter_id=None, recorded_by=call_taker.id,
        caller_name=(caller_name or "").strip()[:120] or None, caller_msisdn=msisdn, type=type,
        priority=priority or DEFAULT_PRIORITY[type], state="closed" if nuisance else "claimed",
        flagged=blocks.is_blocked(msisdn=msisdn), lat=lat, lon=lon, accuracy_m=accuracy_m,
        address=(address or "").strip() or None, description=(description or "").strip() or None,
        claimed_by=call_taker.id, claimed_at=now, closed_at=now if nuisance else None, outcome=outcome)
    timeline.append(incident, kind="created", actor="command_centre", actor_id=call_taker.id,
                    data={"channel": channel, "type": type})
    if nuisance:
        timeline.append(incident, kind="closed", actor="command_centre", actor_id=call_taker.id,
                        message=timeline.MSG_CLOSED[outcome], data={"outcome": outcome})
        blocks.after_nuisance(incident)
    toolkit.audit("darurat112.incident.record", "darurat112_incident", str(incident.id),
                  after={"channel": channel, "type": type, "outcome": outcome, "flagged": incident.flagged},
                  actor=call_taker)
    toolkit.db.session.commit()
    return incident
