"""RADIUS accounting: one ``AccountingSession`` per ``Acct-Unique-Session-Id``, whatever the NAS resends.

FreeRADIUS builds ``Acct-Unique-Session-Id`` (the shipped site runs its ``acct_unique`` policy) from
attributes that do not change between retries. The counters in each packet are the session's running
totals, so a retried Start, Interim-Update or Stop sets the same values again: a session is counted
once and its bytes never twice. A late packet never moves counters backwards, nor reopens a stopped
session. Counters no Wi-Fi session can reach are refused (422 ``absurd_counters``) and change nothing.
"""
from __future__ import annotations

import re

from flask import Response
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ragem import toolkit

from plugins.wifi.models import AccountingSession
from plugins.wifi.services import radius
from plugins.wifi.services.radius_json import integer, invalid, reply, text

STATUS_TYPES = ("Start", "Interim-Update", "Stop", "Accounting-On", "Accounting-Off")
_UNIQUE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
#: No public Wi-Fi session lasts a week or moves a tebibyte: such counters are a broken NAS or forged.
MAX_SESSION_SECONDS = 7 * 24 * 3600
MAX_SESSION_BYTES = 2**40
MSG_ABSURD = {"id": "Penghitung sesi tidak masuk akal.", "en": "The session counters are not plausible."}


def _bytes(attributes: dict, direction: str) -> int:
    return (integer(attributes, f"Acct-{direction}-Gigawords") * 2**32
            + integer(attributes, f"Acct-{direction}-Octets"))


def record(attributes: dict) -> Response:
    """Record one accounting packet (idempotent); 204 when recorded."""
    status = text(attributes, "Acct-Status-Type")
    if status not in STATUS_TYPES:
        raise invalid("Acct-Status-Type must be one of " + ", ".join(STATUS_TYPES), attribute="Acct-Status-Type")
    hotspot = radius.find_hotspot(attributes)
    radius.mark_traffic(hotspot)
    if status in ("Accounting-On", "Accounting-Off"):
        _close_all(hotspot, status)
        toolkit.db.session.commit()
        return reply(204)
    unique_id = text(attributes, "Acct-Unique-Session-Id")
    if not unique_id or not _UNIQUE_ID.match(unique_id):
        raise invalid("Acct-Unique-Session-Id is required (1-64 letters, digits, '.', '_', ':' or '-')",
                      attribute="Acct-Unique-Session-Id")
    seconds = integer(attributes, "Acct-Session-Time")
    received, sent = _bytes(attributes, "Input"), _bytes(attributes, "Output")
    if seconds > MAX_SESSION_SECONDS or received + sent > MAX_SESSION_BYTES:
        raise toolkit.ValidationError("absurd_counters", MSG_ABSURD, details={
            "Acct-Session-Time": seconds, "bytes": received + sent})
    values = {"seconds": seconds, "received": received, "sent": sent, "status": status,
              "framed_ip": (text(attributes, "Framed-IP-Address") or "")[:45] or None,
              "cause": (text(attributes, "Acct-Terminate-Cause") or "")[:40] or None}
    session = toolkit.db.session
    row = session.scalar(select(AccountingSession).where(AccountingSession.unique_id == unique_id))
    if row is None:
        row = _new_session(attributes, unique_id, hotspot)
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # the NAS's retry raced the first packet: apply to the row it wrote
            session.rollback()
            row = session.scalar(select(AccountingSession).where(AccountingSession.unique_id == unique_id))
    _apply(row, values)
    session.commit()
    return reply(204)


def _new_session(attributes: dict, unique_id: str, hotspot) -> AccountingSession:
    now = toolkit.utcnow()
    caller = radius.find_caller((text(attributes, "User-Name") or "").strip())
    return AccountingSession(
        unique_id=unique_id, acct_session_id=(text(attributes, "Acct-Session-Id") or "")[:64] or None,
        user_id=caller.user_id if caller else None, device_id=caller.device.id if caller and caller.device else None,
        hotspot_id=hotspot.id if hotspot else None, state="open", started_at=now, updated_at=now,
        session_seconds=0, input_bytes=0, output_bytes=0, packets=0)


def _apply(row: AccountingSession, values: dict) -> None:
    """Move the session forward with one packet's totals; nothing moves backwards."""
    row.packets += 1
    row.updated_at = toolkit.utcnow()
    row.session_seconds = max(row.session_seconds, values["seconds"])
    row.input_bytes = max(row.input_bytes, values["received"])
    row.output_bytes = max(row.output_bytes, values["sent"])
    if row.state == "stopped":
        return
    if values["status"] == "Stop":
        row.state, row.stopped_at, row.framed_ip = "stopped", row.updated_at, None
        row.terminate_cause = values["cause"]
    elif values["framed_ip"]:
        row.framed_ip = values["framed_ip"]


def _close_all(hotspot, status: str) -> None:
    """The NAS restarted (Accounting-On/Off): its open sessions ended without a Stop."""
    if hotspot is None:
        return
    now = toolkit.utcnow()
    toolkit.db.session.execute(
        update(AccountingSession).where(AccountingSession.hotspot_id == hotspot.id, AccountingSession.state == "open")
        .values(state="stopped", stopped_at=now, updated_at=now, framed_ip=None, terminate_cause=f"NAS-{status}")
        .execution_options(synchronize_session=False))
