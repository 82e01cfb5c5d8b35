"""Tables of the 112 emergency service. Every table name starts with `darurat112_`: the plugin owns them.

The timeline is the legal record of an emergency: its rows are only ever added. The guard at the
bottom of this module refuses any change or deletion of a row through the ORM, so no service
function (and no future one) can rewrite what happened.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, false, text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ragem import toolkit

#: What an emergency is about (the citizen picks one; a call-taker may correct it in triage).
TYPES = ("medical", "fire", "traffic_accident", "crime", "disaster", "fallen_tree", "electrical_hazard", "animal",
         "other")
#: How the incident reached the command centre.
CHANNELS = ("phone", "app", "sms", "walk_in")
#: The life of an incident: held (a blocked account's, waiting for review) or new, claimed by a
#: call-taker, dispatched to one or more agencies, closed with an outcome.
STATES = ("held", "new", "claimed", "dispatched", "closed")
#: States the command centre still works on (the queue's default).
OPEN_STATES = ("held", "new", "claimed", "dispatched")
#: How an incident ended.
OUTCOMES = ("resolved", "no_action_needed", "false_alarm", "prank", "silent", "duplicate", "cancelled")
#: Outcomes that count towards blocking a number or an account.
NUISANCE_OUTCOMES = ("prank", "silent")
#: The states of one agency's dispatch, in the order they happen; completed and cancelled end it.
DISPATCH_STATES = ("dispatched", "acknowledged", "en_route", "on_scene", "completed", "cancelled")
DISPATCH_DONE = ("completed", "cancelled")
#: Priorities: 1 (life at risk now) to 4 (no urgency).
PRIORITIES = (1, 2, 3, 4)
#: What a block applies to.
BLOCK_KINDS = ("msisdn", "account")


class Incident(toolkit.db.Model):
    """An emergency, raised by a citizen in the app or recorded by a call-taker from a call."""

    __tablename__ = "darurat112_incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # What the caller quotes: 112-2026-000123.
    number: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    # The citizen's account (app) or NULL (a call); NULL too once the account is erased.
    reporter_id: Mapped[str | None] = mapped_column(String(36))
    # Who to call back: from the profile (app) or the line (call), E.164. Personal data: stored only
    # sealed (docs/privacy.md) and erased with the account. The number keeps a keyed hash because
    # prank control counts and blocks per number; the name is only ever read back.
    caller_name_ciphertext: Mapped[str | None] = mapped_column(Text)
    caller_name = toolkit.sealed("caller_name")
    caller_msisdn_hash: Mapped[str | None] = mapped_column(String(64))
    caller_msisdn_ciphertext: Mapped[str | None] = mapped_column(Text)
    caller_msisdn = toolkit.sealed("caller_msisdn", lookup=toolkit.lookup_hash)
    # The call-taker who recorded a call (NULL for the app).
    recorded_by: Mapped[str | None] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    # A blocked account's or number's incident, held for review (it stays flagged once reviewed).
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    kelurahan_code: Mapped[str | None] = mapped_column(String(20))
    kecamatan_code: Mapped[str | None] = mapped_column(String(20))
    # A call-taker checked the location (triage).
    location_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    claimed_by: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)  # the first dispatch
    on_scene_at: Mapped[datetime | None] = mapped_column(DateTime)  # the first team on scene
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("darurat112_incident.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    # Every change sets it: the command centre's change feed reads what moved since its last poll.
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    duplicate_of: Mapped[Incident | None] = relationship(viewonly=True, remote_side="Incident.id")
    timeline: Mapped[list[IncidentTimelineEntry]] = relationship(
        viewonly=True, order_by="[IncidentTimelineEntry.at, IncidentTimelineEntry.id]")
    dispatches: Mapped[list[Dispatch]] = relationship(viewonly=True, order_by="Dispatch.id")
    photos: Mapped[list[IncidentPhoto]] = relationship(viewonly=True, order_by="IncidentPhoto.id")

    __table_args__ = (
        # The queue: open incidents by priority, then oldest first (keyset pagination walks it).
        Index("ix_darurat112_incident_state_priority", "state", "priority", "created_at", "id"),
        Index("ix_darurat112_incident_priority", "priority", "created_at", "id"),
        # The change feed: a screen polling every two seconds reads only the newest end of this index.
        Index("ix_darurat112_incident_changed", "changed_at", "id"),
        # The citizen's own list, newest first.
        Index("ix_darurat112_incident_reporter", "reporter_id", "created_at", "id"),
        # Prank control counts an account's or a number's recent nuisance outcomes.
        Index("ix_darurat112_incident_msisdn_closed", "caller_msisdn_hash", "closed_at"),
        Index("ix_darurat112_incident_reporter_closed", "reporter_id", "closed_at"),
        # KPIs for a period.
        Index("ix_darurat112_incident_created", "created_at"),
    )


class IncidentTimelineEntry(toolkit.db.Model):
    """One step in an incident's life, stamped by the server; rows are only ever added.

    ``public`` entries are what the reporter sees; the others (call-taker notes, internal steps)
    only the command centre and the agencies. A citizen's words are never linked to the account
    here (``actor`` says ``reporter``), so erasure has nothing to rewrite in the timeline.
    """

    __tablename__ = "darurat112_timeline_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("darurat112_incident.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    # reporter | command_centre | agency | system
    actor: Mapped[str] = mapped_column(String(16), nullable=False)
    # The staff account (never a citizen's): who claimed, dispatched, noted.
    actor_id: Mapped[str | None] = mapped_column(String(36))
    # created | held | claimed | triaged | information | note | photo | dispatched | dispatch_update |
    # merged | closed
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)  # the incident's state after this step
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # A message RAGEM wrote has both languages; someone's own words are in ``message`` alone.
    message: Mapped[str | None] = mapped_column(Text)
    message_en: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_darurat112_timeline_entry_incident", "incident_id", "at", "id"),)


class Dispatch(toolkit.db.Model):
    """One agency sent to an incident, with its own state, moved along by that agency's officers."""

    __tablename__ = "darurat112_dispatch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("darurat112_incident.id"), nullable=False)
    agency_code: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False)
    dispatched_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(DateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)

    incident: Mapped[Incident] = relationship(viewonly=True)

    __table_args__ = (
        # An agency's officers see their dispatches; authorisation looks one up by (incident, agency).
        Index("ix_darurat112_dispatch_agency", "agency_code", "created_at", "id"),
        Index("ix_darurat112_dispatch_incident", "incident_id", "agency_code"),
    )


