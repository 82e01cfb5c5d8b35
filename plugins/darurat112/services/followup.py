"""What the citizen does after raising an incident: add information, send a photo, cancel."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem import toolkit

from plugins.darurat112.access import own_incident
from plugins.darurat112.models import IncidentPhoto
from plugins.darurat112.services import timeline

MAX_PHOTOS = 5
PHOTO_TYPES = ("image/jpeg", "image/png")

MSG_CLOSED = {"id": "Laporan ini sudah ditutup.", "en": "This report is already closed."}
MSG_ON_THE_WAY = {
    "id": "Bantuan sudah dikirim dan tidak dapat dibatalkan di aplikasi. Hubungi 112 untuk membatalkan.",
    "en": "Help is already on its way and cannot be cancelled in the app. Call 112 to cancel.",
}
MSG_TOO_MANY_PHOTOS = {"id": f"Paling banyak {MAX_PHOTOS} foto per laporan.",
                       "en": f"At most {MAX_PHOTOS} photos per report."}


def _open(incident) -> None:
    if incident.state == "closed":
        raise toolkit.Conflict("incident_closed", MSG_CLOSED, details={"state": incident.state})


def add_information(incident_id: int, user: toolkit.Account, *, message: str):
    """The reporter adds what they learnt (on the public timeline, as written); 409 once closed."""
    incident = own_incident(incident_id, user)
    _open(incident)
    timeline.append(incident, kind="information", actor="reporter", public=True, message=message.strip())
    toolkit.db.session.commit()
    return incident


def cancel(incident_id: int, user: toolkit.Account, *, reason: str | None = None):
    """The reporter cancels before help is sent (closed with outcome ``cancelled``); 409 once help was
    dispatched (the command centre must hear it by phone) or the incident is closed."""
    incident = own_incident(incident_id, user)
    _open(incident)
    if incident.state == "dispatched":
        raise toolkit.Conflict("help_dispatched", MSG_ON_THE_WAY, details={"state": incident.state})
    incident.state, incident.outcome, incident.closed_at = "closed", "cancelled", toolkit.utcnow()
    timeline.public_step(incident, kind="closed", actor="reporter", message=timeline.MSG_CLOSED["cancelled"],
                         data={"outcome": "cancelled", "reason": (reason or "").strip() or None})
    toolkit.audit("darurat112.incident.cancel", "darurat112_incident", str(incident.id), actor=user)
    toolkit.db.session.commit()
    return incident


def add_photo(incident_id: int, user: toolkit.Account, upload) -> IncidentPhoto:
    """The reporter sends a photo after raising the incident (checked by its bytes, EXIF removed);
    409 once closed or when the incident has its five photos."""
    incident = own_incident(incident_id, user)
    _open(incident)
    session = toolkit.db.session
    if (session.scalar(select(func.count()).select_from(IncidentPhoto).where(IncidentPhoto.incident_id == incident.id)) or 0) >= MAX_PHOTOS:
        raise toolkit.Conflict("too_many_photos", MSG_TOO_MANY_PHOTOS, details={"max": MAX_PHOTOS})
    stored = toolkit.save_upload(upload, owner_id=user.id, purpose="darurat112.photo", allowed=PHOTO_TYPES)
    photo = IncidentPhoto(incident_id=incident.id, uploader_id=user.id, file_id=stored.id, content_type=stored.content_type)
    session.add(photo)
    session.flush()
    timeline.append(incident, kind="photo", actor="reporter", public=True, data={"photo_id": photo.id})
    session.commit()
    return photo
