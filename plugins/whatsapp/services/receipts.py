"""Receipts from the Cloud API's webhook: verified by ``X-Hub-Signature-256`` (HMAC-SHA256 of the
raw body with the app secret) and applied to the recorded attempts.

Meta sends every change of a message's state (``sent``, ``delivered``, ``read``, ``failed``) in
``entry[].changes[].value.statuses[]``, retries until it gets a 200, and may repeat one: applying
a receipt twice changes nothing (``toolkit.record_delivery_receipt``).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

from ragem import toolkit

from plugins.whatsapp import settings

STATUSES = ("sent", "delivered", "read", "failed")


def signature_valid(raw_body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=<hex HMAC of raw_body with the app secret>``."""
    secret = settings.APP_SECRET.value()
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def challenge_answer(mode: str | None, token: str | None, challenge: str | None) -> str | None:
    """The ``hub.challenge`` to echo when Meta verifies the webhook with our verify token, else ``None``."""
    expected = settings.VERIFY_TOKEN.value()
    if mode != "subscribe" or not expected or not token or challenge is None:
        return None
    return challenge if hmac.compare_digest(expected.encode(), token.encode()) else None


def _list(value) -> list:
    """``value`` when it is a list, else empty: a hostile payload's shapes are simply skipped."""
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def statuses(payload) -> list[dict]:
    """Every status object in a webhook payload (messages from citizens and other fields are ignored)."""
    found = []
    for entry in _list(_dict(payload).get("entry")):
        for change in _list(_dict(entry).get("changes")):
            for status in _list(_dict(_dict(change).get("value")).get("statuses")):
                if isinstance(status, dict) and isinstance(status.get("id"), str) and status.get("status") in STATUSES:
                    found.append(status)
    return found


def apply(payload) -> int:
    """Apply every status of ``payload``; returns how many named a message RAGEM sent."""
    applied = 0
    for status in statuses(payload):
        at = None
        if str(status.get("timestamp", "")).isdigit():
            at = datetime.fromtimestamp(int(status["timestamp"]), tz=timezone.utc).replace(tzinfo=None)
        error = None
        errors = status.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            error = f"{errors[0].get('code', '')}: {errors[0].get('title', '')}"
        pricing = status.get("pricing")
        # Meta reports whether a message is billable, not its price: one unit per billable message.
        cost = 1.0 if isinstance(pricing, dict) and pricing.get("billable") is True else None
        if toolkit.record_delivery_receipt(settings.PROVIDER, status["id"][:128], status["status"], at=at,
                                           cost_units=cost, error=error):
            applied += 1
    return applied
