"""Accounts and roles. One account per person, keyed by an internal UUID."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ragem.extensions import db
from ragem.pii import contact_hash, decrypt
from ragem.sealed import sealed
from ragem.timeutil import utcnow

ROLES = ("citizen", "officer", "admin")
# The role that labels an account in the audit log when it holds several.
ROLE_PRECEDENCE = ("admin", "officer", "citizen")


def new_uuid() -> str:
    """A random UUID as text (portable across SQLite and PostgreSQL)."""
    return str(uuid.uuid4())


class User(db.Model):
    """A person with a RAGEM account.

    No clear-text column, nor any combination of them, gives back the NIK, the phone number or the
    address (docs/privacy.md): they are AES-GCM ciphertexts under RAGEM_DATA_KEY, plus a keyed
    hash where a look-up needs one. ``phone``, ``address`` and ``birth_date`` read and write in
    clear on the instance (``ragem.sealed``); ``User.phone == x`` compares keyed hashes.
    """

    __tablename__ = "user_account"
    # A phone number or a NIK belongs to one *verified* account. Registrations still waiting for
    # their code may share them: whoever verifies first wins (``accounts.verify_phone``), and
    # these indexes decide the winner when two verifications race.
    __table_args__ = (
        Index("uq_user_account_verified_phone_hash", "phone_hash", unique=True,
              sqlite_where=text("phone_verified_at IS NOT NULL"), postgresql_where=text("phone_verified_at IS NOT NULL")),
        Index("uq_user_account_verified_nik_hash", "nik_hash", unique=True,
              sqlite_where=text("phone_verified_at IS NOT NULL"), postgresql_where=text("phone_verified_at IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    # Log-in and uniqueness go through the keyed hash; texts are sent to the decrypted number.
    phone_hash: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    phone_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    phone = sealed("phone", lookup=contact_hash)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # An email logs in, receives reset codes and blocks other registrations only once verified
    # (a code sent to it was given back). Until then it is a claim another account may take over.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    opd_code: Mapped[str | None] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(2), default="id", nullable=False)
    # Where texts go first: "whatsapp" (an SMS follows a code WhatsApp did not deliver) or "sms".
    preferred_channel: Mapped[str] = mapped_column(String(16), default="sms", server_default="sms", nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Pending until the phone is verified with a one-time code; accounts made by operators
    # (``ragem users create``) are verified at once.
    phone_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The NIK never sits in clear text: AES-GCM ciphertext (RAGEM_DATA_KEY) and a keyed hash for
    # look-ups and uniqueness. Its parts are not kept in clear either: kecamatan + birth date +
    # sex + last four digits would spell it out again. The masked form and the sex are read
    # from the decrypted NIK; the birth date is stored encrypted because the NIK's two-digit year
    # cannot be read back reliably once a century has passed.
    nik_ciphertext: Mapped[str | None] = mapped_column(Text)
    nik_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    birth_date_ciphertext: Mapped[str | None] = mapped_column(Text)
    birth_date = sealed("birth_date", load=date.fromisoformat, dump=date.isoformat)
    # Clear: services find the citizens of a kelurahan (alerts, statistics), and on its own it
    # holds at most the NIK's first six digits (docs/privacy.md).
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    address_ciphertext: Mapped[str | None] = mapped_column(Text)
    address = sealed("address")
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> list[str]:
        """The account's roles, sorted."""
        return sorted(r.role for r in self.role_rows)

    @property
    def primary_role(self) -> str:
        """The strongest role, used to label the account in the audit log."""
        held = set(self.roles)
        return next((r for r in ROLE_PRECEDENCE if r in held), "citizen")

    def has_role(self, role: str) -> bool:
        """Whether the account holds ``role``."""
        return role in self.roles

    @property
    def is_verified(self) -> bool:
        """Whether the phone number was verified (the account may log in)."""
        return self.phone_verified_at is not None

    @property
    def verified_email(self) -> str | None:
        """The email if it was verified, else ``None``."""
        return self.email if self.email and self.email_verified_at is not None else None

    @property
    def nik_masked(self) -> str | None:
        """The NIK as shown in responses: twelve stars and the last four digits."""
        nik = self._nik()
        return f"{'*' * 12}{nik[-4:]}" if nik else None

    @property
    def sex(self) -> str | None:
        """``"M"`` or ``"F"``, read from the NIK (40 is added to a woman's birth day), else ``None``."""
        nik = self._nik()
        return ("F" if int(nik[6:8]) > 40 else "M") if nik else None

    def _nik(self) -> str | None:
        return decrypt(self.nik_ciphertext) if self.nik_ciphertext else None


class UserRole(db.Model):
    """A role held by an account (citizen, officer, admin)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="role_rows")


class AuthSession(db.Model):
    """One logged-in device. Access tokens carry its id (``sid``); revoking it stops them all."""

    __tablename__ = "auth_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    device: Mapped[str | None] = mapped_column(String(200))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    # When the user last proved their password in this session (fresh log-in checks).
    auth_time: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class RotatedRefreshToken(db.Model):
    """A refresh token that was already exchanged: presenting it again revokes its session."""

    __tablename__ = "auth_rotated_refresh"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("auth_session.id", ondelete="CASCADE"), index=True, nullable=False)
    rotated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class SigningKey(db.Model):
    """An ES256 key pair that signs access tokens; the private half encrypted with RAGEM_DATA_KEY."""

    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    public_jwk: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    # Retired keys sign nothing new but stay published until every token they signed expired.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)


class OneTimeCode(db.Model):
    """A 6-digit code sent by SMS (phone verification, password reset, phone change); stored hashed."""

    __tablename__ = "one_time_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(30), nullable=False)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Indexed: every issue and check looks codes up by destination (throttle, newest code), which
    # is a phone number or a stand-in for an email: a keyed hash to find it, a ciphertext to show it.
    destination_hash: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    destination_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    destination = sealed("destination", lookup=contact_hash)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginThrottle(db.Model):
    """Failed log-ins per identifier (keyed hash) or IP, and the back-off they earned."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
