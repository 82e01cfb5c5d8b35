"""Sending through FCM's HTTP v1 API: ``POST /v1/projects/{project}/messages:send`` with an OAuth 2.0
access token of the project's service account (google-auth signs the JWT and refreshes the token).

Notifications only: a message whose purpose is a one-time code is refused here too, because a
notification shows on a locked screen and a push token outlives a change of owner.
"""
from __future__ import annotations

import logging

import requests
from flask import current_app
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from ragem import toolkit

from plugins.push import settings as config
from plugins.push.services import devices

log = logging.getLogger("ragem.push")
_CREDENTIALS = "push.fcm_credentials"
CODE_PURPOSE = "otp."
TITLE_MAX = 80


def _credentials():
    """The service account's credentials, kept per app so the access token is reused until it expires."""
    cached = current_app.extensions.get(_CREDENTIALS)
    if cached is None:
        info = dict(config.SERVICE_ACCOUNT.value())
        if config.TOKEN_URL.value():
            info["token_uri"] = config.TOKEN_URL.value()
        cached = service_account.Credentials.from_service_account_info(info, scopes=[config.SCOPE])
        current_app.extensions[_CREDENTIALS] = cached
    return cached


def access_token(session: requests.Session) -> str:
    """A valid access token (refreshed through ``session`` when missing or about to expire)."""
    credentials = _credentials()
    if not credentials.valid:
        credentials.refresh(Request(session))
    return credentials.token


def payload(token: str, message: toolkit.OutboundMessage) -> dict:
    """The v1 ``message`` for one device: the first line as the title, the rest as the body."""
    title, _sep, rest = message.body.partition("\n")
    data = {str(k): str(v) for k, v in (message.data or {}).items()}
    if message.purpose:
        data["purpose"] = message.purpose
    return {"message": {"token": token, "notification": {"title": title[:TITLE_MAX], "body": rest or title},
                        "data": data}}


def send(message: toolkit.OutboundMessage) -> toolkit.DeliveryResult:
    """Send to every device of the account ``message.to``; sent when at least one took it."""
    if (message.purpose or "").startswith(CODE_PURPOSE):
        return toolkit.DeliveryResult(config.PROVIDER, status="failed", error="push never carries a one-time code")
    targets = devices.tokens_of(message.to)
    if not targets:
        return toolkit.DeliveryResult(config.PROVIDER, status="failed", error="no device registered")
    session = toolkit.http_session(timeout=(3.05, config.TIMEOUT_SECONDS.value()))
    try:
        bearer = access_token(session)
    except (GoogleAuthError, requests.RequestException) as exc:
        log.warning("FCM access token refused: %s", type(exc).__name__)
        return toolkit.DeliveryResult(config.PROVIDER, status="failed", error=f"access token: {type(exc).__name__}")
    project = config.PROJECT_ID.value() or config.SERVICE_ACCOUNT.value()["project_id"]
    url = f"{config.API_URL.value()}/v1/projects/{project}/messages:send"
    names, errors = [], []
    for device in targets:
        try:
            answer = session.post(url, json=payload(device.token, message), headers={"Authorization": f"Bearer {bearer}"})
        except requests.RequestException as exc:
            errors.append(f"unreachable: {type(exc).__name__}")
            continue
        body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else {}
        if answer.ok and body.get("name"):
            names.append(str(body["name"]))
            continue
        status = (body.get("error") or {}).get("status", "") if isinstance(body, dict) else ""
        if answer.status_code == 404 or status == "UNREGISTERED":
            devices.drop(device.id)  # the app was uninstalled: never try this token again
        errors.append(f"HTTP {answer.status_code} {status}".strip())
    if names:
        return toolkit.DeliveryResult(config.PROVIDER, provider_message_id=names[0][:128])
    return toolkit.DeliveryResult(config.PROVIDER, status="failed", error="; ".join(errors)[:300])