class IncidentPhoto(toolkit.db.Model):
    """A photo sent after an incident was raised (the bytes are in the core storage, EXIF stripped)."""

    __tablename__ = "darurat112_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("darurat112_incident.id"), nullable=False)
    uploader_id: Mapped[str | None] = mapped_column(String(36))
    file_id: Mapped[str] = mapped_column(String(64), nullable=False)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (Index("ix_darurat112_photo_incident", "incident_id", "id"),)


class IncidentIdempotencyRecord(toolkit.db.Model):
    """An incident's Idempotency-Key, so a retried request on a bad network never raises a second one."""

    __tablename__ = "darurat112_idempotency_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    incident_id: Mapped[int] = mapped_column(ForeignKey("darurat112_incident.id"), nullable=False)
    # SHA-256 (hex) of the request's fields: the same key with another body is refused.
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_darurat112_idempotency_record_user_key"),)


class Block(toolkit.db.Model):
    """A caller number or an account blocked after too many prank or silent calls, until it expires
    or a supervisor lifts it."""

    __tablename__ = "darurat112_block"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # msisdn | account
    # The E.164 number or the account id, sealed: the telephony system's check finds a number by
    # its keyed hash, supervisors see it masked. An account id is sealed the same way, so both
    # kinds share one column and one look-up.
    value_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    value_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    value = toolkit.sealed("value", lookup=toolkit.lookup_hash)
    # How many prank/silent outcomes within the window triggered it.
    nuisance_count: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(36))
    lift_reason: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        Index("ix_darurat112_block_value", "kind", "value_hash", "expires_at"),
        Index("ix_darurat112_block_created", "created_at", "id"),
    )


#: The permissions an admin grants to named accounts (they have no role or OPD that implies them).
GRANTABLE = ("darurat112.supervise", "darurat112.telephony")


class StaffGrant(toolkit.db.Model):
    """A 112 permission an admin granted to one account: a command-centre supervisor, or the account of
    a telephony system. Revoking keeps the row (who held it, when, why), so the history stays."""

    __tablename__ = "darurat112_staff_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(36), nullable=False)
    permission: Mapped[str] = mapped_column(String(40), nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    granted_by: Mapped[str | None] = mapped_column(String(36))  # NULL: converted from the old settings
    granted_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(36))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        # The permission check looks up the account's grants in force; at most one per permission.
        Index("uq_darurat112_staff_grant_active", "account_id", "permission", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        Index("ix_darurat112_staff_grant_granted", "granted_at", "id"),
    )


# --- The timeline is append-only --------------------------------------------------------------

class TimelineImmutable(RuntimeError):
    """Someone tried to change or delete a timeline entry: a programming error, never a client's."""


