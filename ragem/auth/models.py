"""Accounts and roles. One account per person, keyed by an internal UUID."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ragem.extensions import db
from ragem.timeutil import utcnow

ROLES = ("citizen", "officer", "admin")
# The role that labels an account in the audit log when it holds several.
ROLE_PRECEDENCE = ("admin", "officer", "citizen")


def new_uuid() -> str:
    """A random UUID as text (portable across SQLite and PostgreSQL)."""
    return str(uuid.uuid4())


class User(db.Model):
    """A person with a RAGEM account."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    opd_code: Mapped[str | None] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(2), default="id", nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
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


class UserRole(db.Model):
    """A role held by an account (citizen, officer, admin)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="role_rows")
