"""Appending to an incident's timeline, and telling the reporter what the public steps mean."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.models import Incident, IncidentTimelineEntry

SLUG = "darurat112"


def append(incident: Incident, *, kind: str, actor: str, actor_id: str | None = None, public: bool = False,
           message: dict[str, str] | str | None = None, data: dict | None = None, at=None) -> IncidentTimelineEntry:
    """Add one step to ``incident``'s timeline, stamped now by the server, and mark the incident changed
    (the change feed). ``message`` is RAGEM's own text in both languages, or someone's words as written.
    ``at`` is the server's stamp of the step when it was taken in this same request (the creation:
    the incident's own ``created_at``, so no second write marks it changed). Added to the session;
    the caller commits."""
    now = at or toolkit.utcnow()
    if isinstance(message, dict):
        text, text_en = message["id"], message["en"]
    else:
        text, text_en = message, None
    entry = IncidentTimelineEntry(incident_id=incident.id, at=now, actor=actor, actor_id=actor_id, kind=kind,
                          state=incident.state, public=public, message=text, message_en=text_en, data=data)
    toolkit.db.session.add(entry)
    if incident.changed_at != now:
        incident.changed_at = now
    return entry


def tell_reporter(incident: Incident, *, kind: str, title: dict[str, str], body: dict[str, str]) -> None:
    """An inbox message to the citizen who raised ``incident`` in the app (nobody for a call)."""
    if incident.reporter_id is None:
        return
    toolkit.notify(incident.reporter_id, kind=f"darurat112.{kind}", service=SLUG,
                   title={lang: text.format(number=incident.number) for lang, text in title.items()},
                   body=body, data={"incident_id": incident.id, "number": incident.number})


def public_step(incident: Incident, *, kind: str, message: dict[str, str], actor: str, actor_id: str | None = None,
                data: dict | None = None, at=None) -> IncidentTimelineEntry:
    """A step the reporter sees: on the public timeline and in their inbox, in their language."""
    entry = append(incident, kind=kind, actor=actor, actor_id=actor_id, public=True, message=message, data=data,
                   at=at)
    tell_reporter(incident, kind=kind, title=TITLE_UPDATE, body=message)
    return entry


TITLE_UPDATE = {"id": "Laporan darurat {number}", "en": "Emergency report {number}"}

MSG_RECEIVED = {
    "id": "Laporan darurat Anda diterima pusat komando 112 Kota Serang. Tetap di tempat yang aman.",
    "en": "Your emergency report reached the Kota Serang 112 command centre. Stay somewhere safe.",
}
MSG_CLAIMED = {
    "id": "Petugas 112 sedang menangani laporan Anda.",
    "en": "A 112 officer is handling your report.",
}
MSG_DISPATCHED = {
    "id": "Bantuan dikirim: {agencies}.",
    "en": "Help has been sent: {agencies}.",
}
MSG_DISPATCH_STATE = {
    "acknowledged": {"id": "{agency} menerima tugas.", "en": "{agency} accepted the task."},
    "en_route": {"id": "Tim {agency} dalam perjalanan.", "en": "The {agency} team is on its way."},
    "on_scene": {"id": "Tim {agency} tiba di lokasi.", "en": "The {agency} team has arrived."},
    "completed": {"id": "Tim {agency} selesai menangani.", "en": "The {agency} team has finished."},
    "cancelled": {"id": "Pengiriman {agency} dibatalkan.", "en": "The {agency} dispatch was cancelled."},
}
MSG_CLOSED = {
    "resolved": {"id": "Kejadian telah ditangani dan laporan ditutup.",
                 "en": "The incident was handled and the report is closed."},
    "no_action_needed": {"id": "Laporan ditutup: tidak diperlukan tindakan.",
                         "en": "Report closed: no action was needed."},
    "false_alarm": {"id": "Laporan ditutup: tidak ditemukan keadaan darurat.",
                    "en": "Report closed: no emergency was found."},
    "prank": {"id": "Laporan ditutup sebagai laporan palsu.", "en": "Report closed as a prank."},
    "silent": {"id": "Laporan ditutup: tidak ada keterangan dari pelapor.",
               "en": "Report closed: the caller gave no information."},
    "duplicate": {"id": "Laporan digabungkan dengan laporan {original} tentang kejadian yang sama.",
                  "en": "Report merged into report {original} about the same incident."},
    "cancelled": {"id": "Anda membatalkan laporan ini.", "en": "You cancelled this report."},
}


def agency_name(code: str) -> dict[str, str]:
    """An agency's name in both languages (its code when unknown)."""
    row = toolkit.opd(code)
    return {"id": row.name_id, "en": row.name_en} if row else {"id": code, "en": code}
