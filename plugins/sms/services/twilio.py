"""The ``twilio`` profile: Twilio's Messages API and its signed status callbacks.

Send: ``POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic
authentication (Account SID, Auth Token) and a form body (``To``, ``From`` or
``MessagingServiceSid``, ``Body``, ``StatusCallback``). Receipts: Twilio posts ``MessageSid`` and
``MessageStatus`` to the callback URL, signed in ``X-Twilio-Signature``: base64 of the HMAC-SHA1,
keyed with the Auth Token, of the full URL followed by every POST parameter's name and value,
sorted by name.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Mapping, Sequence

from ragem import toolkit

from plugins.sms import settings as config
from plugins.sms.services.outcome import json_of, post_or_get, refused

#: Twilio's message states and what they mean for RAGEM (queued, sending... are not receipts yet).
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "undelivered": "failed", "failed": "failed"}


def form(message: toolkit.OutboundMessage) -> dict[str, str]:
    """The form body of the Messages API request."""
    body = {"To": message.to, "Body": message.body}
    service = config.TWILIO_MESSAGING_SERVICE_SID.value()
    if service:
        body["MessagingServiceSid"] = service
    else:
        body["From"] = config.FROM.value()
    callback = config.STATUS_CALLBACK_URL.value()
    if callback:
        body["StatusCallback"] = callback
    return body


def send(message: toolkit.OutboundMessage) -> toolkit.DeliveryResult:
    """Send one SMS through Twilio; its ``sid`` is the id the status callbacks name."""
    sid = config.TWILIO_ACCOUNT_SID.value()
    url = f"{config.TWILIO_API_URL.value().rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    session = toolkit.http_session(timeout=(3.05, config.TIMEOUT_SECONDS.value()))
    answer, failed = post_or_get(config.TWILIO, lambda: session.post(
        url, data=form(message), auth=(sid, config.TWILIO_AUTH_TOKEN.value())))
    if failed:
        return failed
    payload = json_of(answer)
    if not answer.ok or not isinstance(payload, dict) or not payload.get("sid"):
        detail = f"{payload.get('code', '')}: {payload.get('message', '')}" if isinstance(payload, dict) else ""
        return refused(config.TWILIO, answer, detail)
    cost = None
    if payload.get("price") not in (None, ""):
        try:
            cost = abs(float(payload["price"]))  # Twilio writes a charge as a negative amount
        except (TypeError, ValueError):
            cost = None
    status = "failed" if payload.get("status") in ("failed", "undelivered") else "sent"
    return toolkit.DeliveryResult(config.TWILIO, status=status, provider_message_id=str(payload["sid"])[:128],
                                  cost_units=cost, error=payload.get("error_message") if status == "failed" else None)


def signature(url: str, params: Mapping[str, Sequence[str]], auth_token: str) -> str:
    """The ``X-Twilio-Signature`` Twilio computes for a POST to ``url`` with ``params``."""
    text = url
    for name in sorted(set(params)):
        for value in sorted(set(params[name])):
            text += name + value
    digest = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_valid(params: Mapping[str, Sequence[str]], header: str | None) -> bool:
    """Whether ``header`` signs ``params`` posted to the configured callback URL."""
    token, url = config.TWILIO_AUTH_TOKEN.value(), config.STATUS_CALLBACK_URL.value()
    if not token or not url or not header:
        return False
    return hmac.compare_digest(signature(url, params, token), header.strip())


def apply(params: Mapping[str, Sequence[str]]) -> bool:
    """Apply one status callback; whether it named a message RAGEM sent."""
    sid = (params.get("MessageSid") or [""])[0]
    status = STATUSES.get((params.get("MessageStatus") or [""])[0])
    if not sid or status is None:
        return False
    error = (params.get("ErrorCode") or [None])[0]
    return toolkit.record_delivery_receipt(config.TWILIO, sid[:128], status, error=f"Twilio error {error}" if error else None)
