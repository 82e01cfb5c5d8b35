"""Silent hotspots: gear that stopped talking to RADIUS is probably broken or unplugged.

A periodic job flags an active hotspot with no authentication or accounting traffic for longer than
its ``quiet_hours`` (a day by default) and tells the command centre's officers
(``RAGEM_WIFI_COMMAND_CENTRE_OPDS``) in their inbox, once per outage: the flag (``silent_since``)
stays until traffic returns (``radius.mark_traffic`` clears it), and only an unflagged hotspot is
reported. A hotspot never seen is watched from its creation.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ragem import toolkit

from plugins.wifi import settings
from plugins.wifi.models import Hotspot


def check_silent_hotspots() -> list[int]:
    """Flag and report the hotspots that went silent since the last run; their ids."""
    session = toolkit.db.session
    now = toolkit.utcnow()
    flagged = []
    for hotspot in session.scalars(select(Hotspot).where(Hotspot.status == "active", Hotspot.silent_since.is_(None))):
        last = hotspot.last_seen_at or hotspot.created_at
        if now - last <= timedelta(hours=hotspot.quiet_hours):
            continue
        # Conditional, so two schedulers (or a log-in arriving now) never report one outage twice.
        claimed = session.execute(
            update(Hotspot).where(Hotspot.id == hotspot.id, Hotspot.silent_since.is_(None),
                                  Hotspot.last_seen_at.is_(hotspot.last_seen_at) if hotspot.last_seen_at is None
                                  else Hotspot.last_seen_at == hotspot.last_seen_at)
            .values(silent_since=now).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        hours = int((now - last).total_seconds() // 3600)
        for officer_id in sorted({officer for code in settings.COMMAND_CENTRE_OPDS.value()
                                  for officer in toolkit.account_ids_with_role("officer", opd=code)}):
            toolkit.notify(officer_id, kind="wifi.hotspot.silent", service="wifi",
                           title={"id": f"Hotspot senyap: {hotspot.name}", "en": f"Silent hotspot: {hotspot.name}"},
                           body={"id": f"Tidak ada lalu lintas RADIUS selama {hours} jam. Periksa perangkatnya.",
                                 "en": f"No RADIUS traffic for {hours} hours. Check its equipment."},
                           data={"hotspot_id": hotspot.id})
        toolkit.audit("wifi.hotspot.silent", "wifi_hotspot", str(hotspot.id),
                      after={"last_seen_at": toolkit.isoformat_z(hotspot.last_seen_at)}, actor=None)
        flagged.append(hotspot.id)
    session.commit()
    return flagged
