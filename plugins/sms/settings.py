"""The SMS gateway's settings (``RAGEM_SMS_*``).

Two profiles: ``http`` (any HTTP gateway: the city's contracted Indonesian aggregator, described
by URL, method, parameter names and authentication) and ``twilio`` (Twilio's Messages API).
Off until ``RAGEM_SMS_URL`` (http) or ``RAGEM_SMS_TWILIO_ACCOUNT_SID`` (twilio) is set.
"""
from __future__ import annotations

import re

from ragem import toolkit

HTTP, TWILIO = "sms-http", "sms-twilio"


def _choice(*allowed):
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError("expected one of " + ", ".join(allowed))
        return value
    return parse


def _url(text: str) -> str:
    value = text.strip()
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("expected an http(s) URL")
    return value


def _pairs(text: str) -> dict[str, str]:
    pairs = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError("expected name=value pairs separated by commas")
        pairs[key.strip()] = value.strip()
    return pairs


def _param(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]{1,64}", text.strip()):
        raise ValueError("expected a parameter name (letters, digits, _ . - [ ])")
    return text.strip()


PROFILE = toolkit.PluginSetting("SMS_PROFILE", parse=_choice("http", "twilio"), default="http",
                                help="http (any HTTP SMS gateway) or twilio")
FROM = toolkit.PluginSetting("SMS_FROM", default=None, help="the sender: a number or an approved sender id")
TIMEOUT_SECONDS = toolkit.PluginSetting("SMS_TIMEOUT_SECONDS", parse=toolkit.positive_int, default=10,
                                        help="seconds to wait for the gateway's answer (never sent twice after)")
# -- http profile
URL = toolkit.PluginSetting("SMS_URL", parse=_url, default=None, help="the gateway's send URL; unset: off")
METHOD = toolkit.PluginSetting("SMS_METHOD", parse=_choice("post", "get"), default="post", help="POST or GET")
BODY_FORMAT = toolkit.PluginSetting("SMS_BODY_FORMAT", parse=_choice("form", "json"), default="form",
                                    help="how POST parameters travel: form or json")
PARAM_TO = toolkit.PluginSetting("SMS_PARAM_TO", parse=_param, default="to", help="parameter of the number")
PARAM_TEXT = toolkit.PluginSetting("SMS_PARAM_TEXT", parse=_param, default="text", help="parameter of the text")
PARAM_FROM = toolkit.PluginSetting("SMS_PARAM_FROM", parse=_param, default="from", help="parameter of the sender")
EXTRA_PARAMS = toolkit.PluginSetting("SMS_EXTRA_PARAMS", parse=_pairs, default={},
                                     help="fixed parameters sent with every message: name=value,name=value")
NUMBER_FORMAT = toolkit.PluginSetting("SMS_NUMBER_FORMAT", parse=_choice("e164", "62", "0"), default="e164",
                                      help="how the number is written: e164 (+62812...), 62 (62812...) or 0 (0812...)")
AUTH = toolkit.PluginSetting("SMS_AUTH", parse=_choice("none", "basic", "bearer", "header"), default="none",
                             help="authentication: none, basic (USERNAME/PASSWORD), bearer (TOKEN) or header")
USERNAME = toolkit.PluginSetting("SMS_USERNAME", default=None, help="user name of basic authentication")
PASSWORD = toolkit.PluginSetting("SMS_PASSWORD", default=None, help="password of basic authentication (secret)")
TOKEN = toolkit.PluginSetting("SMS_TOKEN", default=None, help="token of bearer or header authentication (secret)")
AUTH_HEADER = toolkit.PluginSetting("SMS_AUTH_HEADER", parse=_param, default="X-API-Key",
                                    help="header carrying TOKEN when SMS_AUTH=header")
MESSAGE_ID_FIELD = toolkit.PluginSetting("SMS_MESSAGE_ID_FIELD", default="message_id",
                                         help="dotted path of the message id in the gateway's JSON answer (data.id)")
RECEIPT_TOKEN = toolkit.PluginSetting("SMS_RECEIPT_TOKEN", default=None,
                                      help="shared secret the gateway sends with receipts (X-Receipt-Token or ?token=)")
