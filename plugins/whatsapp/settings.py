"""The WhatsApp gateway's settings (``RAGEM_WHATSAPP_*``). Off until the phone number id is set;
then the token, the app secret and the webhook's verify token are required too."""
from __future__ import annotations

import re

from ragem import toolkit

PROVIDER = "whatsapp-cloud"


def _url(text: str) -> str:
    value = text.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("expected a URL such as https://graph.facebook.com")
    return value


def _version(text: str) -> str:
    if not re.fullmatch(r"v\d+\.\d+", text.strip()):
        raise ValueError("expected a Graph API version such as v21.0")
    return text.strip()


def _name(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]{1,512}", text.strip()):
        raise ValueError("expected a template name: lowercase letters, digits and _")
    return text.strip()


def _digits(text: str) -> str:
    if not re.fullmatch(r"\d{5,32}", text.strip()):
        raise ValueError("expected the phone number id (digits) shown in WhatsApp Manager")
    return text.strip()


PHONE_NUMBER_ID = toolkit.PluginSetting(
    "WHATSAPP_PHONE_NUMBER_ID", parse=_digits, default=None,
    help="the sending number's id in the WhatsApp Business Cloud API; unset: the gateway is off")
ACCESS_TOKEN = toolkit.PluginSetting(
    "WHATSAPP_ACCESS_TOKEN", default=None, help="a system user's permanent access token (secret)")
APP_SECRET = toolkit.PluginSetting(
    "WHATSAPP_APP_SECRET", default=None, help="the Meta app's secret: signs the receipts (X-Hub-Signature-256)")
VERIFY_TOKEN = toolkit.PluginSetting(
    "WHATSAPP_VERIFY_TOKEN", default=None, help="the text you give Meta when subscribing the webhook")
API_URL = toolkit.PluginSetting(
    "WHATSAPP_API_URL", parse=_url, default="https://graph.facebook.com", help="the Graph API's address")
API_VERSION = toolkit.PluginSetting(
    "WHATSAPP_API_VERSION", parse=_version, default="v21.0", help="the Graph API version")
CODE_TEMPLATE = toolkit.PluginSetting(
    "WHATSAPP_CODE_TEMPLATE", parse=_name, default="ragem_kode",
    help="name of the approved authentication template (copy-code button) that carries one-time codes")
NOTICE_TEMPLATE = toolkit.PluginSetting(
    "WHATSAPP_NOTICE_TEMPLATE", parse=_name, default="ragem_pemberitahuan",
    help="name of the approved utility template whose body is one parameter: the notice's text")
TEMPLATE_LANGUAGE = toolkit.PluginSetting(
    "WHATSAPP_TEMPLATE_LANGUAGE", default="id", help="language code the templates were approved in")

TIMEOUT_SECONDS = toolkit.PluginSetting(
    "WHATSAPP_TIMEOUT_SECONDS", parse=toolkit.positive_int, default=10,
    help="seconds to wait for the Cloud API's answer (a message whose answer timed out is not sent again)")

ALL = (TIMEOUT_SECONDS, PHONE_NUMBER_ID, ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, API_URL, API_VERSION, CODE_TEMPLATE,
       NOTICE_TEMPLATE, TEMPLATE_LANGUAGE)
REQUIRED_WITH_NUMBER = (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN)


def problems(settings) -> list[str]:
    """Malformed values, and the secrets missing once the gateway is switched on."""
    found = [problem for setting in ALL for problem in setting.problems(settings)]
    if not found and PHONE_NUMBER_ID.read(settings):
        found += [f"RAGEM_{s.name} is required when RAGEM_WHATSAPP_PHONE_NUMBER_ID is set"
                  for s in REQUIRED_WITH_NUMBER if not s.read(settings)]
    return found


def configured(settings) -> bool:
    """Whether the gateway is switched on (and complete: ``problems`` refused it otherwise)."""
    return bool(PHONE_NUMBER_ID.read(settings)) and not problems(settings)
