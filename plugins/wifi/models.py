"""Tables of the public Wi-Fi service. Every table name starts with `wifi_`: the plugin owns them.

A citizen's Wi-Fi life: they accept the terms (``TermsAcceptance``), obtain short-lived single-use
log-in tokens (``WifiToken``, only a hash of the secret is stored) and register devices for MAC
log-in (``Device``, the MAC sealed with a keyed hash for look-ups). Hotspot gear authenticates
through FreeRADIUS; each accounting session it reports is one ``AccountingSession`` row keyed by
FreeRADIUS's ``Acct-Unique-Session-Id``, so a retried packet finds its row instead of adding one.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint, false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ragem import toolkit

#: A hotspot is `active` (serves), in `maintenance` (rejects log-ins, not watched for silence) or `retired`.
HOTSPOT_STATUSES = ("active", "maintenance", "retired")
#: What a suspension applies to.
SUSPENSION_KINDS = ("user", "device")
#: The accounting session's state.
SESSION_STATES = ("open", "stopped")


class Hotspot(toolkit.db.Model):
    """A public place with Wi-Fi: its location, SSIDs and the RADIUS identities of its gear."""

    __tablename__ = "wifi_hotspot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    kelurahan_code: Mapped[str | None] = mapped_column(String(20))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    ssids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="active")
    # Hours without authentication or accounting traffic after which the hotspot counts as silent.
    quiet_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=24)
    # Last RADIUS traffic (authentication or accounting) seen from its gear.
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the silent-hotspot job flagged it (and told the command centre); cleared by traffic.
    silent_since: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)


class HotspotNas(toolkit.db.Model):
    """One RADIUS identity of a hotspot's gear: a NAS-Identifier or Called-Station-Id, lower case."""

    __tablename__ = "wifi_hotspot_nas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("wifi_hotspot.id", ondelete="CASCADE"), nullable=False,
                                            index=True)
    identifier: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)


class Terms(toolkit.db.Model):
    """A version of the Wi-Fi terms of use; the newest published one is the one citizens accept."""

    __tablename__ = "wifi_terms"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    text_id: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False)
    published_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class TermsAcceptance(toolkit.db.Model):
    """A citizen accepted one version of the terms (the first acceptance is their registration)."""

    __tablename__ = "wifi_terms_acceptance"
    __table_args__ = (UniqueConstraint("user_id", "terms_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    terms_version: Mapped[str] = mapped_column(ForeignKey("wifi_terms.version"), nullable=False)
    accepted_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)


class Device(toolkit.db.Model):
    """A citizen's device registered for automatic (MAC) log-in.

    The MAC identifies a person's phone wherever it goes: it is stored sealed, with a keyed hash so
    that the RADIUS look-up stays one indexed query. A MAC belongs to one citizen at a time.
    """

    __tablename__ = "wifi_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    mac_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    mac_ciphertext: Mapped[str | None] = mapped_column(Text)
    mac = toolkit.sealed("mac", lookup=toolkit.lookup_hash)
    label: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class WifiToken(toolkit.db.Model):
    """A short-lived, single-use log-in for the captive portal: ``username`` is public, the secret is
    kept only as its SHA-256 (it is random and long, so a plain hash cannot be guessed back)."""

    __tablename__ = "wifi_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    username: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


def _singleton_default(context) -> int | None:
    return GLOBAL_POLICY_KEY if context.get_current_parameters().get("hotspot_id") is None else None


#: ``Policy.singleton`` of the global policy.
GLOBAL_POLICY_KEY = 1


class Policy(toolkit.db.Model):
    """Limits of a session: the global policy (``hotspot_id`` NULL) or one hotspot's, which wins.

    There is one global policy, enforced by the database: a unique index treats NULLs as distinct,
    so ``hotspot_id`` alone cannot forbid a second global row. ``singleton`` is 1 on the global row
    and NULL on a hotspot's (unique), and a check ties it to ``hotspot_id`` being NULL; two seeders
    racing (two workers starting at once) therefore cannot both insert one.
    """

    __tablename__ = "wifi_policy"
    __table_args__ = (CheckConstraint("(hotspot_id IS NULL AND COALESCE(singleton, 0) = 1) OR "
                                      "(hotspot_id IS NOT NULL AND singleton IS NULL)", name="global_singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hotspot_id: Mapped[int | None] = mapped_column(ForeignKey("wifi_hotspot.id", ondelete="CASCADE"), unique=True)
    singleton: Mapped[int | None] = mapped_column(Integer, unique=True, default=_singleton_default)
    session_seconds: Mapped[int] = mapped_column(Integer, nullable=False)
    daily_seconds: Mapped[int] = mapped_column(Integer, nullable=False)
    daily_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    down_kbps: Mapped[int] = mapped_column(Integer, nullable=False)
    up_kbps: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=toolkit.utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(36))


class Suspension(toolkit.db.Model):
    """An admin suspended a citizen (every log-in) or one device, until lifted or ``until``."""

    __tablename__ = "wifi_suspension"
    __table_args__ = (Index("ix_wifi_suspension_user_active", "user_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("wifi_device.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    until: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(36))
    lift_reason: Mapped[str | None] = mapped_column(String(300))


class AccountingSession(toolkit.db.Model):
    """One Wi-Fi session as the hotspot's accounting reports it, keyed by ``Acct-Unique-Session-Id``.

    Counters are the NAS's running totals (not increments), so a retried or replayed packet sets
    the same values again and nothing is counted twice. ``user_id`` is NULL once the citizen erased
    their account: the session stays, anonymous, in the statistics.
    """

    __tablename__ = "wifi_session"
    __table_args__ = (Index("ix_wifi_session_user_day", "user_id", "updated_at"),
                      Index("ix_wifi_session_started", "started_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unique_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    acct_session_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("wifi_device.id", ondelete="SET NULL"))
    hotspot_id: Mapped[int | None] = mapped_column(ForeignKey("wifi_hotspot.id", ondelete="SET NULL"), index=True)
    # The client's address inside the hotspot network (for the captive-portal API); cleared on stop.
    framed_ip: Mapped[str | None] = mapped_column(String(45))
    state: Mapped[str] = mapped_column(String(8), nullable=False, default="open")
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime)
    session_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    input_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    output_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    terminate_cause: Mapped[str | None] = mapped_column(String(40))
    # How many accounting packets for this session were processed (retries included): shows replays.
    packets: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    anonymised: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