@event.listens_for(IncidentTimelineEntry, "before_update")
def _refuse_update(_mapper, _connection, entry: IncidentTimelineEntry) -> None:
    """A flushed change to a loaded entry."""
    raise TimelineImmutable(f"darurat112 timeline entry {entry.id} cannot be changed")


@event.listens_for(IncidentTimelineEntry, "before_delete")
def _refuse_delete(_mapper, _connection, entry: IncidentTimelineEntry) -> None:
    """``session.delete(entry)``."""
    raise TimelineImmutable(f"darurat112 timeline entry {entry.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    """``session.execute(update(IncidentTimelineEntry)...)`` or ``delete(IncidentTimelineEntry)``: the mapper events
    above never see these, so the statement is refused before it runs."""
    if (state.is_update or state.is_delete) and any(m.class_ is IncidentTimelineEntry for m in state.all_mappers):
        raise TimelineImmutable("darurat112 timeline entries cannot be changed or deleted")


# --- Public alerts (OASIS CAP 1.2) -----------------------------------------------------------

#: CAP 1.2 enumerations, spelt as the standard spells them (they go into the XML unchanged).
CAP_CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                  "CBRNE", "Other")
CAP_URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CAP_CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
#: An alert, a later version of one, or its withdrawal (CAP ``<msgType>``).
CAP_MSG_TYPES = ("Alert", "Update", "Cancel")


class Alert(toolkit.db.Model):
    """One CAP 1.2 message to the public: an alert, an update of one, or a cancellation.

    A message is never changed once issued (CAP messages are immutable): an update or a cancellation
    is a new row whose ``references_id`` names the message it replaces, and the replaced one gets
    ``superseded_at``. The content is stored in both languages; ``services/cap.py`` renders it.
    """

    __tablename__ = "darurat112_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # CAP <identifier> and <sender>: fixed when issued, so references to it stay valid for good.
    identifier: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    sender: Mapped[str] = mapped_column(String(120), nullable=False)
    sent: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    msg_type: Mapped[str] = mapped_column(String(8), nullable=False)
    references_id: Mapped[int | None] = mapped_column(ForeignKey("darurat112_alert.id"))
    # Set when an update or a cancellation replaces this message: it is no longer current.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Why a message was cancelled (CAP <note>).
    note: Mapped[str | None] = mapped_column(String(300))
    issued_by: Mapped[str | None] = mapped_column(String(36))
    issuer_opd: Mapped[str | None] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(120), nullable=False)
    category: Mapped[str] = mapped_column(String(12), nullable=False)
    urgency: Mapped[str] = mapped_column(String(12), nullable=False)
    severity: Mapped[str] = mapped_column(String(12), nullable=False)
    certainty: Mapped[str] = mapped_column(String(12), nullable=False)
    headline_id: Mapped[str] = mapped_column(String(160), nullable=False)
    headline_en: Mapped[str] = mapped_column(String(160), nullable=False)
    description_id: Mapped[str] = mapped_column(Text, nullable=False)
    description_en: Mapped[str] = mapped_column(Text, nullable=False)
    instruction_id: Mapped[str | None] = mapped_column(Text)
    instruction_en: Mapped[str | None] = mapped_column(Text)
    effective: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    expires: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # The area: Kemendagri codes (lists of strings), and optionally a CAP circle ("lat,lon radius_km")
    # and polygon ("lat,lon lat,lon ..." closed ring), kept in their CAP text form.
    kecamatan_codes: Mapped[list] = mapped_column(JSON, nullable=False)
    kelurahan_codes: Mapped[list] = mapped_column(JSON, nullable=False)
    circle: Mapped[str | None] = mapped_column(String(80))
    polygon: Mapped[str | None] = mapped_column(Text)

    references: Mapped[Alert | None] = relationship(viewonly=True, remote_side="Alert.id")

    __table_args__ = (
        # The public list: current alerts, newest first (keyset pagination walks it).
        Index("ix_darurat112_alert_current", "superseded_at", "expires", "sent", "id"),
        Index("ix_darurat112_alert_sent", "sent", "id"),
    )


class AlertDelivery(toolkit.db.Model):
    """A citizen told about an alert message in their inbox: at most one row per (message, citizen), so
    a retried fan-out job never notifies anyone twice."""

    __tablename__ = "darurat112_alert_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("darurat112_alert.id"), nullable=False)
    account_id: Mapped[str] = mapped_column(String(36), nullable=False)
    delivered_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (UniqueConstraint("alert_id", "account_id", name="uq_darurat112_alert_delivery_alert_account"),)
