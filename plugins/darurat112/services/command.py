"""The command centre's steps on an incident: claim, triage, mark prank/silent/duplicate, dispatch, close."""
from __future__ import annotations

from sqlalchemy import select, update

from ragem import toolkit

from plugins.darurat112.access import command_incident
from plugins.darurat112.models import DISPATCH_DONE, Dispatch, Incident
from plugins.darurat112.services import blocks, timeline
from plugins.darurat112.services.intake import check_location

MSG_TAKEN = {"id": "Laporan ini sudah ditangani petugas lain.", "en": "Another officer already claimed this report."}
MSG_CLAIM_FIRST = {"id": "Ambil (klaim) laporan ini terlebih dahulu.", "en": "Claim this report first."}
MSG_CLOSED = {"id": "Laporan ini sudah ditutup.", "en": "This report is already closed."}
MSG_HELP_SENT = {"id": "Bantuan sudah dikirim; tutup laporan setelah semua tim selesai.",
                 "en": "Help was dispatched; close the report once every team is done."}
MSG_OPEN_DISPATCHES = {"id": "Masih ada tim yang belum selesai atau dibatalkan.",
                       "en": "Some dispatched teams are neither completed nor cancelled."}
MSG_UNKNOWN_AGENCY = {"id": "Instansi tidak dikenal atau tidak aktif.", "en": "Unknown or inactive agency."}
MSG_ALREADY_DISPATCHED = {"id": "Instansi ini sudah dikirim ke kejadian ini.",
                          "en": "This agency is already dispatched to this incident."}
MSG_BAD_ORIGINAL = {"id": "Laporan asli tidak ditemukan atau tidak dapat dipakai.",
                    "en": "The original report does not exist or cannot be used."}
MSG_UNKNOWN_KELURAHAN = {"id": "Kelurahan tidak dikenal di Kota Serang.", "en": "Unknown kelurahan in Kota Serang."}


