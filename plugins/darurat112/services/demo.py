"""Demo incidents for ``ragem serve --demo``: a few raised by the demo citizens and one phone call, in
different states, so the command centre's queue, the agencies' dispatches and the citizens' timelines
show something on a fresh install.

Raised through the same functions as real incidents, each app incident with its own Idempotency-Key:
a second ``ragem demo load`` finds them and changes nothing.
"""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.darurat112.models import Incident
from plugins.darurat112.services import command, dispatches, intake

# key, citizen, type, (lat, lon), accuracy, address, description, how far the command centre got
DEMO_INCIDENTS = (
    ("demo-112-1", "citizen1", "fire", (-6.1189, 106.1558), 12.0, "Jl. Pasar Rau",
     "Asap tebal keluar dari kios di Pasar Rau.", None),
    ("demo-112-2", "citizen2", "medical", (-6.1207, 106.1503), 25.0, "Alun-alun Serang",
     "Seorang bapak pingsan di dekat alun-alun.", "claimed"),
    ("demo-112-3", "citizen3", "traffic_accident", (-6.1025, 106.1761), 8.0, "Jl. Maulana Hasanudin",
     "Tabrakan dua motor, satu orang terluka.", "en_route"),
    ("demo-112-4", "citizen1", "fallen_tree", (-6.1339, 106.1614), 30.0, "Perumahan Cipare",
     "Pohon tumbang menutup jalan setelah hujan deras.", "closed"),
)
DEMO_PRANK = "Panggilan iseng: penelepon tertawa lalu menutup telepon."


def ensure_demo_incidents() -> int:
    """Raise the demo incidents that are missing and move the new ones along; returns how many were raised."""
    try:
        taker = toolkit.demo_user("officer-DISKOMINFO")
    except LookupError:
        return 0  # the demo accounts come first
    raised = 0
    for key, citizen, type_, (lat, lon), accuracy, address, description, progress in DEMO_INCIDENTS:
        incident, created = intake.raise_incident(toolkit.demo_user(citizen), idempotency_key=key, type=type_, lat=lat,
                                                  lon=lon, accuracy_m=accuracy, address=address,
                                                  description=description)
        if not created:
            continue
        raised += 1
        if progress is None:
            continue
        command.claim(incident.id, taker)
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


def _officer(agency: str):
    """The demo officer of ``agency``, if the demo has one."""
    try:
        return toolkit.demo_user(f"officer-{agency}")
    except LookupError:
        return None
