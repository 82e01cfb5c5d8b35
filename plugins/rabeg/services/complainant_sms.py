"""Texts to a complainant without an account: an officer recorded their complaint with their phone.

A citizen with an account follows their complaint in the app's inbox. Someone who brought it to an
office in person, by phone, by letter or through social media may have no account: when the officer
wrote down a phone number, every change the followers are told about (received, in progress, a
response, resolved, rejected, closed, re-routed) reaches them by SMS instead, in Indonesian (they
chose no language), through the core's message delivery (``toolkit.send_text``).
"""
from __future__ import annotations

from typing import Any

from ragem import toolkit

from plugins.rabeg.models import Complaint

#: Long enough for an officer's full response in a few SMS parts; the gateway splits longer texts.
MAX_CHARS = 640
PURPOSE_PREFIX = "rabeg."


def _indonesian(text: Any) -> str:
    """A message RAGEM wrote (``{"id", "en"}``) in Indonesian; an officer's own words as written."""
    return text.get("id", "") if isinstance(text, dict) else str(text or "")


def sms_text(complaint: Complaint, *, title: Any, body: Any) -> str:
    """``RAGEM: <title>. <body>`` in Indonesian, cut to ``MAX_CHARS`` (the number is always in it)."""
    text = f"RAGEM: {_indonesian(title).rstrip('.')}. {_indonesian(body)}".strip()
    if complaint.public_number not in text:
        text = f"RAGEM {complaint.public_number}: {text[len('RAGEM: '):]}"
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1].rstrip() + "…"


def text_complainant(complaint: Complaint, *, kind: str, title: Any, body: Any) -> bool:
    """Send the complainant of ``complaint`` an SMS after the caller commits, when the complaint has
    no linked account and its complainant gave a phone; returns whether one was queued."""
    phone = complaint.complainant_phone if complaint.reporter_id is None else None
    if not phone:
        return False
    toolkit.send_text(phone, sms_text(complaint, title=title, body=body), purpose=kind[:64],
                      data={"complaint_id": complaint.id})
    return True
