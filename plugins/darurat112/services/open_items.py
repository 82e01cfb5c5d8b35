"""The dashboard's count of open incidents, for the command centre (its officers and admins)."""
from __future__ import annotations

from sqlalchemy import func, select

from ragem import toolkit

from plugins.darurat112.access import COMMAND
from plugins.darurat112.models import OPEN_STATES, Incident

LABEL = {"id": "Kejadian terbuka", "en": "Open incidents"}


def open_incidents(user: toolkit.Account) -> toolkit.OpenItems | None:
    """Incidents not closed yet (held, new, claimed, dispatched) for whoever staffs the command
    centre; ``None`` for anyone else (an agency sees its dispatches on its own pages)."""
    if not toolkit.can(user, COMMAND):
        return None
    count = toolkit.db.session.scalar(select(func.count()).select_from(Incident).where(Incident.state.in_(OPEN_STATES)))
    return toolkit.OpenItems(count or 0, LABEL)