RECEIPT_ID_PARAM = toolkit.PluginSetting("SMS_RECEIPT_ID_PARAM", parse=_param, default="message_id",
                                         help="receipt parameter holding the message id")
RECEIPT_STATUS_PARAM = toolkit.PluginSetting("SMS_RECEIPT_STATUS_PARAM", parse=_param, default="status",
                                             help="receipt parameter holding the status")
RECEIPT_STATUSES = toolkit.PluginSetting(
    "SMS_RECEIPT_STATUSES", parse=_pairs,
    default={"DELIVRD": "delivered", "DELIVERED": "delivered", "SENT": "sent", "UNDELIV": "failed",
             "UNDELIVERED": "failed", "FAILED": "failed", "EXPIRED": "failed", "REJECTD": "failed"},
    help="the gateway's status words and what they mean: DELIVRD=delivered,UNDELIV=failed")
# -- twilio profile
TWILIO_ACCOUNT_SID = toolkit.PluginSetting("SMS_TWILIO_ACCOUNT_SID", default=None, help="Twilio Account SID; unset: off")
TWILIO_AUTH_TOKEN = toolkit.PluginSetting("SMS_TWILIO_AUTH_TOKEN", default=None,
                                          help="Twilio Auth Token (secret): authenticates requests, signs callbacks")
TWILIO_MESSAGING_SERVICE_SID = toolkit.PluginSetting("SMS_TWILIO_MESSAGING_SERVICE_SID", default=None,
                                                     help="send through a Messaging Service instead of SMS_FROM")
TWILIO_API_URL = toolkit.PluginSetting("SMS_TWILIO_API_URL", parse=_url, default="https://api.twilio.com",
                                       help="Twilio's API address")
STATUS_CALLBACK_URL = toolkit.PluginSetting(
    "SMS_STATUS_CALLBACK_URL", parse=_url, default=None,
    help="the public URL of /api/v1/sms/twilio/status as Twilio calls it (sent as StatusCallback; signed over)")

ALL = (PROFILE, FROM, TIMEOUT_SECONDS, URL, METHOD, BODY_FORMAT, PARAM_TO, PARAM_TEXT, PARAM_FROM, EXTRA_PARAMS,
       NUMBER_FORMAT, AUTH, USERNAME, PASSWORD, TOKEN, AUTH_HEADER, MESSAGE_ID_FIELD, RECEIPT_TOKEN,
       RECEIPT_ID_PARAM, RECEIPT_STATUS_PARAM, RECEIPT_STATUSES, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
       TWILIO_MESSAGING_SERVICE_SID, TWILIO_API_URL, STATUS_CALLBACK_URL)


def problems(settings) -> list[str]:
    """Malformed values, and what a switched-on profile still lacks."""
    found = [problem for setting in ALL for problem in setting.problems(settings)]
    if found:
        return found
    if PROFILE.read(settings) == "twilio" and TWILIO_ACCOUNT_SID.read(settings):
        if not TWILIO_AUTH_TOKEN.read(settings):
            found.append("RAGEM_SMS_TWILIO_AUTH_TOKEN is required when RAGEM_SMS_TWILIO_ACCOUNT_SID is set")
        if not FROM.read(settings) and not TWILIO_MESSAGING_SERVICE_SID.read(settings):
            found.append("RAGEM_SMS_FROM or RAGEM_SMS_TWILIO_MESSAGING_SERVICE_SID is required with Twilio")
    if PROFILE.read(settings) == "http" and URL.read(settings):
        auth = AUTH.read(settings)
        if auth == "basic" and not (USERNAME.read(settings) and PASSWORD.read(settings)):
            found.append("RAGEM_SMS_USERNAME and RAGEM_SMS_PASSWORD are required when RAGEM_SMS_AUTH=basic")
        if auth in ("bearer", "header") and not TOKEN.read(settings):
            found.append(f"RAGEM_SMS_TOKEN is required when RAGEM_SMS_AUTH={auth}")
    return found


def provider(settings) -> str | None:
    """The provider switched on (``sms-http`` or ``sms-twilio``), or ``None`` when off or incomplete."""
    if problems(settings):
        return None
    if PROFILE.read(settings) == "twilio":
        return TWILIO if TWILIO_ACCOUNT_SID.read(settings) else None
    return HTTP if URL.read(settings) else None
