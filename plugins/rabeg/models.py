"""Tables of the RABEG service. Every table name starts with `rabeg_`: the plugin owns them."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ragem import toolkit

#: Units of a service-level target.
UNITS = ("working_hours", "working_days")
#: How a complaint came in: the app, a third-party Open311 client, or an officer recording one brought
#: in person, by phone, by letter or from social media (``ASSISTED_CHANNELS``).
ASSISTED_CHANNELS = ("in_person", "phone", "letter", "social_media")
CHANNELS = ("app", "open311") + ASSISTED_CHANNELS
#: States of a complaint.
STATES = ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")
#: States in which a complaint still waits for the OPD.
OPEN_STATES = ("submitted", "assigned", "in_progress", "reopened")
#: The same as SQL, for the partial indexes on open complaints.
OPEN_PREDICATE = "state IN (" + ", ".join(f"'{state}'" for state in OPEN_STATES) + ")"


class Category(toolkit.db.Model):
    """A kind of complaint, the OPD responsible for it and its service-level targets."""

    __tablename__ = "rabeg_category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name_id: Mapped[str] = mapped_column(String(120), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    opd_code: Mapped[str] = mapped_column(String(20), nullable=False)
    # {"36.73.01": "DPUPR"}: in these kecamatan another OPD answers for the category.
    routing_overrides: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    first_response_target: Mapped[int] = mapped_column(Integer, nullable=False)
    first_response_unit: Mapped[str] = mapped_column(String(16), nullable=False)
    resolution_target: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_unit: Mapped[str] = mapped_column(String(16), nullable=False)
    allows_anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Whether its complaints appear in the public list, the map and Open311 GET. Off for complaints
    # about a person's own affairs (health, population records): they are private by their nature.
    complaints_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Extra questions, Open311 "attributes": [{"code", "datatype" (string|number|datetime|text|
    # singlevaluelist|multivaluelist), "required", "description": {"id","en"}, "order",
    # "values": [{"key", "name": {"id","en"}}]}]
    questions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Complaint(toolkit.db.Model):
    """A citizen's complaint, routed to an OPD the moment it is filed."""

    __tablename__ = "rabeg_complaint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # What the citizen quotes on the phone: RBG-2026-000123.
    public_number: Mapped[str] = mapped_column(String(24), nullable=False, unique=True)
    # An account id, never a name; NULL once the reporter's account is erased.
    reporter_id: Mapped[str | None] = mapped_column(String(36))
    category_id: Mapped[int] = mapped_column(ForeignKey("rabeg_category.id"), nullable=False)
    opd_code: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    kelurahan_code: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    show_name_publicly: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The reporter keeps it out of the public view (at filing or later); the OPD still handles it.
    private: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    first_response_due: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    resolution_due: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # From these moments a deadline still open counts as "at risk" (75% of its span has passed).
    first_response_risk_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_risk_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Kecamatan of the kelurahan (or of the map point), kept for the queue filter and the KPIs.
    kecamatan_code: Mapped[str | None] = mapped_column(String(20))
    # Answers to the category's questions: {"question_code": value}.
    answers: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # Filed without a name: officers and the public never learn who filed it.
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The name shown publicly, captured at filing only when the reporter allowed it.
    reporter_display_name: Mapped[str | None] = mapped_column(String(120))
    # The channel it came in by (the API's ``channel``): "app", "open311", or, recorded by an officer on
    # the complainant's behalf, "in_person", "phone", "letter" or "social_media" (``CHANNELS``).
    # An Open311 filing records the API key and the client's token.
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="app")
    # The officer who recorded an assisted complaint (NULL for filings by the reporter or Open311).
    filed_by_id: Mapped[str | None] = mapped_column(String(36))
    # The complainant an officer recorded it for (who may have no account): personal data, kept
    # only encrypted; the phone with a keyed hash too (erasure finds their complaints by it).
    complainant_name_ciphertext: Mapped[str | None] = mapped_column(Text)
    complainant_name = toolkit.sealed("complainant_name")
    complainant_phone_ciphertext: Mapped[str | None] = mapped_column(Text)
    complainant_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    complainant_phone = toolkit.sealed("complainant_phone", lookup=toolkit.lookup_hash)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("rabeg_api_key.id"))
    open311_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Contact details an Open311 client sent (email, name, phone): personal data, never public,
    # so the row keeps them only encrypted (a JSON object sealed whole). No query looks into them.
    contact_ciphertext: Mapped[str | None] = mapped_column(Text)
    contact = toolkit.sealed("contact", load=json.loads, dump=json.dumps)
    # Open311 media_url links as the client sent them (hosted by the client, never fetched).
    media_urls: Mapped[list | None] = mapped_column(JSON)
    # The public description after moderation (the original stays in `description`).
    moderated_description: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("rabeg_complaint.id"))
    supporters_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reroute_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The reporter's verdict after resolution: "fixed" or "not_fixed", and a 1-5 rating.
    confirmation: Mapped[str | None] = mapped_column(String(16))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    rating: Mapped[int | None] = mapped_column(Integer)

    # Read-only links for the schemas that show a complaint (all changes go through the id columns).
    # A list loads them for the whole page at once (``selectinload``); one complaint loads them lazily.
    category: Mapped[Category] = relationship(viewonly=True)
    duplicate_of: Mapped[Complaint | None] = relationship(viewonly=True, remote_side="Complaint.id")
    timeline: Mapped[list[TimelineEntry]] = relationship(
        viewonly=True, order_by="[TimelineEntry.at, TimelineEntry.id]")
    # Report photos first in the citizen's order, then response photos as they were posted.
    photos: Mapped[list[Photo]] = relationship(
        viewonly=True, order_by="[Photo.kind, Photo.timeline_entry_id, Photo.position, Photo.id]")

    __table_args__ = (
        # The citizen's own list and the OPD queue, both newest first with keyset pagination.
        Index("ix_rabeg_complaint_reporter_created", "reporter_id", "created_at", "id"),
        Index("ix_rabeg_complaint_opd_state_due", "opd_code", "state", "resolution_due", "id"),
        Index("ix_rabeg_complaint_created", "created_at", "id"),
        # "Nearby" before filing: one category, a latitude band (the bounding box), then the exact distance.
        Index("ix_rabeg_complaint_category_lat", "category_id", "lat"),
        # The officer queue in each sort order, for one OPD (any states: walked in order, filtered) and for
        # admins' scope=all; keyset pagination reads only the next page of an index, even with 1M rows.
        Index("ix_rabeg_complaint_opd_due", "opd_code", "resolution_due", "id"),
        Index("ix_rabeg_complaint_opd_first_due", "opd_code", "first_response_due", "id"),
        Index("ix_rabeg_complaint_opd_created", "opd_code", "created_at", "id"),
        Index("ix_rabeg_complaint_due", "resolution_due", "id"),
        Index("ix_rabeg_complaint_first_due", "first_response_due", "id"),
        # The public list, newest first, by category or kelurahan (the created_at index serves the rest).
        Index("ix_rabeg_complaint_category_created", "category_id", "created_at", "id"),
        Index("ix_rabeg_complaint_kelurahan_created", "kelurahan_code", "created_at", "id"),
        # A bounding box (public list and map): without it a box with few complaints walks the whole
        # created_at index (117 ms at 1M rows for an empty box; 0.1 ms with it), and the map's 2,000
        # newest points in a dense square kilometre take 84 ms instead of 210 (bench/rabeg.py).
        Index("ix_rabeg_complaint_lat_lon", "lat", "lon"),
        # The escalation job looks only at open complaints past a deadline: partial indexes keep it from
        # reading the (ever growing) history of finished complaints every five minutes.
        Index("ix_rabeg_complaint_open_resolution_due", "resolution_due",
              postgresql_where=text(OPEN_PREDICATE), sqlite_where=text(OPEN_PREDICATE)),
        Index("ix_rabeg_complaint_open_first_due", "first_response_due",
              postgresql_where=text(f"{OPEN_PREDICATE} AND first_responded_at IS NULL"),
              sqlite_where=text(f"{OPEN_PREDICATE} AND first_responded_at IS NULL")),
    )


