"""The push gateway's settings (``RAGEM_PUSH_*``). Off until the service account is set."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ragem import toolkit

PROVIDER = "push-fcm"
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
REQUIRED_KEYS = ("client_email", "private_key", "project_id")


def service_account(text: str) -> dict:
    """A Google service-account key: its JSON text, or the path of the file holding it."""
    raw = text.strip()
    if not raw.startswith("{"):
        path = Path(raw)
        if not path.is_file():
            raise ValueError("expected the service account's JSON key, or the path of its file")
        raw = path.read_text(encoding="utf-8")
    try:
        info = json.loads(raw)
    except ValueError:
        raise ValueError("the service account key is not valid JSON") from None
    missing = [key for key in REQUIRED_KEYS if not isinstance(info, dict) or not info.get(key)]
    if missing:
        raise ValueError("the service account key lacks " + ", ".join(missing))
    return info


def _url(text: str) -> str:
    value = text.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("expected an http(s) URL")
    return value


SERVICE_ACCOUNT = toolkit.PluginSetting(
    "PUSH_FCM_SERVICE_ACCOUNT", parse=service_account, default=None,
    help="the Firebase project's service-account key (JSON text or a file path; secret); unset: off")
PROJECT_ID = toolkit.PluginSetting(
    "PUSH_FCM_PROJECT_ID", default=None, help="the Firebase project id (default: the key's project_id)")
API_URL = toolkit.PluginSetting(
    "PUSH_FCM_API_URL", parse=_url, default="https://fcm.googleapis.com", help="FCM's address")
TOKEN_URL = toolkit.PluginSetting(
    "PUSH_FCM_TOKEN_URL", parse=_url, default=None,
    help="Google's OAuth 2.0 token endpoint (default: the key's token_uri)")
TIMEOUT_SECONDS = toolkit.PluginSetting(
    "PUSH_TIMEOUT_SECONDS", parse=toolkit.positive_int, default=10, help="seconds to wait for FCM's answer")

ALL = (SERVICE_ACCOUNT, PROJECT_ID, API_URL, TOKEN_URL, TIMEOUT_SECONDS)


def problems(settings) -> list[str]:
    """Malformed values (the key is checked for the fields a token needs)."""
    return [problem for setting in ALL for problem in setting.problems(settings)]


def configured(settings) -> bool:
    """Whether the gateway is switched on."""
    return not problems(settings) and bool(SERVICE_ACCOUNT.read(settings))
