"""Notification rules: storing one (and sending it by push/SMS), a user's inbox, marking read."""
from __future__ import annotations

import json
import logging
from typing import Any, Iterable, Mapping

from sqlalchemy import func, select, update

from ragem.auth.models import User
from ragem.errors import NotFound
from ragem.extensions import db
from ragem.hooktypes import MESSAGE_CHANNELS, Account, OutboundMessage
from ragem.i18n import translate
from ragem.jobs.queue import enqueue
from ragem.notifications.models import Notification
from ragem.notifications.outbox import send_job
from ragem.pagination import paginate
from ragem.pii import encrypt
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.notifications")

INBOX = "inbox"
TITLE_MAX, BODY_MAX, KIND_MAX, SERVICE_MAX = 200, 4000, 64, 32
_MAX_ID = 2**63 - 1  # ids beyond BIGINT cannot exist; PostgreSQL would reject the comparison


def _texts(label: str, value: Mapping[str, str] | str, limit: int) -> dict[str, str]:
    """``{"id", "en"}`` from a dict with both languages or a plain string used for both."""
    if isinstance(value, str):
        texts = {"id": value, "en": value}
    elif isinstance(value, Mapping) and isinstance(value.get("id"), str) and isinstance(value.get("en"), str):
        texts = {"id": value["id"], "en": value["en"]}
    else:
        raise ValueError(f"{label} must be a string or a dict with 'id' and 'en' strings")
    for lang, text in texts.items():
        if not text.strip():
            raise ValueError(f"{label} ({lang}) is empty")
        if len(text) > limit:
            raise ValueError(f"{label} ({lang}) is longer than {limit} characters")
    return texts


def _account(user: User | Account | str) -> User:
    """The account record of ``user``: a record, any ``Account`` (the request's caller) or an id."""
    if isinstance(user, User):
        return user
    user_id = user if isinstance(user, str) else getattr(user, "id", None)
    account = db.session.get(User, user_id) if isinstance(user_id, str) else None
    if account is None:
        raise ValueError(f"no account with id {user!r}")
    return account


def notify(
    user: User | str,
    *,
    kind: str,
    title: Mapping[str, str] | str,
    body: Mapping[str, str] | str,
    data: Mapping[str, Any] | None = None,
    service: str | None = None,
    channels: Iterable[str] = (INBOX,),
) -> Notification | None:
    """Notify ``user`` (an account or its id) in the inbox and/or by push, SMS or WhatsApp.

    :param kind: what happened, for the app to pick an icon or screen (``complaint.answered``).
    :param title: ``{"id": ..., "en": ...}`` or one string for both languages; ``body`` likewise.
    :param data: JSON-serialisable details for the app (ids to open).
    :param service: the plugin slug sending it (``"core"`` when omitted).
    :param channels: ``"inbox"`` stores it; ``"push"``, ``"sms"`` and ``"whatsapp"`` send it
        in the background through the message-delivery hook, in the user's language.
    :returns: the stored notification (added and flushed; the caller commits), or ``None`` when
        ``"inbox"`` is not among the channels.
    :raises ValueError: bad arguments (a programming error, not a client's).
    """
    channels = tuple(dict.fromkeys(channels))
    unknown = [c for c in channels if c != INBOX and c not in MESSAGE_CHANNELS]
    if not channels or unknown:
        raise ValueError(f"channels must be among {(INBOX,) + MESSAGE_CHANNELS}, got {channels!r}")
    if not isinstance(kind, str) or not kind or len(kind) > KIND_MAX:
        raise ValueError(f"kind must be a non-empty string of at most {KIND_MAX} characters")
    service = service or "core"
    if not isinstance(service, str) or len(service) > SERVICE_MAX:
        raise ValueError("service must be a plugin slug")
    titles, bodies = _texts("title", title, TITLE_MAX), _texts("body", body, BODY_MAX)
    data = dict(data or {})
    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"data must be JSON-serialisable: {exc}") from None
    account = _account(user)

    notification = None
    if INBOX in channels:
        notification = Notification(
            user_id=account.id, service=service, kind=kind,
            title_id=titles["id"], title_en=titles["en"], body_id=bodies["id"], body_en=bodies["en"],
            data=data,
        )
        db.session.add(notification)
        db.session.flush()

    lang = account.preferred_language or "id"
    text = f"{translate(titles, lang)}\n{translate(bodies, lang)}"
    extra = {**data, "kind": kind, "service": service}
    if notification is not None:
        extra["notification_id"] = notification.id
    for channel in channels:
        if channel == INBOX:
            continue
        recipient = {"push": account.id, "email": account.verified_email}.get(channel, account.phone)
        if not recipient:
            continue  # no verified email: nothing to send it to
        # Sent after the caller commits (enqueue waits for it), so a rolled-back change sends nothing.
        enqueue(send_job, channel, encrypt(recipient), text, account.id, f"{service}.{kind}"[:64], extra)
    return notification


def send_text(to: str, body: str, *, purpose: str, channel: str = "sms",
              data: Mapping[str, Any] | None = None) -> None:
    """Send ``body`` to a phone number that belongs to no account (a complainant who came to an
    office in person), in the background through the message-delivery hook, after the caller commits.

    The number travels encrypted in the job's arguments, as ``notify`` does for accounts; the
    delivery is recorded (or kept in the development outbox) like any other message.
    :raises ValueError: an unknown channel, no number, an empty or too long body.
    """
    problems = OutboundMessage(channel=channel, to=to, body=body, purpose=purpose, data=dict(data or {})).problems()
    if problems:
        raise ValueError("cannot send the text: " + "; ".join(problems))
    enqueue(send_job, channel, encrypt(to), body, None, purpose[:64], dict(data or {}))


def present(notification: Notification, lang: str | None = None) -> dict[str, Any]:
    """A notification as the API shows it, title and body in the request's language."""
    return {
        "id": notification.id,
        "service": notification.service,
        "kind": notification.kind,
        "title": translate({"id": notification.title_id, "en": notification.title_en}, lang),
        "body": translate({"id": notification.body_id, "en": notification.body_en}, lang),
        "data": notification.data or {},
        "created_at": notification.created_at,
        "read_at": notification.read_at,
        "read": notification.read_at is not None,
    }


def unread_count(user: User) -> int:
    """How many of ``user``'s notifications are unread."""
    stmt = select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def inbox(user: User, *, limit: int, cursor: str | None = None, unread_only: bool = False) -> dict[str, Any]:
    """A page of ``user``'s notifications, newest first, with the unread count."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    items, next_cursor = paginate(
        db.session, stmt, [Notification.created_at, Notification.id], limit=limit, cursor=cursor
    )
    return {"items": [present(n) for n in items], "next_cursor": next_cursor, "unread_count": unread_count(user)}


def _own(user: User, notification_id: int) -> Notification:
    """``user``'s notification ``notification_id``; someone else's looks exactly like a missing one."""
    found = None
    if 0 < notification_id <= _MAX_ID:
        found = db.session.scalar(
            select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
        )
    if found is None:
        raise NotFound(details={"notification_id": notification_id})
    return found


def mark_read(user: User, notification_id: int) -> dict[str, Any]:
    """Mark one of ``user``'s notifications read (again: no change, the first read time stays)."""
    notification = _own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return present(notification)


def mark_all_read(user: User) -> dict[str, int]:
    """Mark every unread notification of ``user`` read; returns how many and the new unread count."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return {"marked": result.rowcount or 0, "unread_count": unread_count(user)}