def claim(incident_id: int, user: toolkit.Account) -> Incident:
    """Claim a new (or held) incident. Two call-takers claiming at once never both succeed: one
    conditional UPDATE decides, the other gets 409 ``already_claimed``."""
    incident = command_incident(incident_id)
    now = toolkit.utcnow()
    session = toolkit.db.session
    won = session.execute(
        update(Incident).where(Incident.id == incident.id, Incident.state.in_(("new", "held")),
                               Incident.claimed_by.is_(None))
        .values(state="claimed", claimed_by=user.id, claimed_at=now, changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        session.rollback()
        session.refresh(incident)
        raise toolkit.Conflict("already_claimed", MSG_TAKEN,
                               details={"state": incident.state, "claimed": incident.claimed_by is not None})
    session.refresh(incident)
    timeline.public_step(incident, kind="claimed", actor="command_centre", actor_id=user.id,
                         message=timeline.MSG_CLAIMED)
    toolkit.audit("darurat112.incident.claim", "darurat112_incident", str(incident.id), actor=user)
    session.commit()
    return incident


def _working(incident: Incident) -> None:
    """Only a claimed or dispatched incident is worked on (409 otherwise)."""
    if incident.state == "closed":
        raise toolkit.Conflict("incident_closed", MSG_CLOSED, details={"state": incident.state})
    if incident.state in ("new", "held"):
        raise toolkit.Conflict("not_claimed", MSG_CLAIM_FIRST, details={"state": incident.state})


def triage(incident_id: int, user: toolkit.Account, *, priority: int | None = None, type: str | None = None,
           lat: float | None = None, lon: float | None = None, kelurahan: str | None = None,
           note: str | None = None) -> Incident:
    """Set the priority (1-4), correct the type, verify the location and its kelurahan, note what was
    learnt (the note is internal); each change is on the timeline."""
    incident = command_incident(incident_id)
    _working(incident)
    changes: dict = {}
    if lat is not None or lon is not None:
        check_location(lat, lon)
        incident.lat, incident.lon, incident.location_verified = lat, lon, True
        changes["location"] = [lat, lon]
    if kelurahan is not None:
        region = toolkit.region(kelurahan)
        if region is None or region.level != "kelurahan":
            raise toolkit.ValidationError(message=MSG_UNKNOWN_KELURAHAN, details={"kelurahan": kelurahan})
        incident.kelurahan_code, incident.kecamatan_code = kelurahan, region.parent_code
        incident.location_verified = True
        changes["kelurahan"] = kelurahan
    if priority is not None:
        changes["priority"] = [incident.priority, priority]
        incident.priority = priority
    if type is not None:
        changes["type"] = [incident.type, type]
        incident.type = type
    timeline.append(incident, kind="triaged", actor="command_centre", actor_id=user.id,
                    message=(note or "").strip() or None, data=changes)
    toolkit.db.session.commit()
    return incident


def mark(incident_id: int, user: toolkit.Account, *, as_: str, duplicate_of: int | None = None,
         note: str | None = None) -> Incident:
    """Close a claimed incident as ``prank``, ``silent`` or ``duplicate`` (merged into ``duplicate_of``,
    whose timeline records the merge). Prank and silent count towards blocking the number and account.
    409 once help was dispatched."""
    incident = command_incident(incident_id)
    _working(incident)
    if incident.state == "dispatched":
        raise toolkit.Conflict("help_dispatched", MSG_HELP_SENT, details={"state": incident.state})
    message = timeline.MSG_CLOSED[as_]
    original = None
    if as_ == "duplicate":
        original = command_incident(duplicate_of) if duplicate_of else None
        if original is None or original.id == incident.id or original.outcome == "duplicate":
            raise toolkit.ValidationError(message=MSG_BAD_ORIGINAL, details={"duplicate_of": duplicate_of})
        incident.duplicate_of_id = original.id
        message = {lang: text.format(original=original.number) for lang, text in message.items()}
    incident.state, incident.outcome, incident.closed_at = "closed", as_, toolkit.utcnow()
    data = {"outcome": as_, "duplicate_of": original.number if original else None}
    timeline.public_step(incident, kind="closed", actor="command_centre", actor_id=user.id, message=message,
                         data=data)
    if note and note.strip():
        timeline.append(incident, kind="note", actor="command_centre", actor_id=user.id, message=note.strip())
    if original is not None:
        timeline.append(original, kind="merged", actor="command_centre", actor_id=user.id,
                        data={"merged": incident.number})
    if as_ in ("prank", "silent"):
        blocks.after_nuisance(incident)
    toolkit.audit("darurat112.incident.mark", "darurat112_incident", str(incident.id), after=data, actor=user)
    toolkit.db.session.commit()
    return incident


def dispatch(incident_id: int, user: toolkit.Account, *, agencies: list[str], note: str | None = None) -> Incident:
    """Send one or more agencies (OPD codes: ``DAMKAR``, ``POLRESTA``, ``DINKES``, ``BPBD``...), each
    with its own dispatch; the reporter is told who is coming."""
    incident = command_incident(incident_id)
    _working(incident)
    session = toolkit.db.session
    codes = list(dict.fromkeys(code.strip().upper() for code in agencies))
    for code in codes:
        row = toolkit.opd(code)
        if row is None or not row.active:
            raise toolkit.ValidationError(message=MSG_UNKNOWN_AGENCY, details={"agencies": code[:20]})
    active = set(session.scalars(select(Dispatch.agency_code).where(
        Dispatch.incident_id == incident.id, Dispatch.state.not_in(DISPATCH_DONE))))
    if active & set(codes):
        raise toolkit.Conflict("already_dispatched", MSG_ALREADY_DISPATCHED,
                               details={"agencies": sorted(active & set(codes))})
    now = toolkit.utcnow()
    for code in codes:
        session.add(Dispatch(incident_id=incident.id, agency_code=code, state="dispatched", dispatched_by=user.id,
                             created_at=now))
    incident.state = "dispatched"
    incident.dispatched_at = incident.dispatched_at or now
    names = [timeline.agency_name(code) for code in codes]
    message = {lang: timeline.MSG_DISPATCHED[lang].format(agencies=", ".join(n[lang] for n in names))
               for lang in ("id", "en")}
    timeline.public_step(incident, kind="dispatched", actor="command_centre", actor_id=user.id, message=message,
                         data={"agencies": codes})
    if note and note.strip():
        timeline.append(incident, kind="note", actor="command_centre", actor_id=user.id, message=note.strip())
    for code in codes:
        for officer_id in toolkit.account_ids_with_role("officer", opd=code):
            toolkit.notify(officer_id, kind="darurat112.dispatch", service="darurat112",
                           title={"id": f"Tugas 112: {incident.number}", "en": f"112 dispatch: {incident.number}"},
                           body={"id": f"Kejadian {incident.type}, prioritas P{incident.priority}.",
                                 "en": f"Incident {incident.type}, priority P{incident.priority}."},
                           data={"incident_id": incident.id})
    toolkit.audit("darurat112.incident.dispatch", "darurat112_incident", str(incident.id),
                  after={"agencies": codes}, actor=user)
    session.commit()
    return incident


def close(incident_id: int, user: toolkit.Account, *, outcome: str, note: str | None = None) -> Incident:
    """Close a claimed or dispatched incident with an outcome once every dispatch is completed or
    cancelled (409 ``dispatches_open`` otherwise)."""
    incident = command_incident(incident_id)
    _working(incident)
    open_dispatches = [d.agency_code for d in incident.dispatches if d.state not in DISPATCH_DONE]
    if open_dispatches:
        raise toolkit.Conflict("dispatches_open", MSG_OPEN_DISPATCHES, details={"agencies": open_dispatches})
    incident.state, incident.outcome, incident.closed_at = "closed", outcome, toolkit.utcnow()
    timeline.public_step(incident, kind="closed", actor="command_centre", actor_id=user.id,
                         message=timeline.MSG_CLOSED[outcome], data={"outcome": outcome})
    if note and note.strip():
        timeline.append(incident, kind="note", actor="command_centre", actor_id=user.id, message=note.strip())
    toolkit.audit("darurat112.incident.close", "darurat112_incident", str(incident.id), after={"outcome": outcome},
                  actor=user)
    toolkit.db.session.commit()
    return incident
