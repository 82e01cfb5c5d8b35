"""The ``http`` profile: one request to the city's SMS gateway, shaped by the settings."""
from __future__ import annotations

from ragem import toolkit

from plugins.sms import settings as config
from plugins.sms.services.outcome import json_of, post_or_get, refused


def number(e164: str) -> str:
    """The number as the gateway wants it (``RAGEM_SMS_NUMBER_FORMAT``)."""
    style = config.NUMBER_FORMAT.value()
    if style == "62":
        return e164.lstrip("+")
    if style == "0" and e164.startswith("+62"):
        return "0" + e164[3:]
    return e164


def parameters(message: toolkit.OutboundMessage) -> dict[str, str]:
    """The request's parameters: the fixed ones, the number, the text and the sender."""
    params = dict(config.EXTRA_PARAMS.value() or {})
    params[config.PARAM_TO.value()] = number(message.to)
    params[config.PARAM_TEXT.value()] = message.body
    sender = config.FROM.value()
    if sender:
        params[config.PARAM_FROM.value()] = sender
    return params


def _auth(headers: dict) -> tuple | None:
    kind = config.AUTH.value()
    if kind == "basic":
        return (config.USERNAME.value(), config.PASSWORD.value())
    if kind == "bearer":
        headers["Authorization"] = f"Bearer {config.TOKEN.value()}"
    elif kind == "header":
        headers[config.AUTH_HEADER.value()] = config.TOKEN.value()
    return None


def _dig(payload, path: str):
    for part in path.split("."):
        if isinstance(payload, list) and part.isdigit() and int(part) < len(payload):
            payload = payload[int(part)]
        elif isinstance(payload, dict):
            payload = payload.get(part)
        else:
            return None
    return payload


def send(message: toolkit.OutboundMessage) -> toolkit.DeliveryResult:
    """Send one SMS; any 2xx answer is accepted, its message id read from ``RAGEM_SMS_MESSAGE_ID_FIELD``."""
    headers: dict[str, str] = {}
    auth = _auth(headers)
    params = parameters(message)
    session = toolkit.http_session(timeout=(3.05, config.TIMEOUT_SECONDS.value()))
    url = config.URL.value()
    if config.METHOD.value() == "get":
        call = lambda: session.get(url, params=params, headers=headers, auth=auth)  # noqa: E731
    elif config.BODY_FORMAT.value() == "json":
        call = lambda: session.post(url, json=params, headers=headers, auth=auth)  # noqa: E731
    else:
        call = lambda: session.post(url, data=params, headers=headers, auth=auth)  # noqa: E731
    answer, failed = post_or_get(config.HTTP, call)
    if failed:
        return failed
    if not answer.ok:
        return refused(config.HTTP, answer)
    found = _dig(json_of(answer), config.MESSAGE_ID_FIELD.value())
    return toolkit.DeliveryResult(config.HTTP, provider_message_id=None if found is None else str(found)[:128])
