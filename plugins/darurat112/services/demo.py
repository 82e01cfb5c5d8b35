"""Demo incidents for ``ragem serve --demo``: a few raised by the demo citizens and one phone call, in
different states, so the command centre's queue, the agencies' dispatches and the citizens' timelines
show something on a fresh install; and one public alert in force (a flood warning).

Raised through the same functions as real incidents, each app incident with its own Idempotency-Key:
a second ``ragem demo load`` finds them and changes nothing.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ragem import toolkit

from plugins.darurat112.models import Alert, Incident
from plugins.darurat112.services import alerts, command, dispatches, intake

# key, citizen, type, (lat, lon), accuracy, address, description, how far the command centre got,
# the kelurahan (Kemendagri code) the point lies in
DEMO_INCIDENTS = (
    ("demo-112-1", "citizen1", "fire", (-6.1189, 106.1558), 12.0, "Jl. Pasar Rau",
     "Asap tebal keluar dari kios di Pasar Rau.", None, "36.73.01.1006"),
    ("demo-112-2", "citizen2", "medical", (-6.1207, 106.1503), 25.0, "Alun-alun Serang",
     "Seorang bapak pingsan di dekat alun-alun.", "claimed", "36.73.01.1001"),
    ("demo-112-3", "citizen3", "traffic_accident", (-6.1025, 106.1761), 8.0, "Jl. Maulana Hasanudin",
     "Tabrakan dua motor, satu orang terluka.", "en_route", "36.73.01.1003"),
    ("demo-112-4", "citizen1", "fallen_tree", (-6.1339, 106.1614), 30.0, "Perumahan Cipare",
     "Pohon tumbang menutup jalan setelah hujan deras.", "closed", "36.73.01.1002"),
)
DEMO_PRANK = "Panggilan iseng: penelepon tertawa lalu menutup telepon."


def ensure_demo_incidents() -> int:
    """Raise the demo incidents that are missing and move the new ones along; returns how many were raised."""
    try:
        taker = toolkit.demo_user("officer-DISKOMINFO")
    except LookupError:
        return 0  # the demo accounts come first
    raised = 0
    for key, citizen, type_, (lat, lon), accuracy, address, description, progress, kelurahan in DEMO_INCIDENTS:
        incident, created = intake.raise_incident(toolkit.demo_user(citizen), idempotency_key=key, type=type_, lat=lat,
                                                  lon=lon, accuracy_m=accuracy, address=address,
                                                  description=description)
        if not created:
            _place(incident, kelurahan)  # a demo loaded before incidents had their area
            continue
        raised += 1
        if progress is None:
            _place(incident, kelurahan)
            continue
        command.claim(incident.id, taker)
        # As a call-taker does: the kelurahan sets the kecamatan too (the queue filters by it).
        command.triage(incident.id, taker, kelurahan=kelurahan)
        if progress == "claimed":
            continue
        agency = "DINKES" if type_ == "traffic_accident" else "DPUPR"
        officer = _officer(agency)
        if officer is None or toolkit.opd(agency) is None:
            continue  # an install without that agency: the incident stays claimed
        command.dispatch(incident.id, taker, agencies=[agency])
        dispatch = incident.dispatches[0]
        steps = ("acknowledged", "en_route") if progress == "en_route" else ("acknowledged", "on_scene", "completed")
        for state in steps:
            dispatches.update_state(dispatch.id, officer, state=state)
        if progress == "closed":
            command.close(incident.id, taker, outcome="resolved")
    if toolkit.db.session.scalar(select(Incident.id).where(Incident.description == DEMO_PRANK)) is None:
        intake.record_call(taker, channel="phone", caller_number="081299990112", outcome="prank",
                           description=DEMO_PRANK)
        raised += 1
    return raised


def _place(incident: Incident, kelurahan: str) -> None:
    """Give a demo incident nobody has triaged yet its kelurahan and that kelurahan's kecamatan, so the
    queue's kecamatan filter shows it (an app report carries only coordinates until triage)."""
    region = toolkit.region(kelurahan)
    if incident.kelurahan_code is None and region is not None:
        incident.kelurahan_code, incident.kecamatan_code = kelurahan, region.parent_code
    elif incident.kelurahan_code is not None and incident.kecamatan_code is None:
        parent = toolkit.region(incident.kelurahan_code)
        incident.kecamatan_code = parent.parent_code if parent else None
    toolkit.db.session.commit()


def _officer(agency: str):
    """The demo officer of ``agency``, if the demo has one."""
    try:
        return toolkit.demo_user(f"officer-{agency}")
    except LookupError:
        return None


DEMO_ALERT_EVENT = "Banjir rob (demo)"


def ensure_demo_alert() -> bool:
    """Issue the demo flood warning unless one is in force (it lasts two days); True when issued now.

    Its area takes in Kasemen and citizen1's kelurahan, so that demo citizen finds it in the inbox."""
    current = toolkit.db.session.scalar(select(Alert.id).where(
        Alert.event == DEMO_ALERT_EVENT, *alerts.current_filter(toolkit.utcnow())).limit(1))
    if current is not None:
        return False
    try:
        officer = toolkit.demo_user("officer-DISKOMINFO")
    except LookupError:
        return False  # the demo accounts come first
    alerts.issue(
        officer, event=DEMO_ALERT_EVENT, category="Met", urgency="Expected", severity="Moderate", certainty="Likely",
        headline={"id": "Waspada banjir rob di pesisir Kasemen", "en": "Tidal flood warning on the Kasemen coast"},
        description={"id": "Pasang tinggi diperkirakan menggenangi permukiman pesisir dua hari ke depan.",
                     "en": "High tides are expected to flood coastal homes over the next two days."},
        instruction={"id": "Amankan barang berharga dan dokumen; hubungi 112 bila perlu evakuasi.",
                     "en": "Keep valuables and documents dry; call 112 if you need evacuating."},
        expires=toolkit.utcnow() + timedelta(days=2),
        area={"kecamatan": ["36.73.02"], "kelurahan": ["36.73.01.1012"], "circle": "-6.03,106.2 3"})
    return True