class TimelineEntry(toolkit.db.Model):
    """One change in a complaint's life; rows are only ever added, never changed."""

    __tablename__ = "rabeg_timeline_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("rabeg_complaint.id"), nullable=False)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16), nullable=False)
    # transition | response | note | reroute | duplicate | moderation | escalation | confirmation | support
    # (entries that change no state have from_state == to_state == the complaint's state).
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="transition")
    public_message: Mapped[str | None] = mapped_column(Text)
    # The English of a message RAGEM wrote itself (routing, re-routing, moderation...), shown on
    # Accept-Language: en; None for an officer's or citizen's own words, shown as written to everyone.
    public_message_en: Mapped[str | None] = mapped_column(Text)
    # Officers only: never shown to the reporter or the public.
    internal_note: Mapped[str | None] = mapped_column(Text)

    # Read-only, for the schema that shows the entry with its complaint.
    complaint: Mapped[Complaint] = relationship(viewonly=True)

    __table_args__ = (Index("ix_rabeg_timeline_entry_complaint_at", "complaint_id", "at", "id"),)


class IdempotencyRecord(toolkit.db.Model):
    """A filing's Idempotency-Key, so a retried submission returns the first complaint."""

    __tablename__ = "rabeg_idempotency_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("rabeg_complaint.id"), nullable=False)
    # SHA-256 (hex) of the filing's fields: the same key with another body is refused, not answered
    # with this complaint. NULL for records written before it was kept (those answer as they did).
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_rabeg_idempotency_record_user_key"),)


