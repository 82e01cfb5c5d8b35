"""Tables of the RABEG service. Every table name starts with `rabeg_`: the plugin owns them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ragem import toolkit

#: Units of a service-level target.
UNITS = ("working_hours", "working_days")
#: States of a complaint (more arrive with the life-cycle slice: closed, reopened).
STATES = ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")


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
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


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
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    first_response_due: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    resolution_due: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        # The citizen's own list and the OPD queue, both newest first with keyset pagination.
        Index("ix_rabeg_complaint_reporter_created", "reporter_id", "created_at", "id"),
        Index("ix_rabeg_complaint_opd_state_due", "opd_code", "state", "resolution_due", "id"),
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
    public_message: Mapped[str | None] = mapped_column(Text)
    # Officers only: never shown to the reporter or the public.
    internal_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_rabeg_timeline_entry_complaint_at", "complaint_id", "at", "id"),)


class IdempotencyRecord(toolkit.db.Model):
    """A filing's Idempotency-Key, so a retried submission returns the first complaint."""

    __tablename__ = "rabeg_idempotency_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("rabeg_complaint.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_rabeg_idempotency_record_user_key"),)
