"""Lists of incidents: the command centre's queue (priority, then age), its change feed, the citizen's own."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from ragem import toolkit

from plugins.darurat112.models import OPEN_STATES, Dispatch, Incident

#: A change written this recently may belong to a transaction that has not committed yet: the feed
#: sends it, but its cursor stays behind it, so the next poll sends it again rather than miss a
#: slower transaction's change stamped a moment earlier.
SETTLE = timedelta(seconds=1)
FEED_LIMIT = 200

MSG_BAD_CURSOR = {"id": "Kursor perubahan tidak valid.", "en": "The change cursor is not valid."}


def queue(*, state: list[str] | None, type: list[str] | None, channel: list[str] | None, kecamatan: str | None,
          agency: str | None, flagged: bool | None, limit: int, cursor: str | None):
    """The command centre's queue, most urgent first (priority 1 first, then the oldest), filtered;
    open incidents (held, new, claimed, dispatched) unless ``state`` says otherwise."""
    stmt = select(Incident).where(Incident.state.in_(state or OPEN_STATES))
    if type:
        stmt = stmt.where(Incident.type.in_(type))
    if channel:
        stmt = stmt.where(Incident.channel.in_(channel))
    if kecamatan:
        stmt = stmt.where(Incident.kecamatan_code == kecamatan)
    if agency:
        stmt = stmt.where(Incident.id.in_(select(Dispatch.incident_id).where(Dispatch.agency_code == agency)))
    if flagged is not None:
        stmt = stmt.where(Incident.flagged.is_(flagged))
    stmt = stmt.options(selectinload(Incident.dispatches))
    return toolkit.paginate(toolkit.db.session, stmt, [Incident.priority, Incident.created_at, Incident.id],
                            limit=limit, cursor=cursor, descending=False)


def mine(user: toolkit.Account, *, limit: int, cursor: str | None):
    """The citizen's own incidents, newest first."""
    stmt = select(Incident).where(Incident.reporter_id == user.id)
    return toolkit.paginate(toolkit.db.session, stmt, [Incident.created_at, Incident.id], limit=limit, cursor=cursor)


def _encode(at: datetime, incident_id: int) -> str:
    raw = json.dumps([at.isoformat(), incident_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> tuple[datetime, int]:
    """The position inside a feed cursor; 400 ``invalid_cursor`` for anything we did not write."""
    try:
        at, incident_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is not None or not isinstance(incident_id, int) or not 0 <= incident_id < 2**31:
            raise ValueError
        return moment, incident_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise toolkit.ApiError("invalid_cursor", MSG_BAD_CURSOR, status=400,
                               details={"changed_since": "a cursor from an earlier answer"}) from None


def changes(changed_since: str | None) -> dict:
    """Incidents changed after the cursor, oldest change first, and the cursor for the next poll.

    Without a cursor the feed starts now (load the queue first, then poll with the answer's cursor).
    ``more`` says a full page was sent: poll again at once. One index range read per poll, however
    many incidents are on record.
    """
    now = toolkit.utcnow()
    at, after_id = _decode(changed_since) if changed_since else (now - SETTLE, 0)
    rows = list(toolkit.db.session.scalars(
        # A row-value comparison: PostgreSQL reads it as one range of the (changed_at, id) index, where
        # "a > x OR (a = x AND b > y)" made it scan every incident on record (155 ms at 100,000).
        select(Incident).where(tuple_(Incident.changed_at, Incident.id) > tuple_(at, after_id))
        .order_by(Incident.changed_at, Incident.id).limit(FEED_LIMIT + 1).options(selectinload(Incident.dispatches))
    ))
    more = len(rows) > FEED_LIMIT
    rows = rows[:FEED_LIMIT]
    if more:
        position = (rows[-1].changed_at, rows[-1].id)
    else:
        settled = [row for row in rows if row.changed_at <= now - SETTLE]
        position = (settled[-1].changed_at, settled[-1].id) if settled else (at, after_id)
    return {"items": rows, "cursor": _encode(*position), "more": more}
