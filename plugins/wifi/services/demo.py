"""Demo hotspots for ``ragem serve --demo``: the Taman Digital at the alun-alun and a few more public
places of Kota Serang, each with a NAS identifier a test hotspot controller can use."""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.wifi.models import Hotspot, HotspotNas

# name, kelurahan (Kemendagri code), (lat, lon), address, SSIDs, NAS identifier
DEMO_HOTSPOTS = (
    ("Taman Digital Alun-alun Serang", "36.73.01.1001", (-6.1207, 106.1503), "Alun-alun Barat, Kota Serang",
     ["SerangKota-TamanDigital"], "taman-digital-alun-alun"),
    ("Stadion Maulana Yusuf", "36.73.01.1006", (-6.1162, 106.1489), "Jl. Stadion, Kota Serang",
     ["SerangKota-Free"], "stadion-maulana-yusuf"),
    ("Kawasan Banten Lama", "36.73.02.1007", (-6.0354, 106.1534), "Kasemen, Kota Serang",
     ["SerangKota-Free"], "banten-lama"),
)


def ensure_demo_hotspots(session) -> int:
    """Add the demo hotspots that are missing; how many were added."""
    added = 0
    for name, kelurahan, (lat, lon), address, ssids, nas in DEMO_HOTSPOTS:
        if session.scalar(select(Hotspot.id).where(Hotspot.name == name)) is not None:
            continue
        if toolkit.region(kelurahan) is None:
            kelurahan = None  # reference data without that code: keep the hotspot, unplaced
        hotspot = Hotspot(name=name, kelurahan_code=kelurahan, lat=lat, lon=lon, address=address, ssids=ssids,
                          status="active", quiet_hours=24, created_at=toolkit.utcnow(), updated_at=toolkit.utcnow())
        session.add(hotspot)
        session.flush()
        if session.scalar(select(HotspotNas.id).where(HotspotNas.identifier == nas)) is None:
            session.add(HotspotNas(hotspot_id=hotspot.id, identifier=nas))
        added += 1
    return added