class Photo(toolkit.db.Model):
    """A photo uploaded for a complaint (by the reporter) or for a response (by an officer).

    Uploaded first (``complaint_id`` NULL, owned by the uploader), then attached when the complaint
    or the response is filed. The bytes live in the core storage (``file_id``, EXIF stripped).
    """

    __tablename__ = "rabeg_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uploader_id: Mapped[str | None] = mapped_column(String(36))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("rabeg_complaint.id"))
    timeline_entry_id: Mapped[int | None] = mapped_column(ForeignKey("rabeg_timeline_entry.id"))
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="report")  # report | response
    file_id: Mapped[str] = mapped_column(String(64), nullable=False)
    thumbnail_file_id: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Moderated photos are hidden from the public and the reporter's public view; the file is kept.
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (Index("ix_rabeg_photo_complaint", "complaint_id", "position", "id"),)


class Supporter(toolkit.db.Model):
    """A citizen who said "me too" on a complaint (or whose duplicate was merged into it)."""

    __tablename__ = "rabeg_supporter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("rabeg_complaint.id"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (UniqueConstraint("complaint_id", "user_id", name="uq_rabeg_supporter_complaint_user"),)


class ResponseTemplate(toolkit.db.Model):
    """A ready answer officers pick when they respond, per category (NULL: any) and target state."""

    __tablename__ = "rabeg_response_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("rabeg_category.id"))
    state: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    body_id: Mapped[str] = mapped_column(Text, nullable=False)
    body_en: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    # Read-only, for the schema that shows a template (``None``: any category).
    category: Mapped[Category | None] = relationship(viewonly=True)


class Escalation(toolkit.db.Model):
    """One escalated breach; the unique key makes a breach escalate once, however many workers look."""

    __tablename__ = "rabeg_escalation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("rabeg_complaint.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # first_response | resolution
    due: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # the deadline that was breached
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (UniqueConstraint("complaint_id", "kind", "due", name="uq_rabeg_escalation_breach"),)


class ApiKey(toolkit.db.Model):
    """A key an admin issued to a third-party Open311 client; only its hash is stored."""

    __tablename__ = "rabeg_api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)  # shown in lists to tell keys apart
    key_hash: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
