"""Sending through the Cloud API: ``POST /{version}/{phone-number-id}/messages`` with a template.

Business-initiated WhatsApp messages must be approved templates: a one-time code goes in the
authentication template (the code is the body's parameter and the copy-code button's), any other
text in the notice template whose body is that text.
"""
from __future__ import annotations

import logging

import requests

from ragem import toolkit

from plugins.whatsapp import settings

log = logging.getLogger("ragem.whatsapp")
CODE_PURPOSE = "otp."


def template_for(message: toolkit.OutboundMessage) -> dict:
    """The ``template`` object of the request for ``message``."""
    language = {"code": settings.TEMPLATE_LANGUAGE.value()}
    code = (message.data or {}).get("code")
    if (message.purpose or "").startswith(CODE_PURPOSE) and code:
        parameter = [{"type": "text", "text": str(code)}]
        return {
            "name": settings.CODE_TEMPLATE.value(), "language": language,
            "components": [
                {"type": "body", "parameters": parameter},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": parameter},
            ],
        }
    return {
        "name": settings.NOTICE_TEMPLATE.value(), "language": language,
        "components": [{"type": "body", "parameters": [{"type": "text", "text": message.body}]}],
    }


def request_body(message: toolkit.OutboundMessage) -> dict:
    """The JSON body the Cloud API takes (the number without its ``+``)."""
    return {
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": message.to.lstrip("+"), "type": "template", "template": template_for(message),
    }


def send(message: toolkit.OutboundMessage, session: requests.Session | None = None) -> toolkit.DeliveryResult:
    """Send one message; the provider's answer as a ``DeliveryResult`` (never raises, never logs
    the token, the number or the text)."""
    url = f"{settings.API_URL.value()}/{settings.API_VERSION.value()}/{settings.PHONE_NUMBER_ID.value()}/messages"
    session = session or toolkit.http_session(timeout=(3.05, settings.TIMEOUT_SECONDS.value()))
    try:
        answer = session.post(url, json=request_body(message),
                              headers={"Authorization": f"Bearer {settings.ACCESS_TOKEN.value()}"})
    except requests.Timeout as exc:
        # The message may have gone: it is not sent again (the SMS fallback covers a code).
        log.warning("WhatsApp Cloud API did not answer in time: %s", type(exc).__name__)
        return toolkit.DeliveryResult(settings.PROVIDER, status="failed", error=f"timed out: {type(exc).__name__}")
    except requests.RequestException as exc:
        log.warning("WhatsApp Cloud API unreachable: %s", type(exc).__name__)
        return toolkit.DeliveryResult(settings.PROVIDER, status="failed", error=f"unreachable: {type(exc).__name__}")
    try:
        payload = answer.json()
    except ValueError:
        payload = {}
    if answer.ok and isinstance(payload, dict) and payload.get("messages"):
        return toolkit.DeliveryResult(settings.PROVIDER, provider_message_id=str(payload["messages"][0].get("id")))
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        reason = f"HTTP {answer.status_code} {error.get('code', '')}: {error.get('message', '')}"[:300]
    else:
        reason = f"HTTP {answer.status_code}"
    log.warning("WhatsApp Cloud API refused a message: %s", reason)
    return toolkit.DeliveryResult(settings.PROVIDER, status="failed", error=reason)
